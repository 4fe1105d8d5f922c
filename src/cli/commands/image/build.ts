import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createGzip } from 'node:zlib';
import { isAbsolute, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import { imageBuild, type ImageBuildOptions } from '../../../api-client/image-build.js';
import { contextSync } from '../../../api-client/context-sync.js';
import { ApiError } from '../../../api-client/api-error.js';
import type { Transport } from '../../../api-client/transport.js';
import type { JSONMessage } from '../../../api/types.js';
import type { ContextSyncResponse } from '../../../api/context-sync.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { contextId, manifestOf, packContext, planContext, type ContextPlan } from './build-context.js';
import { TtyBuildRenderer } from './build-progress.js';
import { int } from '../../argv.js';
import { parseRamBytes } from '../../format/units.js';
import { shownDefault } from '../../help-default.js';
import { validateExtraHost } from '../../opts/validators.js';
import { parseUlimit } from '../container/create-flags.js';

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
  iidfile?: string;
  addHost: string[];
  cacheFrom: string[];
  shmSize?: string;
  memory?: string;
  memorySwap?: string;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  cgroupParent?: string;
  isolation?: string;
  ulimit: string[];
  compress?: boolean;
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
 * berth's incremental context, step 1: the manifest's digest alone (enough when nothing changed
 * since berthd's last build of this directory), else the manifest. Undefined: the engine has no
 * such route (send the whole tar).
 */
async function syncContext(t: Transport, id: string, plan: ContextPlan): Promise<{ session: string; need: number[] } | undefined> {
  const entries = JSON.stringify(manifestOf(plan));
  const digest = `sha256:${createHash('sha256').update(entries).digest('hex')}`;
  // a berthd that predates the digest answers 400: send the manifest then
  let r: ContextSyncResponse | undefined = await contextSync(t, { id, digest }).catch((err: unknown) => {
    if (ApiError.is(err, 400)) return {};
    throw err;
  });
  if (r && !r.session) r = await contextSync(t, { json: `{"id":${JSON.stringify(id)},"entries":${entries}}` });
  return r?.session ? { session: r.session, need: r.need ?? [] } : undefined;
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
    .option('-t, --tag <list>', 'Name and optionally a tag in the "name:tag" format', collect, [])
    .option('-f, --file <string>', 'Name of the Dockerfile (Default is "PATH/Dockerfile")')
    .option('--build-arg <list>', 'Set build-time variables', collect, [])
    .option('--target <string>', 'Set the target build stage to build.')
    .option('--no-cache', 'Do not use cache when building the image')
    .option('--label <list>', 'Set metadata for an image', collect, [])
    .option('-q, --quiet', 'Suppress the build output and print image ID on success')
    .option('--secret <id=ID,src=FILE>', 'Secret to expose to the build (RUN --mount=type=secret)', collect, [])
    .option('--pull', 'Always attempt to pull a newer version of the image')
    .option('--rm', 'Remove intermediate containers after a successful build', true)
    .option('--no-rm', 'Keep intermediate containers')
    .option('--force-rm', 'Always remove intermediate containers')
    .addOption(shownDefault(new Option('--network <string>', 'Set the networking mode for the RUN instructions during build'), '"default"'))
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--progress <string>', 'Type of progress output: plain (the classic stream) or tty (one block per step, with timings)', 'plain')
    .option('--add-host <list>', 'Add a custom host-to-IP mapping ("host:ip")', (v: string, prev: string[]) => [...prev, validateExtraHost(v)], [])
    .option('--cache-from <strings>', 'Images to consider as cache sources', (v: string, prev: string[]) => [...prev, ...v.split(',')], [])
    .option('--cgroup-parent <string>', 'Set the parent cgroup for the "RUN" instructions during build')
    .option('--compress', 'Compress the build context using gzip')
    .option('--cpu-period <int>', 'Limit the CPU CFS (Completely Fair Scheduler) period', int)
    .option('--cpu-quota <int>', 'Limit the CPU CFS (Completely Fair Scheduler) quota', int)
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)', int)
    .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
    .option('--disable-content-trust', 'Skip image verification', true)
    .option('--iidfile <string>', 'Write the image ID to the file')
    .option('--isolation <string>', 'Container isolation technology')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-swap <bytes>', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap')
    .option('--security-opt <strings>', 'Security options')
    .option('--shm-size <bytes>', 'Size of "/dev/shm"')
    .addOption(shownDefault(new Option('--ulimit <ulimit>', 'Ulimit options').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]).default([]), '[]'))
    .action(async (path: string, o: BuildFlags) => {
      // docker drops an old image ID file first, so a failed build leaves none
      if (o.iidfile) await rm(o.iidfile, { force: true });
      let body: Readable;
      let dockerfile: string | undefined;
      let sent: (() => number) | undefined;
      let plan: ContextPlan | undefined;
      let session: string | undefined;
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
        plan = planContext(dir, name, stdinDockerfile);
        dockerfile = plan.dockerfile;
        // berth's incremental context: only files berthd does not hold unchanged (BERTH_BUILD_CONTEXT=tar: always the whole tar)
        const sync = o.compress || process.env.BERTH_BUILD_CONTEXT === 'tar' ? undefined : await syncContext(await ctx.transport(), contextId(dir), plan);
        session = sync?.session;
        const c = packContext(plan, sync?.need);
        body = o.compress ? c.tar.pipe(createGzip()) : c.tar;
        sent = c.size;
      }
      const options: ImageBuildOptions = {
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
        extraHosts: o.addHost,
        cacheFrom: o.cacheFrom,
        shmSize: o.shmSize ? parseRamBytes(o.shmSize) : undefined,
        memory: o.memory ? parseRamBytes(o.memory) : undefined,
        memSwap: o.memorySwap === undefined ? undefined : o.memorySwap === '-1' ? -1 : parseRamBytes(o.memorySwap),
        cpuShares: o.cpuShares,
        cpuPeriod: o.cpuPeriod,
        cpuQuota: o.cpuQuota,
        cpusetCpus: o.cpusetCpus,
        cpusetMems: o.cpusetMems,
        cgroupParent: o.cgroupParent,
        isolation: o.isolation,
        ulimits: o.ulimit.map(parseUlimit),
      };
      let messages: AsyncGenerator<JSONMessage>;
      try {
        messages = await imageBuild(await ctx.transport(), body, { ...options, contextSession: session });
      } catch (err) {
        // the session expired or berthd restarted in between: the whole context, as the docker CLI sends it
        if (!session || !plan || !ApiError.is(err, 409)) throw err;
        const c = packContext(plan);
        sent = c.size;
        messages = await imageBuild(await ctx.transport(), c.tar, options);
      }
      if (!o.quiet && sent) ctx.out(`Sending build context to Docker daemon  ${humanSize(sent())}\n\n`);
      if (o.progress !== undefined && o.progress !== 'plain' && o.progress !== 'tty' && o.progress !== 'auto') {
        throw new CliError(1, `invalid progress type: ${o.progress} (plain, tty)`);
      }
      const tty = o.progress === 'tty' ? new TtyBuildRenderer((s) => ctx.out(s), Date.now, ctx.stdout.isTTY === true) : undefined;
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
      if (o.iidfile && id) await writeFile(o.iidfile, id);
    });
}
