/** AST and parser for the Go text/template subset berth's `--format` understands. */

export type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipeline }
  | { t: 'if' | 'with'; pipe: Pipeline; body: Node[]; alt: Node[] }
  | { t: 'range'; pipe: Pipeline; body: Node[]; alt: Node[] };

export interface Pipeline {
  decl: string[];
  cmds: Cmd[];
}

/** One command of a pipeline; `pos` (offset in the source) and `text` are Go's, for error messages. */
export interface Cmd {
  args: Operand[];
  pos: number;
  text: string;
}

/** `pos`: offset in the template source where Go places the node; `text`: the node as Go prints it. */
export type Operand = ({ t: 'field'; base: 'dot' | string | Pipeline; path: string[] } | { t: 'ident'; name: string } | { t: 'lit'; value: unknown }) & { pos: number; text: string };

type Tok = { k: 'field' | 'var' | 'ident' | 'str' | 'num' | 'sym'; v: string; raw: string; pos: number };

/** A template that does not parse; `pos` is the offset in the source where it was noticed. */
export class TemplateParseError extends Error {
  constructor(message: string, readonly pos: number) {
    super(message);
  }
}

/** Splits a template into text and action strings, applying `{{-` / `-}}` trimming. */
function splitActions(src: string): ({ text: string } | { action: string; at: number })[] {
  const out: ({ text: string } | { action: string; at: number })[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) out.push({ text });
    const close = findClose(src, start);
    if (close < 0) throw new TemplateParseError('unclosed action', open);
    let action = src.slice(start, close);
    let next = close + 2;
    if (/\s-$/.test(action)) {
      action = action.slice(0, -1);
      while (next < src.length && /\s/.test(src[next]!)) next++;
    }
    out.push({ action: action.trim(), at: start + (action.length - action.trimStart().length) });
    i = next;
  }
  return out;
}

function findClose(src: string, from: number): number {
  let q: string | null = null;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (q) {
      if (c === '\\' && q === '"') i++;
      else if (c === q) q = null;
    } else if (c === '"' || c === '`') q = c;
    else if (c === '}' && src[i + 1] === '}') return i;
  }
  return -1;
}

function lex(s: string, at: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const push = (k: Tok['k'], v: string, from: number): void => {
    toks.push({ k, v, raw: s.slice(from, i), pos: at + from });
  };
  while (i < s.length) {
    const c = s[i]!;
    const from = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) throw new TemplateParseError('unterminated quoted string', at + i);
      i = j + 1;
      push('str', JSON.parse(s.slice(from, i)) as string, from);
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new TemplateParseError('unterminated raw quoted string', at + i);
      i = j + 1;
      push('str', s.slice(from + 1, j), from);
    } else if (c === ':' && s[i + 1] === '=') {
      i += 2;
      push('sym', ':=', from);
    } else if ('|(),='.includes(c)) {
      i++;
      push('sym', c, from);
    } else {
      const m = /^[^\s|(),]+/.exec(s.slice(i))![0];
      i += m.length;
      if (m.startsWith('.')) push('field', m, from);
      else if (m.startsWith('$')) push('var', m, from);
      else if (/^[-+]?\d/.test(m)) push('num', m, from);
      else push('ident', m, from);
    }
  }
  return toks;
}

function parsePipeline(toks: Tok[], end: number): Pipeline {
  let pos = 0;
  const decl: string[] = [];
  const assign = toks.findIndex((t) => t.k === 'sym' && (t.v === ':=' || t.v === '='));
  if (assign > 0 && toks.slice(0, assign).every((t) => t.k === 'var' || (t.k === 'sym' && t.v === ','))) {
    for (const t of toks.slice(0, assign)) if (t.k === 'var') decl.push(t.v);
    pos = assign + 1;
  }
  const newCmd = (): Cmd => ({ args: [], pos: toks[pos]?.pos ?? end, text: '' });
  const parseCmds = (stopAtParen: boolean): Cmd[] => {
    const cmds: Cmd[] = [newCmd()];
    while (pos < toks.length) {
      const t = toks[pos]!;
      if (t.k === 'sym' && t.v === ')') {
        if (stopAtParen) return finish(cmds);
        throw new TemplateParseError('unexpected ")" in operand', t.pos);
      }
      pos++;
      if (t.k === 'sym' && t.v === '|') cmds.push(newCmd());
      else if (t.k === 'sym' && t.v === '(') {
        const inner = parseCmds(true);
        pos++; // ')'
        let path: string[] = [];
        let at = t.pos;
        let suffix = '';
        const after = toks[pos];
        if (after && after.k === 'field') {
          path = after.v.split('.').filter(Boolean);
          at = after.pos;
          suffix = after.v;
          pos++;
        }
        const base: Pipeline = { decl: [], cmds: inner };
        cmds[cmds.length - 1]!.args.push({ t: 'field', base, path, pos: at, text: `(${pipeText(base)})${suffix}` });
      } else cmds[cmds.length - 1]!.args.push(operand(t));
    }
    if (stopAtParen) throw new TemplateParseError('unclosed left paren', end);
    return finish(cmds);
  };
  const finish = (cmds: Cmd[]): Cmd[] => {
    for (const c of cmds) {
      if (c.args.length === 0) throw new TemplateParseError('missing value for command', end);
      c.text = c.args.map((a) => a.text).join(' ');
    }
    return cmds;
  };
  const cmds = parseCmds(false);
  return { decl, cmds };
}

