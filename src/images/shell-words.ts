import { invalid } from '../shared/errors.js';

/**
 * Splits Dockerfile arguments into words at unquoted whitespace, keeping quotes and
 * escapes in the words (Docker's parser `parseWords`; expansion removes them later).
 *
 * @example splitWords('a="b c" d') // ['a="b c"', 'd']
 */
export function splitWords(rest: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  let blankOk = false;
  let inWord = false;
  for (let i = 0; i < rest.length; i++) {
    let ch = rest[i]!;
    if (!inWord && !quote) {
      if (/\s/.test(ch)) continue;
      inWord = true;
    }
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === '\\' && quote !== "'") {
        if (i + 1 === rest.length) continue;
        word += ch;
        ch = rest[++i]!;
      }
      word += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (blankOk || word) words.push(word);
      word = '';
      blankOk = false;
      inWord = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOk = true;
    } else if (ch === '\\') {
      if (i + 1 === rest.length) continue;
      word += ch;
      ch = rest[++i]!;
    }
    word += ch;
  }
  if (inWord && (blankOk || word)) words.push(word);
  return words;
}

/** A variable lookup: the config's Env as `KEY=value` entries, last one wins. */
export function envLookup(env: readonly string[] | null | undefined): (name: string) => string | undefined {
  const map = new Map<string, string>();
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i < 0) map.set(e, '');
    else map.set(e.slice(0, i), e.slice(i + 1));
  }
  return (name) => map.get(name);
}

/**
 * One word through Docker's shell-lexer subset: quote removal, backslash escapes and
 * `$VAR`, `${VAR}`, `${VAR:-w}`, `${VAR:+w}`, `${VAR-w}`, `${VAR+w}` expansion.
 * Throws `failed to process "<word>": ...` as dockerd does.
 *
 * @example expandWord('"$A"x', (n) => (n === 'A' ? '1' : undefined)) // '1x'
 */
export function expandWord(word: string, lookup: (name: string) => string | undefined): string {
  let i = 0;
  const fail = (why: string): never => {
    throw invalid(`failed to process ${JSON.stringify(word)}: ${why}`);
  };
  const name = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9]/.exec(word.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  const dollar = (): string => {
    i++; // '$'
    if (word[i] !== '{') {
      const n = name();
      return n ? (lookup(n) ?? '') : '$';
    }
    i++;
    const n = name();
    if (!n) fail('bad substitution');
    if (word[i] === '}') {
      i++;
      return lookup(n) ?? '';
    }
    let op = word[i++] ?? '';
    if (op === ':') op += word[i++] ?? '';
    if (!['-', '+', ':-', ':+'].includes(op)) fail(`unsupported modifier (${op}) in substitution`);
    let alt = '';
    for (; i < word.length && word[i] !== '}'; i++) alt += word[i];
    if (word[i] !== '}') fail('syntax error: missing }');
    i++;
    const v = lookup(n);
    const set = op.startsWith(':') ? v !== undefined && v !== '' : v !== undefined;
    if (op.endsWith('-')) return set ? (v ?? '') : expandWord(alt, lookup);
    return set ? expandWord(alt, lookup) : '';
  };
  let out = '';
  while (i < word.length) {
    const ch = word[i]!;
    if (ch === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) fail('unexpected end of statement while looking for matching single-quote');
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= word.length) fail('unexpected end of statement while looking for matching double-quote');
        const c = word[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '$') {
          out += dollar();
          continue;
        }
        if (c === '\\' && i + 1 < word.length && ['"', '$', '\\'].includes(word[i + 1]!)) i++;
        else if (c === '\\' && i + 1 === word.length) {
          i++;
          continue;
        }
        out += word[i++];
      }
    } else if (ch === '$') {
      out += dollar();
    } else if (ch === '\\') {
      i++;
      if (i < word.length) out += word[i++];
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
