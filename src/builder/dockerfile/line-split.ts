import { isSpace } from './shell-words.js';

/**
 * Splitting of one (joined) instruction line as Docker's parser does it, before any
 * variable expansion: the keyword, the leading `--flags`, and the words of the rest.
 */

/** Go's strings.TrimSpace. */
export function trimSpace(s: string): string {
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && isSpace(cps[a]!)) a++;
  while (b > a && isSpace(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

export function trimLeftSpace(s: string): string {
  const cps = Array.from(s);
  let a = 0;
  while (a < cps.length && isSpace(cps[a]!)) a++;
  return a ? cps.slice(a).join('') : s;
}

const WHITESPACE = /[\t\v\f\r ]+/;

/** Split on the first run of blanks: `['run', 'echo hi']`. */
export function splitFirst(s: string): [string, string | undefined] {
  const m = WHITESPACE.exec(s);
  if (!m) return [s, undefined];
  return [s.slice(0, m.index), s.slice(m.index + m[0].length)];
}

/** Split on every run of blanks (COPY/ADD/VOLUME words, FROM, EXPOSE): quotes are not special. */
export function splitBlanks(s: string): string[] {
  return s === '' ? [] : s.split(WHITESPACE);
}

/** Keyword (lower-cased), `--flag` words and the rest of an instruction line. */
export function splitCommand(line: string): { cmd: string; flags: string[]; rest: string } {
  const [cmd, after] = splitFirst(trimSpace(line));
  if (after === undefined) return { cmd: cmd.toLowerCase(), flags: [], rest: '' };
  const { flags, rest } = extractFlags(after);
  return { cmd: cmd.toLowerCase(), flags, rest: trimSpace(rest) };
}

/**
 * Leading words that start with `--` are flags; quotes inside them group, a backslash
 * escapes the next character, and a bare `--` ends the flags.
 */
function extractFlags(line: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let pos = 0;
  const n = line.length;
  for (;;) {
    while (pos < n && isSpace(line[pos]!)) pos++;
    if (pos >= n) return { flags, rest: '' };
    if (!(line[pos] === '-' && line[pos + 1] === '-')) return { flags, rest: line.slice(pos) };
    let word = '';
    let blankOk = false;
    let quote = '';
    while (pos < n) {
      const ch = line[pos]!;
      if (quote) {
        if (ch === quote) quote = '';
        else if (ch === '\\') {
          if (pos + 1 < n) word += line[++pos];
          else quote = '';
        } else word += ch;
        pos++;
        continue;
      }
      if (isSpace(ch)) break;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
      } else if (ch === '\\') {
        if (pos + 1 < n) word += line[++pos];
      } else word += ch;
      pos++;
    }
    if (pos < n && word === '--') return { flags, rest: line.slice(pos) };
    if (word !== '--' && (blankOk || word.length)) flags.push(word);
    if (pos >= n) return { flags, rest: '' };
  }
}

/**
 * Words of ENV/LABEL/ARG lines: split on unquoted blanks, but quotes and escapes are kept in
 * the words (they are removed later, when the words are expanded).
 */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  const cps = Array.from(rest);
  let word = '';
  let inWord = false;
  let blankOk = false;
  let quote = '';
  for (let i = 0; i < cps.length; i++) {
    let ch = cps[i]!;
    if (!inWord) {
      if (isSpace(ch)) continue;
      inWord = true;
    }
    if (quote) {
      if (ch === quote) quote = '';
      if (ch === escape && quote !== "'") {
        if (i + 1 === cps.length) {
          quote = '';
          continue;
        }
        word += ch;
        ch = cps[++i]!;
      }
      word += ch;
      continue;
    }
    if (isSpace(ch)) {
      if (blankOk || word.length) words.push(word);
      word = '';
      inWord = false;
      blankOk = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOk = true;
    }
    if (ch === escape) {
      if (i + 1 === cps.length) continue;
      word += ch;
      ch = cps[++i]!;
    }
    word += ch;
  }
  if (inWord && (blankOk || word.length)) words.push(word);
  return words;
}
