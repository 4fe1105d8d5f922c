/** AST and parser for the Go text/template subset berth's `--format` understands. */

export type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipeline }
  | { t: 'if' | 'with'; pipe: Pipeline; body: Node[]; alt: Node[] }
  | { t: 'range'; pipe: Pipeline; body: Node[]; alt: Node[] };

export interface Pipeline {
  decl: string[];
  cmds: Operand[][];
}

export type Operand =
  | { t: 'field'; base: 'dot' | string | Pipeline; path: string[] }
  | { t: 'ident'; name: string }
  | { t: 'lit'; value: unknown };

type Tok = { k: 'field' | 'var' | 'ident' | 'str' | 'num' | 'sym'; v: string };

/** Splits a template into text and action strings, applying `{{-` / `-}}` trimming. */
function splitActions(src: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
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
    let close = findClose(src, start);
    if (close < 0) throw new Error('template: unclosed action');
    let action = src.slice(start, close);
    let next = close + 2;
    if (/\s-$/.test(action)) {
      action = action.slice(0, -1);
      while (next < src.length && /\s/.test(src[next]!)) next++;
    }
    out.push({ action: action.trim() });
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

function lex(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      toks.push({ k: 'str', v: JSON.parse(s.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      toks.push({ k: 'str', v: s.slice(i + 1, j) });
      i = j + 1;
    } else if (c === ':' && s[i + 1] === '=') {
      toks.push({ k: 'sym', v: ':=' });
      i += 2;
    } else if ('|(),='.includes(c)) {
      toks.push({ k: 'sym', v: c });
      i++;
    } else {
      const m = /^[^\s|(),]+/.exec(s.slice(i))![0];
      i += m.length;
      if (m.startsWith('.')) toks.push({ k: 'field', v: m });
      else if (m.startsWith('$')) toks.push({ k: 'var', v: m });
      else if (/^[-+]?\d/.test(m)) toks.push({ k: 'num', v: m });
      else toks.push({ k: 'ident', v: m });
    }
  }
  return toks;
}

function parsePipeline(toks: Tok[]): Pipeline {
  let pos = 0;
  const decl: string[] = [];
  const assign = toks.findIndex((t) => t.k === 'sym' && (t.v === ':=' || t.v === '='));
  if (assign > 0 && toks.slice(0, assign).every((t) => t.k === 'var' || (t.k === 'sym' && t.v === ','))) {
    for (const t of toks.slice(0, assign)) if (t.k === 'var') decl.push(t.v);
    pos = assign + 1;
  }
  const parseCmds = (stopAtParen: boolean): Operand[][] => {
    const cmds: Operand[][] = [[]];
    while (pos < toks.length) {
      const t = toks[pos]!;
      if (t.k === 'sym' && t.v === ')') {
        if (stopAtParen) return cmds;
        throw new Error('template: unexpected )');
      }
      pos++;
      if (t.k === 'sym' && t.v === '|') cmds.push([]);
      else if (t.k === 'sym' && t.v === '(') {
        const inner = parseCmds(true);
        pos++; // ')'
        let path: string[] = [];
        const after = toks[pos];
        if (after && after.k === 'field') {
          path = after.v.split('.').filter(Boolean);
          pos++;
        }
        cmds[cmds.length - 1]!.push({ t: 'field', base: { decl: [], cmds: inner }, path });
      } else cmds[cmds.length - 1]!.push(operand(t));
    }
    if (stopAtParen) throw new Error('template: unclosed (');
    return cmds;
  };
  const cmds = parseCmds(false);
  if (cmds.some((c) => c.length === 0)) throw new Error('template: missing value for command');
  return { decl, cmds };
}

function operand(t: Tok): Operand {
  switch (t.k) {
    case 'field':
      return { t: 'field', base: 'dot', path: t.v.split('.').filter(Boolean) };
    case 'var': {
      const [name, ...path] = t.v.split('.');
      return { t: 'field', base: name!, path };
    }
    case 'str':
      return { t: 'lit', value: t.v };
    case 'num':
      return { t: 'lit', value: Number(t.v) };
    case 'ident':
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', value: t.v === 'true' };
      if (t.v === 'nil') return { t: 'lit', value: null };
      return { t: 'ident', name: t.v };
    default:
      throw new Error(`template: unexpected "${t.v}"`);
  }
}

/** Parses a template into a node list; throws `template: ...` errors. */
export function parseTemplate(src: string): Node[] {
  const parts = splitActions(src);
  let i = 0;
  const parseList = (terminators: string[]): { nodes: Node[]; end: string } => {
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
      if (terminators.includes(word)) return { nodes, end: a };
      if (word === 'if' || word === 'with' || word === 'range') nodes.push(parseBlock(word, a.slice(word.length)));
      else if (word === 'end' || word === 'else') throw new Error(`template: unexpected {{${word}}}`);
      else nodes.push({ t: 'action', pipe: parsePipeline(lex(a)) });
    }
    if (terminators.length) throw new Error('template: unexpected EOF');
    return { nodes, end: '' };
  };
  const parseBlock = (kind: 'if' | 'with' | 'range', rest: string): Node => {
    const pipe = parsePipeline(lex(rest));
    const body = parseList(['end', 'else']);
    let alt: Node[] = [];
    if (body.end.startsWith('else')) {
      const elseRest = body.end.slice(4).trim();
      if (elseRest.startsWith('if ') || elseRest.startsWith('with ')) {
        const w = elseRest.startsWith('if') ? 'if' : 'with';
        alt = [parseBlock(w, elseRest.slice(w.length))];
      } else alt = parseList(['end']).nodes;
    }
    return { t: kind, pipe, body: body.nodes, alt };
  };
  return parseList([]).nodes;
}
