/**
 * Go's `json.Indent` and `json.Compact` over raw JSON text: whitespace between tokens is
 * replaced, while strings (with their escapes), numbers and key order stay byte for byte
 * what the daemon sent. Used by `inspect`, which prints the daemon's raw reply.
 *
 * @example indentJson('{"a":[1,2],"b":{}}', '    ') // '{\n    "a": [\n        1,\n        2\n    ],\n    "b": {}\n}'
 */
export function indentJson(src: string, indent: string): string {
  return reformat(src, indent);
}

/** Go's `json.Compact`: the same text with all insignificant whitespace removed. */
export function compactJson(src: string): string {
  return reformat(src, undefined);
}

function reformat(src: string, indent: string | undefined): string {
  let out = '';
  let depth = 0;
  let i = 0;
  const nl = (): string => (indent === undefined ? '' : `\n${indent.repeat(depth)}`);
  const nextSignificant = (from: number): string | undefined => {
    let k = from;
    while (k < src.length && /\s/.test(src[k]!)) k++;
    return src[k];
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      if (nextSignificant(i + 1) === close) {
        out += c + close;
        i = src.indexOf(close, i + 1) + 1;
        continue;
      }
      depth++;
      out += c + nl();
    } else if (c === '}' || c === ']') {
      depth--;
      out += nl() + c;
    } else if (c === ',') out += c + nl();
    else if (c === ':') out += indent === undefined ? ':' : ': ';
    else out += c;
    i++;
  }
  return out;
}
