import type { Command, Option } from 'commander';
import { COMMANDS, GROUPS } from './registry.js';

/** Docker-style help for one command. */
export function commandHelp(cmd: Command, path: string[]): string {
  const usage = `berth ${path.join(' ')} ${cmd.usage()}`.trimEnd();
  const lines = [`Usage:  ${usage}`, '', cmd.description()];
  const aliases = aliasesOf(path);
  if (aliases.length > 1) lines.push('', 'Aliases:', `  ${aliases.join(', ')}`);
  const all = cmd.options as readonly Option[];
  // pflag lists flags sorted by name
  const name = (o: Option): string => (o.long ?? o.short ?? '').replace(/^-+/, '');
  const opts = all
    .filter((o) => !o.hidden && (!o.negate || !all.some((p) => !p.negate && p.attributeName() === o.attributeName())))
    .sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  // docker lists no help flag, but for run/create (where -h is --hostname) a --help of their own
  const rows = opts.map((o) => {
    const arg = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1];
    const long = `${o.long ?? ''}${arg ? ` ${arg}` : ''}`;
    const shown = typeof o.defaultValue === 'string' ? JSON.stringify(o.defaultValue) : String(o.defaultValue);
    const def = o.defaultValueDescription !== undefined
      ? ` (default ${o.defaultValueDescription})`
      : o.defaultValue !== undefined && o.defaultValue !== false && !(Array.isArray(o.defaultValue) && o.defaultValue.length === 0) ? ` (default ${shown})` : '';
    return { key: name(o), term: o.short ? `  ${o.short}, ${long}` : `      ${long}`, text: `${o.description}${def}` };
  });
  if (opts.some((o) => o.short === '-h')) {
    rows.push({ key: 'help', term: '      --help', text: 'Print usage' });
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  if (rows.length) {
    const w = Math.max(...rows.map((r) => r.term.length)) + 3;
    const cols = helpWidth() - 1;
    lines.push('', 'Options:');
    for (const r of rows) lines.push(`${r.term.padEnd(w)}${wrap(w, cols, r.text)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** docker's help width: the terminal's when stdin is one, else 80. */
function helpWidth(): number {
  if (!process.stdin.isTTY) return 80;
  return process.stdout.columns || process.stderr.columns || 80;
}

/**
 * pflag's usage wrapping (what docker's help does): `s` wrapped to `w` columns with later
 * lines indented by `i`, words never split, a short last word kept on the line (5 columns of
 * slop), the text's own line breaks kept.
 */
export function wrap(i: number, w: number, s: string): string {
  let width = w - i;
  let r = '';
  if (width < 24) {
    i = 16;
    width = w - i;
    r += `\n${' '.repeat(i)}`;
  }
  const indent = (t: string): string => t.split('\n').join(`\n${' '.repeat(i)}`);
  if (width < 24) return s.split('\n').join(r);
  const slop = 5;
  width -= slop;
  let [line, rest] = wrapN(width, slop, s);
  r += indent(line);
  while (rest !== '') {
    [line, rest] = wrapN(width, slop, rest);
    r += `\n${' '.repeat(i)}${indent(line)}`;
  }
  return r;
}

/** Splits `s` at the last blank within `i` columns (or `i + slop` if that ends it); a line break there first. */
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const blank = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (blank <= 0) {
    const next = s.search(/[ \t\n]/);
    if (next <= 0) return [s, ''];
    return [s.slice(0, next), s.slice(next + 1)];
  }
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < blank) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, blank), s.slice(blank + 1)];
}

/** One-line usage for error messages. */
export function usageLine(cmd: Command, path: string[]): string {
  return `Usage:  berth ${path.join(' ')} ${cmd.usage()}`.trimEnd();
}

function aliasesOf(path: string[]): string[] {
  const entry = COMMANDS.find((e) => (path.length === 1 ? e.top.includes(path[0]!) : e.group?.noun === path[0] && e.group.verbs.includes(path[1]!)));
  if (!entry) return [];
  return [...(entry.group ? entry.group.verbs.map((v) => `berth ${entry.group!.noun} ${v}`) : []), ...entry.top.map((t) => `berth ${t}`)];
}

/** `berth --help` / `berth container --help`. */
export function topHelp(noun?: string): string {
  const row = (name: string, summary: string): string => `  ${name.padEnd(11)} ${summary}`;
  if (noun) {
    // cobra lists a group's commands by name
    const rows = COMMANDS.filter((e) => e.group?.noun === noun)
      .sort((a, b) => (a.group!.verbs[0]! < b.group!.verbs[0]! ? -1 : 1))
      .map((e) => row(e.group!.verbs[0]!, e.summary));
    return `Usage:  berth ${noun} COMMAND\n\n${GROUPS[noun]}\n\nCommands:\n${rows.join('\n')}\n\nRun 'berth ${noun} COMMAND --help' for more information on a command.\n`;
  }
  const rows = COMMANDS.filter((e) => e.top.length).map((e) => row(e.top[0]!, e.summary));
  const groups = Object.entries(GROUPS).map(([n, s]) => row(n, s));
  return [
    'Usage:  berth [OPTIONS] COMMAND',
    '',
    'A self-sufficient runtime for containers',
    '',
    'Management Commands:',
    ...groups,
    '',
    'Commands:',
    ...rows,
    '',
    'Global Options:',
    '  -D, --debug              Enable debug mode',
    '  -H, --host list          Daemon socket to connect to',
    '  -l, --log-level string   Set the logging level ("debug", "info", "warn", "error", "fatal") (default "info")',
    '  -v, --version            Print version information and quit',
    '',
    "Run 'berth COMMAND --help' for more information on a command.",
    '',
  ].join('\n');
}
