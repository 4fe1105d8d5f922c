/**
 * Strings in code-unit order, as Go compares them (`sort.Strings`, `<`): what Docker's lists
 * are sorted by. Not `localeCompare`: that orders by locale, and its first use loads ICU's
 * collator (about 2.7 MB of berthd's RSS).
 *
 * @example ['udp', 'tcp'].sort(compareStrings) // ['tcp', 'udp']
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
