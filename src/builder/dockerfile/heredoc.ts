import { expandWords } from './shell-words.js';
import type { EscapeToken, Heredoc } from './types.js';

/** Instructions whose (non-JSON) lines may carry here-documents. */
export const HEREDOC_COMMANDS = new Set(['run', 'copy', 'add']);

const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;

/** The heredoc a word introduces (`<<EOF`, `<<-"EOF"`, `3<<EOF`), without its body yet. */
export function heredocFromWord(word: string): Omit<Heredoc, 'content'> | undefined {
  const m = HEREDOC_WORD.exec(word);
  if (!m || m[3] === '') return undefined;
  let plain: string[];
  let raw: string[];
  try {
    plain = expandWords(m[3]!, [], { skipUnsetEnv: true });
    raw = expandWords(m[3]!, [], { skipUnsetEnv: true, rawQuotes: true });
  } catch {
    return undefined;
  }
  if (plain.length !== 1 || raw.length !== 1) return undefined;
  const quotes = (s: string): number => s.split('').filter((c) => c === '"' || c === "'").length;
  return {
    name: plain[0]!,
    expand: quotes(plain[0]!) === quotes(raw[0]!),
    chomp: m[2] === '-',
    fileDescriptor: m[1] ? Number(m[1]) : 0,
  };
}

/** The heredocs a whole instruction line opens, in order. */
export function heredocsInLine(line: string, escape: EscapeToken): Omit<Heredoc, 'content'>[] {
  let words: string[];
  try {
    words = expandWords(line, [], { escape, rawQuotes: true, rawEscapes: true });
  } catch {
    return [];
  }
  return words.flatMap((w) => heredocFromWord(w) ?? []);
}

/** `<<-` strips leading tabs from every body line. */
export function chompContent(content: string): string {
  return content.replace(/^\t+/gm, '');
}
