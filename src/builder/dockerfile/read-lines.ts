import { Directives } from './directives.js';
import { chompContent, HEREDOC_COMMANDS, heredocsInLine } from './heredoc.js';
import { trimLeftSpace, trimSpace } from './line-split.js';
import { lineNode, type LineNode } from './node-args.js';
import { lineError } from './parse-error.js';
import type { EscapeToken, Heredoc, Location, ParseWarning } from './types.js';

/** An instruction line with its place in the file and its here-documents. */
export interface AstNode extends LineNode {
  location: Location;
  heredocs: Heredoc[];
}

export interface Ast {
  escape: EscapeToken;
  syntax?: string;
  nodes: AstNode[];
  warnings: ParseWarning[];
}

/** Lines as Go's bufio.ScanLines yields them: split on \n, a trailing \r dropped, no empty last line. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

const isComment = (line: string): boolean => trimLeftSpace(line).startsWith('#');
const isBlank = (line: string): boolean => trimSpace(line) === '';

/**
 * The parser's first pass: directives, comments, line continuations (comment and empty lines
 * inside a continuation are skipped, the latter with Docker's warning) and here-documents.
 */
export function readLines(source: string): Ast {
  const text = source.startsWith('\ufeff') ? source.slice(1) : source;
  const lines = splitLines(text);
  const directives = new Directives();
  const nodes: AstNode[] = [];
  const warnings: ParseWarning[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = trimLeftSpace(lines[i]!);
    const startLine = ++i;
    if (directives.offer(first) || isComment(first)) continue;
    let { text: line, continues } = directives.continuation(first);
    if (!continues && line === '') continue;
    let emptyContinuation = false;
    while (continues && i < lines.length) {
      const next = lines[i++]!;
      if (isComment(next)) continue;
      if (isBlank(next)) {
        emptyContinuation = true;
        continue;
      }
      const c = directives.continuation(next);
      line += c.text;
      continues = c.continues;
    }
    const original = line.replace(/[ \t]+$/, '');
    if (emptyContinuation) warnings.push({ line: startLine, message: `Empty continuation line found in: ${original}` });
    const node: AstNode = {
      ...lineNode(line, directives.escape),
      original,
      location: { startLine, endLine: i },
      heredocs: [],
    };
    if (HEREDOC_COMMANDS.has(node.cmd) && !node.json) {
      for (const doc of heredocsInLine(line, directives.escape)) {
        let content = '';
        let terminated = false;
        while (i < lines.length) {
          const body = lines[i++]!;
          if ((doc.chomp ? body.replace(/^\t+/, '') : body) === doc.name) {
            terminated = true;
            break;
          }
          content += `${body}\n`;
        }
        if (!terminated) throw lineError(startLine, 'unterminated heredoc');
        node.heredocs.push({ ...doc, content: doc.chomp ? chompContent(content) : content });
      }
      node.location.endLine = i;
    }
    nodes.push(node);
  }
  return { escape: directives.escape, syntax: directives.syntax, nodes, warnings };
}
