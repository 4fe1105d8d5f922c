import { invalid } from '../../shared/errors.js';
import type { EscapeToken } from './types.js';

/**
 * Docker's "shell lexer": the small, not-a-shell language used to expand `$VAR`, `${VAR}`,
 * `${VAR:-word}`, `${VAR:+word}`, `${VAR:?word}` (and the colon-less forms) and to remove
 * quotes in ENV, ARG, LABEL, COPY, ADD, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL and FROM.
 *
 * Rules (as Docker's builder applies them): single quotes keep everything literal; double
 * quotes keep everything but `$` expansions, and the escape character escapes only `"`, `$`
 * and itself inside them; outside quotes the escape character makes the next character
 * literal; unset variables expand to "".
 *
 * @example
 *   expandWord('${HOME:-/root}/app', { HOME: '/home/me' }); // '/home/me/app'
 *   expandWords('$LIST "a b"', { LIST: 'x y' });          // ['x', 'y', 'a b']
 */
export type Env = ReadonlyMap<string, string> | Readonly<Record<string, string>> | readonly string[];

export interface LexOptions {
  escape?: EscapeToken;
  /** Keep quote characters in the result (used to find heredoc words). */
  rawQuotes?: boolean;
  /** Keep escape characters in the result. */
  rawEscapes?: boolean;
  /** Leave references to unset variables as written. */
  skipUnsetEnv?: boolean;
}

/** Expand one word: variables replaced, quotes and escapes removed, no splitting. */
export function expandWord(word: string, env: Env = [], options: LexOptions = {}): string {
  return new Lexer(word, lookup(env), options).run().word;
}

/** Expand and split into words on unquoted whitespace (whitespace inside expanded values splits too). */
export function expandWords(word: string, env: Env = [], options: LexOptions = {}): string[] {
  return new Lexer(word, lookup(env), options).run().words;
}

/** A `k=v` list (later entries win), a map or a record, as one lookup function. */
function lookup(env: Env): (name: string) => string | undefined {
  if (Array.isArray(env)) {
    const map = new Map<string, string>();
    for (const kv of env as readonly string[]) {
      const eq = kv.indexOf('=');
      if (eq < 0) map.set(kv, '');
      else map.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    return (n) => map.get(n);
  }
  if (env instanceof Map) return (n) => env.get(n);
  const rec = env as Readonly<Record<string, string>>;
  return (n) => (Object.prototype.hasOwnProperty.call(rec, n) ? rec[n] : undefined);
}

/** Go's unicode.IsSpace. */
export function isSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(ch);
}

const isLetter = (ch: string): boolean => /^\p{L}$/u.test(ch);
const isDigit = (ch: string): boolean => /^\p{Nd}$/u.test(ch);
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

/** Accumulates words the way Docker does: quoted text never splits, plain whitespace does. */
class Words {
  word = '';
  words: string[] = [];
  inWord = false;

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.word.length) {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else {
      this.addRaw(ch);
    }
  }

  addRaw(s: string): void {
    this.word += s;
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  done(): string[] {
    if (this.word.length) this.words.push(this.word);
    this.word = '';
    this.inWord = false;
    return this.words;
  }
}

const EOF = '';

class Lexer {
  private readonly chars: string[];
  private pos = 0;
  private readonly escape: string;

  constructor(
    private readonly source: string,
    private readonly getEnv: (name: string) => string | undefined,
    private readonly opts: LexOptions,
  ) {
    this.chars = Array.from(source);
    this.escape = opts.escape ?? '\\';
  }

  run(): { word: string; words: string[] } {
    try {
      return this.until(EOF);
    } catch (err) {
      throw invalid(`failed to process ${JSON.stringify(this.source)}: ${(err as Error).message}`);
    }
  }

  private peek(): string {
    return this.chars[this.pos] ?? EOF;
  }

  private next(): string {
    return this.chars[this.pos++] ?? EOF;
  }

  /** Process until `stop` (consumed) or the end; `stop` = EOF means the end of input. */
  private until(stop: string): { word: string; words: string[] } {
    let result = '';
    const words = new Words();
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (stop !== EOF && ch === stop) {
        this.next();
        return { word: result, words: words.done() };
      }
      if (ch === '$') {
        const v = this.dollar();
        result += v;
        words.addString(v);
        continue;
      }
      if (ch === "'" || ch === '"') {
        const v = ch === "'" ? this.singleQuoted() : this.doubleQuoted();
        result += v;
        words.addRaw(v);
        continue;
      }
      let c = this.next();
      if (c === this.escape) {
        if (this.opts.rawEscapes) {
          words.addRaw(c);
          result += c;
        }
        c = this.next();
        if (c === EOF) break;
        words.addRaw(c);
      } else {
        words.addChar(c);
      }
      result += c;
    }
    if (stop !== EOF) throw new Error(`unexpected end of statement while looking for matching ${stop}`);
    return { word: result, words: words.done() };
  }

  private singleQuoted(): string {
    let out = '';
    const open = this.next();
    if (this.opts.rawQuotes) out += open;
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new Error('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.opts.rawQuotes) out += ch;
        return out;
      }
      out += ch;
    }
  }

  private doubleQuoted(): string {
    let out = '';
    const open = this.next();
    if (this.opts.rawQuotes) out += open;
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) throw new Error('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        if (this.opts.rawQuotes) out += ch;
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      let c = this.next();
      if (c === this.escape) {
        if (this.opts.rawEscapes) out += c;
        const after = this.peek();
        if (after === EOF) continue;
        if (after === '"' || after === '$' || after === this.escape) c = this.next();
      }
      out += c;
    }
  }

  private name(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name === '' && isDigit(ch)) {
        while (this.peek() !== EOF && isDigit(this.peek())) name += this.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.next();
      if (!isLetter(ch) && !isDigit(ch) && ch !== '_') break;
      name += this.next();
    }
    return name;
  }

  private dollar(): string {
    this.next(); // '$'
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return `$${name}`;
      return value ?? '';
    }
    this.next(); // '{'
    const first = this.peek();
    if (first === EOF) throw new Error("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new Error('syntax error: bad substitution');
    const name = this.name();
    const ch = this.next();
    if (ch === '}') {
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    let colon = false;
    let modifier = ch;
    if (ch === ':') {
      colon = true;
      modifier = this.next();
    }
    if (modifier !== '-' && modifier !== '+' && modifier !== '?') {
      if (!colon) throw new Error("missing ':' in substitution");
      throw new Error(`unsupported modifier (${modifier}) in substitution`);
    }
    let word: string;
    try {
      word = this.until('}').word;
    } catch (err) {
      if (this.peek() === EOF) throw new Error("syntax error: missing '}'");
      throw err;
    }
    const value = this.getEnv(name);
    const set = value !== undefined;
    // With the colon, an empty value counts as unset (POSIX).
    const present = colon ? set && value !== '' : set;
    if (!set && this.opts.skipUnsetEnv && modifier !== '?') return `\${${name}${colon ? ':' : ''}${modifier}${word}}`;
    switch (modifier) {
      case '-':
        return present ? (value as string) : word;
      case '+':
        return present ? word : '';
      default:
        if (!present) {
          const why = word || (set ? 'is not allowed to be empty' : 'is not allowed to be unset');
          throw new Error(`${name}: ${why}`);
        }
        return value as string;
    }
  }
}
