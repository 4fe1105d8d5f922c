/**
 * "Natural" string order as the docker CLI sorts lists (`network ls` names, `port` lines):
 * digit runs compare as numbers (fewer leading zeros first on a tie) and sort before other
 * characters; everything else compares bytewise.
 *
 * @example ['a10', 'a9', 'a09'].sort(naturalCompare) // ['a9', 'a09', 'a10']
 */
export function naturalLess(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const dx = isDigit(x[i]!);
    const dy = isDigit(y[j]!);
    if (dx !== dy) return dx;
    if (!dx) {
      if (x[i] !== y[j]) return x[i]! < y[j]!;
      i++;
      j++;
      continue;
    }
    while (i < x.length && x[i] === 0x30) i++;
    while (j < y.length && y[j] === 0x30) j++;
    const si = i;
    const sj = j;
    while (i < x.length && isDigit(x[i]!)) i++;
    while (j < y.length && isDigit(y[j]!)) j++;
    if (i - si !== j - sj) return i - si < j - sj;
    const nx = x.subarray(si, i).toString();
    const ny = y.subarray(sj, j).toString();
    if (nx !== ny) return nx < ny;
    if (si !== sj) return si < sj;
  }
  return x.length < y.length;
}

/** `naturalLess` as a comparator for `Array.prototype.sort`. */
export function naturalCompare(a: string, b: string): number {
  if (naturalLess(a, b)) return -1;
  return naturalLess(b, a) ? 1 : 0;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
