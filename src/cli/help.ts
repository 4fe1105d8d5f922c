import type { Command, Option } from 'commander';
import { COMMANDS, GROUPS } from './registry.js';

/** Docker-style help for one command. */
export function commandHelp(cmd: Command, path: string[]): string {
  const usage = `berth ${path.join(' ')} ${cmd.usage()}`.trimEnd();
  const lines = [`Usage:  ${usage}`, '', cmd.description()];
  const aliases = aliasesOf(path);
  if (aliases.length > 1) lines.push('', 'Aliases:', `  ${aliases.join(', ')}`);
  const all = cmd.options as readonly Option[];
  const opts = all.filter((o) => !o.hidden && (!o.negate || !all.some((p) => !p.negate && p.attributeName() === o.attributeName())));
  if (opts.length) {
    const terms = opts.map((o) => {
      const arg = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1];
      const long = `${o.long ?? ''}${arg ? ` ${arg}` : ''}`;
      return o.short ? `  ${o.short}, ${long}` : `      ${long}`;
    });
    const w = Math.max(...terms.map((t) => t.length)) + 3;
    lines.push('', 'Options:');
    opts.forEach((o, i) => {
      const shown = typeof o.defaultValue === 'string' ? JSON.stringify(o.defaultValue) : String(o.defaultValue);
      const def = o.defaultValue !== undefined && o.defaultValue !== false && !(Array.isArray(o.defaultValue) && o.defaultValue.length === 0) ? ` (default ${shown})` : '';
      lines.push(`${terms[i]!.padEnd(w)}${`${o.description}${def}`.split('\n').join(`\n${' '.repeat(w)}`)}`);
    });
    lines.push(`${'      --help'.padEnd(w)}Print usage`);
  }
  return `${lines.join('\n')}\n`;
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
