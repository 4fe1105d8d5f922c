import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { imageBuild } from '../../../api-client/image-build.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { contextTar } from './build-context.js';
import { TtyBuildRenderer } from './build-progress.js';

interface BuildFlags {
  tag: string[];
  file?: string;
  buildArg: string[];
  target?: string;
  cache: boolean;
  label: string[];
  quiet?: boolean;
  secret: string[];
  pull?: boolean;
  rm: boolean;
  forceRm?: boolean;
  network?: string;
  platform?: string;
  progress?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** `KEY=VALUE` list to a map; `KEY` alone takes the value from the environment, as docker does. */
function keyValues(list: string[], env = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i >= 0) out[kv.slice(0, i)] = kv.slice(i + 1);
    else if (env && process.env[kv] !== undefined) out[kv] = process.env[kv]!;
    else if (!env) out[kv] = '';
  }
  return out;
}

/** `--secret id=x,src=file` to `{ x: '/abs/file' }`. */
export function parseSecrets(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of list) {
    const f = new Map(raw.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i < 0 ? p.length : i), i < 0 ? '' : p.slice(i + 1)] as const;
    }));
    const id = f.get('id');
    const src = f.get('src') ?? f.get('source');
    if (!id || !src) throw new CliError(1, `invalid secret ${raw}: expected id=ID,src=FILE`);
    out[id] = resolve(src);
  }
  return out;
}

/** Go's units.HumanSize: 4 significant digits, decimal units (`2.048kB`). */
function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

/**
 * `berth build [OPTIONS] PATH | -`: sends the context like the docker CLI (classic builder)
 * and prints its output, berth's cache explanations included.
 */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('build')
    .description('Build an image from a Dockerfile')
    .usage('[OPTIONS] PATH | -')
    .argument('<path>')
    .option('-t, --tag <name:tag>', 'Name and optionally a tag in the "name:tag" format', collect, [])
    .option('-f, --file <string>', "Name of the Dockerfile (Default is 'PATH/Dockerfile'; '-' reads it from STDIN)")
    .option('--build-arg <KEY=VALUE>', 'Set build-time variables', collect, [])
    .option('--target <string>', 'Set the target build stage to build')
    .option('--no-cache', 'Do not use cache when building the image')
    .option('--label <KEY=VALUE>', 'Set metadata for an image', collect, [])
    .option('-q, --quiet', 'Suppress the build output and print image ID on success')
    .option('--secret <id=ID,src=FILE>', 'Secret to expose to the build (RUN --mount=type=secret)', collect, [])
    .option('--pull', 'Always attempt to pull a newer version of the image')
    .option('--rm', 'Remove intermediate containers after a successful build', true)
    .option('--no-rm', 'Keep intermediate containers')
    .option('--force-rm', 'Always remove intermediate containers')
    .option('--network <string>', 'Set the networking mode for the RUN instructions during build')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--progress <string>', 'Type of progress output: plain (the classic stream) or tty (one block per step, with timings)', 'plain')
    .action(async (path: string, o: BuildFlags) => {
      let body: Readable;
      let dockerfile: string | undefined;
      let sent: (() => number) | undefined;
      if (path === '-') {
        if (o.file === '-') throw new CliError(1, 'invalid argument: can\'t use stdin for both build context and dockerfile');
        body = Readable.from([await readAll(ctx.stdin)]);
        dockerfile = o.file;
      } else {
        const dir = resolve(path);
        let stdinDockerfile: Buffer | undefined;
        let name = 'Dockerfile';
        if (o.file === '-') stdinDockerfile = await readAll(ctx.stdin);
        else if (o.file) {
          const abs = isAbsolute(o.file) ? o.file : resolve(o.file);
          name = relative(dir, abs);
          if (name.startsWith('..')) {
            stdinDockerfile = await readFile(abs);
          }
        }
        const c = await contextTar(dir, name, stdinDockerfile);
        body = c.tar;
        dockerfile = c.dockerfile;
        sent = c.size;
      }
      const messages = await imageBuild(await ctx.transport(), body, {
        tags: o.tag,
        dockerfile,
        buildArgs: keyValues(o.buildArg, true),
        target: o.target,
        noCache: o.cache === false,
        pull: o.pull,
        labels: keyValues(o.label),
        quiet: o.quiet,
        rm: o.rm,
        forceRm: o.forceRm,
        networkMode: o.network,
        platform: o.platform,
        secrets: parseSecrets(o.secret),
      });
      if (!o.quiet && sent) ctx.out(`Sending build context to Docker daemon  ${humanSize(sent())}\n\n`);
      if (o.progress !== undefined && o.progress !== 'plain' && o.progress !== 'tty' && o.progress !== 'auto') {
        throw new CliError(1, `invalid progress type: ${o.progress} (plain, tty)`);
      }
      const tty = o.progress === 'tty' ? new TtyBuildRenderer((s) => ctx.out(s)) : undefined;
      const print = (s: string): void => (tty ? tty.write(s) : ctx.out(s));
      let id = '';
      try {
        for await (const m of messages) {
          if (m.errorDetail || m.error) throw new CliError(m.errorDetail?.code || 1, m.errorDetail?.message ?? m.error ?? 'build failed');
          if (m.aux && typeof m.aux === 'object' && 'ID' in m.aux) id = String((m.aux as { ID: unknown }).ID);
          if (m.stream !== undefined) {
            if (o.quiet) {
              if (/^sha256:[0-9a-f]{64}\n$/.test(m.stream)) id = m.stream.trim();
            } else print(m.stream);
          }
        }
      } finally {
        tty?.end();
      }
      if (o.quiet) ctx.out(`${id}\n`);
    });
}
