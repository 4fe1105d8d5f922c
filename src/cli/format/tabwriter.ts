/**
 * Go's text/tabwriter as docker configures it (`minwidth 10, tabwidth 1, padding 3, ' '`):
 * every tab-terminated cell is padded to its column's width; the last cell of a line is not.
 *
 * @example tabwrite('A\tB\nlonger\tx\n') // 'A           B\nlonger      x\n' (sic)
 */
export function tabwrite(text: string, minWidth = 10, padding = 3): string {
  const lines = text.split('\n');
  const trailingNewline = lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const r of rows) {
    for (let i = 0; i < r.length - 1; i++) widths[i] = Math.max(widths[i] ?? 0, width(r[i]!) + padding, minWidth);
  }
  const out = rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c + ' '.repeat(widths[i]! - width(c)) : c)).join(''));
  return out.join('\n') + (trailingNewline ? '\n' : '');
}

function width(s: string): number {
  return [...s].length;
}
