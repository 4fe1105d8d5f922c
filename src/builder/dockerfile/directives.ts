import { fileError } from './parse-error.js';
import type { EscapeToken } from './types.js';

const BACKSLASH_CONTINUATION = /(^|[^\\])\\[ \t]*$/;
const BACKTICK_CONTINUATION = /(^|[^`])`[ \t]*$/;
const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;

/** Directives Docker knows; any other `# key=value` line ends the directive block. */
const KNOWN = new Set(['escape', 'syntax', 'check']);

/**
 * Parser directives (`# escape=`, `# syntax=`, `# check=`), read only from the top of the
 * file: the first line that is not one (a comment, an empty line, an instruction) ends them.
 */
export class Directives {
  escape: EscapeToken = '\\';
  syntax?: string;
  private done = false;
  private readonly seen = new Set<string>();

  /** Feed a line (left-trimmed); returns true when it was a directive. */
  offer(line: string): boolean {
    if (this.done) return false;
    const m = DIRECTIVE.exec(line);
    const key = m?.[1]!.toLowerCase();
    if (!m || !key || !KNOWN.has(key)) {
      this.done = true;
      return false;
    }
    if (this.seen.has(key)) throw fileError(`only one ${key} parser directive can be used`);
    this.seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '`' && value !== '\\') throw fileError(`invalid escape token '${value}' does not match \` or \\`);
      this.escape = value;
    } else if (key === 'syntax') {
      this.syntax = value;
    }
    return true;
  }

  /** A line ending in one escape character (not two) continues on the next line. */
  continuation(line: string): { text: string; continues: boolean } {
    const m = (this.escape === '\\' ? BACKSLASH_CONTINUATION : BACKTICK_CONTINUATION).exec(line);
    if (!m) return { text: line, continues: false };
    return { text: line.slice(0, m.index) + m[1], continues: true };
  }
}
