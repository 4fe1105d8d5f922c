/**
 * One record of Go's `encoding/csv` (comma-separated, `"` quoting with `""` escapes), which
 * pflag uses for `stringSlice` flags and the docker CLI for `--network name=x,alias=y`.
 *
 * @example readCSVRecord('a,"b,c"') // ['a', 'b,c']
 */
export function readCSVRecord(line: string): string[] {
  const text = line.split('\n')[0]!.replace(/\r$/, '');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new Error(`parse error on line 1, column ${text.length + 1}: extraneous or missing " in quoted-field`);
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            v += '"';
            j += 2;
            continue;
          }
          j++;
          break;
        }
        v += text[j++];
      }
      if (j < text.length && text[j] !== ',') throw new Error(`parse error on line 1, column ${j + 1}: extraneous or missing " in quoted-field`);
      fields.push(v);
      i = j;
    } else {
      let j = text.indexOf(',', i);
      if (j < 0) j = text.length;
      const v = text.slice(i, j);
      const q = v.indexOf('"');
      if (q >= 0) throw new Error(`parse error on line 1, column ${i + q + 1}: bare " in non-quoted-field`);
      fields.push(v);
      i = j;
    }
    if (i >= text.length) return fields;
    i++;
  }
}

/** pflag's `stringSlice` value: empty input is no values, otherwise one CSV record. */
export function splitStringSlice(value: string): string[] {
  return value === '' ? [] : readCSVRecord(value);
}
