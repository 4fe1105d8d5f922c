#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseGlobals, normalizeBoolFlags } from './argv.js';
import { CliError } from './cli-error.js';
import { type CliContext, processContext } from './context.js';
import { type CommandEntry, GROUPS, findCommand } from './registry.js';
import { BERTH_BUILD, BERTH_VERSION } from './version.js';

// The shebang (the same on dist/cli/berth.cjs, the installed bin) drops NODE_EXTRA_CA_CERTS:
// Node 20 parses that bundle at every start (~45 ms here) and the CLI never opens a TLS client
// connection (it talks to berthd over a unix socket; `login` and pulls reach registries
// through the daemon; `registry serve --tls*` is a server and reads no CA bundle).

/**
 * The `berth` entry point: parses global flags, imports only the invoked command's module,
 * runs it, and turns errors into docker's messages and exit codes.
 */
export async function main(argv: string[], ctx?: CliContext): Promise<number> {
  const g = parseGlobals(argv);
  const c = ctx ?? processContext(g.host, g.context);
  if (g.error) {
    c.err(`${g.error}\nSee 'berth --help'.\n`);
    return 125;
  }
  if (g.version) {
    c.out(`berth version ${BERTH_VERSION}, build ${BERTH_BUILD}\n`);
    return 0;
  }
  const [first, second] = g.rest;
  if (first === undefined || (first === 'help' && second === undefined)) {
    const { topHelp } = await import('./help.js');
    c.out(topHelp());
    return 0;
  }
  if (GROUPS[first] !== undefined && (second === undefined || second === '--help' || second === '-h')) {
    // `berth network` alone prints its help on stderr (docker's ShowHelp), `--help` on stdout.
    const { topHelp } = await import('./help.js');
    (second === undefined ? c.err : c.out)(topHelp(first));
    return 0;
  }
  if (GROUPS[first] !== undefined && second!.startsWith('-')) {
    const flag = second!.startsWith('--') ? `unknown flag: ${second}` : `unknown shorthand flag: '${second!.slice(1, 2)}' in ${second}`;
    c.err(`${flag}\n\nUsage:  berth ${first}\n\nRun 'berth ${first} --help' for more information\n`);
    return 125;
  }
  const found = findCommand(g.rest);
  if (!found) {
    if (GROUPS[first] !== undefined) c.err(`berth: unknown command: berth ${first} ${second}\n\nUsage:  berth ${first}\n\nRun 'berth ${first} --help' for more information\n`);
    else c.err(`berth: unknown command: berth ${first}\n\nRun 'berth --help' for more information\n`);
    return 1;
  }
  return runCommand(found.entry, found.path, g.rest.slice(found.path.length), c);
}

async function runCommand(entry: CommandEntry, path: string[], args: string[], ctx: CliContext): Promise<number> {
  const [{ Command, CommanderError }, mod, help, { indexOptionLookups }] = await Promise.all([import('commander'), entry.load(), import('./help.js'), import('./commander-index.js')]);
  indexOptionLookups(Command);
  const root = new Command('berth').enablePositionalOptions();
  let parent = root;
  if (path.length === 2) parent = root.command(path[0]!).enablePositionalOptions();
  const cmd = mod.register(parent, ctx);
  cmd.name(path[path.length - 1]!);
  for (const x of [root, parent, cmd]) {
    x.exitOverride();
    x.helpOption('--help', 'Print usage');
    x.configureOutput({ writeOut: (s) => ctx.out(s), writeErr: () => undefined });
  }
  cmd.helpInformation = () => help.commandHelp(cmd, path);
  const userArgs = [...path, ...normalizeBoolFlags(cmd, args)];
  try {
    await root.parseAsync(userArgs, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      const name = `berth ${path.join(' ')}`;
      const usage = help.usageLine(cmd, path);
      if (e.code === 'commander.missingArgument' || e.code === 'commander.excessArguments') {
        const { arityMessage, arityOf } = await import('./commands/arity.js');
        ctx.err(`${arityMessage(path.join(' '), cmd.usage(), arityOf(cmd))}\n`);
        return 1;
      }
      const msg = commanderMessage(e.message);
      ctx.err(`${msg}\n\n${usage}\n\nRun '${name} --help' for more information\n`);
      return 125;
    }
    return reportError(e, entry, path, ctx);
  }
}

function commanderMessage(m: string): string {
  const unknown = /unknown option '([^']+)'/.exec(m);
  if (unknown) {
    const f = unknown[1]!;
    return f.startsWith('--') ? `unknown flag: ${f}` : `unknown shorthand flag: '${f.slice(1, 2)}' in ${f}`;
  }
  const missing = /option '([^']+)' argument missing/.exec(m);
  if (missing) return `flag needs an argument: ${missing[1]!.split(/[ ,]/).pop()}`;
  return m.replace(/^error: /, '');
}

/** Maps an error to docker's stderr text and exit status. */
export async function reportError(e: unknown, entry: CommandEntry, path: string[], ctx: CliContext): Promise<number> {
  const { ApiError, ConnectionError } = await import('../api-client/api-error.js');
  let status = entry.runStyleErrors ? 125 : 1;
  let msg: string;
  if (e instanceof CliError) {
    status = e.status;
    msg = e.message;
  } else if (e instanceof ApiError) msg = `Error response from daemon: ${e.message}`;
  else if (e instanceof ConnectionError) msg = e.message;
  else msg = e instanceof Error ? e.message : String(e);
  if (msg) {
    if (entry.runStyleErrors && !(e instanceof CliError && e.status < 125)) {
      ctx.err(`berth: ${msg}\n\nRun 'berth ${path.join(' ')} --help' for more information\n`);
    } else ctx.err(`${msg}\n`);
  }
  return status;
}

async function flush(stream: NodeJS.WriteStream): Promise<void> {
  await new Promise<void>((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}

/** Runs the CLI for this process: `main(argv)`, flushes stdout/stderr, exits with the status. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const code = await main(argv);
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(code);
}

// `node dist/src/cli/main.js` (the unbundled build) runs itself; in the bundle import.meta.url
// still names dist/src/cli/main.js (scripts/build-cli.mjs), the script is the launcher, and
// bin.ts runs it.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) void run();