/** A pipeline as Go prints it (`.A | upper`). */
export function pipeText(p: Pipeline): string {
  return (p.decl.length ? `${p.decl.join(', ')} := ` : '') + p.cmds.map((c) => c.text).join(' | ');
}

function operand(t: Tok): Operand {
  const at = { pos: t.pos, text: t.raw };
  switch (t.k) {
    case 'field': {
      const path = t.v.split('.').filter(Boolean);
      // Go places a chain (`.A.B`) at its second field
      return { t: 'field', base: 'dot', path, ...at, pos: path.length > 1 ? t.pos + path[0]!.length + 1 : t.pos };
    }
    case 'var': {
      const [name, ...path] = t.v.split('.');
      return { t: 'field', base: name!, path, ...at, pos: path.length ? t.pos + name!.length : t.pos };
    }
    case 'str':
      return { t: 'lit', value: t.v, ...at };
    case 'num':
      return { t: 'lit', value: Number(t.v), ...at };
    case 'ident':
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', value: t.v === 'true', ...at };
      if (t.v === 'nil') return { t: 'lit', value: null, ...at };
      return { t: 'ident', name: t.v, ...at };
    default:
      throw new TemplateParseError(`unexpected "${t.v}" in operand`, t.pos);
  }
}

/** Parses a template into a node list; throws {@link TemplateParseError}. */
export function parseTemplate(src: string): Node[] {
  const parts = splitActions(src);
  let i = 0;
  const parseList = (terminators: string[]): { nodes: Node[]; end: string; at: number } => {
    const nodes: Node[] = [];
    while (i < parts.length) {
      const part = parts[i++]!;
      if ('text' in part) {
        nodes.push({ t: 'text', text: part.text });
        continue;
      }
      const a = part.action;
      if (a.startsWith('/*')) continue;
      const word = /^\w+/.exec(a)?.[0] ?? '';
      if (terminators.includes(word)) return { nodes, end: a, at: part.at };
      if (word === 'if' || word === 'with' || word === 'range') nodes.push(parseBlock(word, a.slice(word.length), part.at + word.length));
      else if (word === 'end' || word === 'else') throw new TemplateParseError(`unexpected {{${word}}}`, part.at);
      else nodes.push({ t: 'action', pipe: pipeline(a, part.at) });
    }
    if (terminators.length) throw new TemplateParseError('unexpected EOF', src.length);
    return { nodes, end: '', at: src.length };
  };
  const pipeline = (text: string, at: number): Pipeline => parsePipeline(lex(text, at), at + text.length);
  const parseBlock = (kind: 'if' | 'with' | 'range', rest: string, at: number): Node => {
    if (rest.trim() === '') throw new TemplateParseError(`missing value for ${kind}`, at);
    const pipe = pipeline(rest, at);
    const body = parseList(['end', 'else']);
    let alt: Node[] = [];
    if (body.end.startsWith('else')) {
      const raw = body.end.slice(4);
      const elseRest = raw.trim();
      const elseAt = body.at + 4 + (raw.length - raw.trimStart().length);
      if (elseRest.startsWith('if ') || elseRest.startsWith('with ')) {
        const w = elseRest.startsWith('if') ? 'if' : 'with';
        alt = [parseBlock(w, elseRest.slice(w.length), elseAt + w.length)];
      } else alt = parseList(['end']).nodes;
    }
    return { t: kind, pipe, body: body.nodes, alt };
  };
  return parseList([]).nodes;
}
