import { fileError } from './parse-error.js';
import { parseWords, splitBlanks, splitCommand, splitFirst } from './line-split.js';
import { isSpace } from './shell-words.js';
import type { EscapeToken } from './types.js';

/** One instruction line as the parser's first pass sees it. */
export interface LineNode {
  /** Lower-cased keyword as written. */
  cmd: string;
  original: string;
  flags: string[];
  args: string[];
  /** The arguments were a JSON array. */
  json: boolean;
  /** ONBUILD's trigger. */
  child?: LineNode;
}

type ArgParser = (rest: string, escape: EscapeToken) => Pick<LineNode, 'args' | 'json' | 'child'>;

const NOT_STRINGS = 'when using JSON array syntax, arrays must be comprised of strings only';
const plain = (args: string[]): Pick<LineNode, 'args' | 'json'> => ({ args, json: false });

/** Go's %q for the strings that appear in messages. */
export const goQuote = (s: string): string => JSON.stringify(s);

/**
 * The first JSON value in `s` if `s` is a JSON array of strings; trailing text after the
 * array is ignored, as Go's json.Decoder does. Undefined when `s` is not JSON (shell form).
 */
export function parseJsonArray(s: string): string[] | undefined {
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  if (s[i] !== '[') return undefined;
  const start = i;
  let depth = 0;
  let inString = false;
  for (; i < s.length; i++) {
    const ch = s[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      if (--depth === 0) break;
    }
  }
  if (depth !== 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(s.slice(start, i + 1));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) throw fileError(NOT_STRINGS);
  return value as string[];
}

const maybeJson: ArgParser = (rest) => {
  if (rest === '') return plain([]);
  const arr = parseJsonArray(rest);
  return arr ? { args: arr, json: true } : plain([rest]);
};

const maybeJsonToList: ArgParser = (rest) => {
  const arr = parseJsonArray(rest);
  return arr ? { args: arr, json: true } : plain(splitBlanks(rest));
};

const oneString: ArgParser = (rest) => plain(rest === '' ? [] : [rest]);

/** ENV and LABEL: `KEY name value` (old) or `KEY name=value ...`; args come out as k, v, k, v. */
const nameVal =
  (key: string): ArgParser =>
  (rest, escape) => {
    const words = parseWords(rest, escape);
    if (words.length === 0) return plain([]);
    if (!words[0]!.includes('=')) {
      const [name, value] = splitFirst(rest);
      if (value === undefined) throw fileError(`${key} must have two arguments`);
      return plain([name, value]);
    }
    const args: string[] = [];
    for (const word of words) {
      const eq = word.indexOf('=');
      if (eq < 0) throw fileError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
      args.push(word.slice(0, eq), word.slice(eq + 1));
    }
    return plain(args);
  };

/** HEALTHCHECK: the type word, then a CMD in JSON or shell form. */
const health: ArgParser = (rest, escape) => {
  let sep = 0;
  while (sep < rest.length && !isSpace(rest[sep]!)) sep++;
  if (sep === 0) return plain([]);
  let next = sep;
  while (next < rest.length && isSpace(rest[next]!)) next++;
  const cmd = maybeJson(rest.slice(next), escape);
  return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
};

const subCommand: ArgParser = (rest, escape) => {
  if (rest === '') return plain([]);
  const child = lineNode(rest, escape);
  return { args: [child.cmd, child.original], json: false, child };
};

const PARSERS: Record<string, ArgParser> = {
  add: maybeJsonToList,
  copy: maybeJsonToList,
  volume: maybeJsonToList,
  arg: (rest, escape) => plain(parseWords(rest, escape)),
  cmd: maybeJson,
  entrypoint: maybeJson,
  run: maybeJson,
  shell: maybeJson,
  env: nameVal('ENV'),
  label: nameVal('LABEL'),
  expose: (rest) => plain(splitBlanks(rest)),
  from: (rest) => plain(splitBlanks(rest)),
  healthcheck: health,
  maintainer: oneString,
  stopsignal: oneString,
  user: oneString,
  workdir: oneString,
  onbuild: subCommand,
};

/** Split a joined instruction line into keyword, flags and arguments (unknown keywords get none). */
export function lineNode(line: string, escape: EscapeToken): LineNode {
  const { cmd, flags, rest } = splitCommand(line);
  const parse = PARSERS[cmd];
  const parsed = parse ? parse(rest, escape) : plain([]);
  return { cmd, original: line, flags, ...parsed };
}
