import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ContainerConfig } from '../../api/types.js';
import { EngineError, invalid, notFound } from '../../shared/errors.js';
import type { BuildContext } from '../context/build-context.js';
import { parseDockerfile, toBuildPlan } from '../dockerfile/parser.js';
import { expandWord } from '../dockerfile/shell-words.js';
import type { Instruction, Stage } from '../dockerfile/types.js';
import { StageArgs, envMap } from './build-args.js';
import { BuildCache, type StepProbe } from './build-cache.js';
import { CacheFrom } from './cache-from.js';
import { copyLayer } from './copy-layer.js';
import { download, isUrl } from './download.js';
import { parseChmod, planCopy, resolveDest } from './copy-plan.js';
import { applyMetadata, isMetadata } from './metadata.js';
import type { BuildMount, BuildOutput, BuildPorts, CopyEntry } from './ports.js';
import { runMounts } from './run-mounts.js';
import { OrderedLanes, Semaphore } from './ordered-lanes.js';
import { ownerIds, parseOwner, type OwnerSpec } from './chown.js';
import { neededStages } from './needed-stages.js';
import { span } from '../../shared/trace-timing.js';

/** The `POST /build` options the dispatcher uses. */
export interface BuildOptions {
  tags?: string[];
  buildArgs?: Record<string, string | null>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  labels?: Record<string, string>;
  /** Remove step containers after a successful step (default true). */
  rm?: boolean;
  /** Always remove step containers, also after a failure. */
  forceRm?: boolean;
  quiet?: boolean;
  networkMode?: string;
  platform?: string;
  shmSize?: number;
  extraHosts?: string[];
  /** Secret id -> host file (RUN --mount=type=secret). */
  secrets?: Record<string, string>;
  /** Directory for persistent RUN --mount=type=cache dirs. */
  cacheMountRoot?: string;
  /** Images whose history serves as cache (`--cache-from`, the classic builder's semantics). */
  cacheFrom?: string[];
  /** COPY/ADD always through a step container, never as a layer written directly (tests compare the two). */
  forceContainerCopy?: boolean;
  signal?: AbortSignal;
}

/** A RUN that exited non-zero; the stream carries its code as Docker's does. */
export class BuildStepError extends EngineError {
  constructor(message: string, readonly code: number) {
    super('invalid-argument', message);
  }
}

/** Label every step container carries, so a crash's leftovers are found at the next boot. */
export const BUILD_LABEL = 'io.berth.build';

const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** Independent stages built at once. */
const STAGE_PARALLELISM = 3;
const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

interface StageState {
  image: string | null;
  config: ContainerConfig;
  args: StageArgs;
  cmdSet: boolean;
  author?: string;
  /** `<stage>:<instruction>` of the current step (for cache explanations). */
  slot?: string;
}

/**
 * Runs a Dockerfile against the services, writing the classic builder's progress stream.
 * Every RUN is an ordinary container (create, start, wait, commit, remove), every layer goes
 * through the image service; nothing is tagged unless the whole build succeeded.
 *
 * @example
 *   const id = await runBuild(ports, cache, ctx, { tags: ['app:latest'] }, out);
 */
export async function runBuild(ports: BuildPorts, cache: BuildCache, ctx: BuildContext, opts: BuildOptions, out: BuildOutput): Promise<string> {
  return new Builder(ports, cache, ctx, opts, out).run();
}

class Builder {
  private readonly buildId = randomBytes(6).toString('hex');
  private readonly usedArgs = new Set<string>();
  /** Stage name or index -> the stage's image, once built. */
  private readonly stageImages = new Map<string, Promise<string | null>>();
  private readonly lane = new AsyncLocalStorage<{ lane: number; step: number; stage: number }>();
  private readonly stageIndex = new Map<string, number>();
  private lanes: OrderedLanes | undefined;
  private failed: unknown;
  /** Which build this is, for cache explanations: the Dockerfile's path and the tags. */
  private readonly identity: string;
  private escape: '\\' | '`' = '\\';
  private step = 0;
  private total = 0;
  private readonly text: string;
  private containers = new Set<string>();
  /** Host copies made for `RUN --mount=type=bind,from=` (removed when the build ends). */
  private readonly scratch: string[] = [];
  /** The `--cache-from` candidates, resolved once when the first step asks. */
  private cacheFrom: Promise<CacheFrom | undefined> | undefined;

  constructor(
    private readonly ports: BuildPorts,
    private readonly cache: BuildCache,
    private readonly ctx: BuildContext,
    private readonly opts: BuildOptions,
    private readonly out: BuildOutput,
  ) {
    this.text = ctx.dockerfile.content;
    this.identity = `${ctx.dockerfile.path}|${[...(opts.tags ?? [])].sort().join(',')}`;
  }

  private say(s: string): void {
    const l = this.lane.getStore();
    if (l && this.lanes) this.lanes.write(l.lane, s);
    else this.out.stream(s);
  }

  private currentStep(): number {
    return this.lane.getStore()?.step ?? this.step;
  }

  /** `Step N/M : X` and its newline, as two messages like the classic builder. */
  private stepLine(original: string): void {
    if (this.failed) throw this.failed;
    if (this.opts.signal?.aborted) throw new EngineError('internal', 'the build was canceled: the client went away');
    const l = this.lane.getStore();
    const n = l ? ++l.step : ++this.step;
    this.say(`Step ${n}/${this.total} : ${original}`);
    this.say('\n');
  }

  async run(): Promise<string> {
    const parsed = parseDockerfile(this.text);
    this.escape = parsed.escape;
    const plan = toBuildPlan(parsed);
    let stages = plan.stages;
    if (this.opts.target) {
      const t = this.opts.target.toLowerCase();
      const i = stages.findIndex((s) => s.from.stageName === t);
      if (i < 0) throw invalid(`failed to reach build target ${this.opts.target} in Dockerfile`);
      stages = stages.slice(0, i + 1);
    }
    const needed = neededStages(stages);
    stages = stages.filter((s) => needed.has(s.index));
    this.total = plan.metaArgs.length + stages.reduce((n, s) => n + 1 + s.instructions.length, 0);
    const meta = new StageArgs(this.opts.buildArgs ?? {}, this.usedArgs);
    for (const a of plan.metaArgs) {
      for (const d of a.args) meta.declare(d.name, d.value === undefined ? undefined : expandWord(d.value, meta.values(), { escape: this.escape }));
      this.stepLine(a.original);
    }
    let last: string | null = null;
    try {
      last = await this.buildStages(stages, meta.values());
    } finally {
      await this.cleanup();
    }
    if (!last) throw invalid('No image was generated. Is your Dockerfile empty?');
    let final = last;
    if (this.opts.labels && Object.keys(this.opts.labels).length) {
      const img = await this.findImage(final);
      final = await this.ports.images.commit({
        parent: final,
        config: { ...img.config, Labels: { ...(img.config.Labels ?? {}), ...this.opts.labels } },
        createdBy: `/bin/sh -c #(nop)  LABEL ${Object.entries(this.opts.labels).map(([k, v]) => `${k}=${v}`).join(' ')}`,
      });
    }
    this.out.aux({ ID: final });
    const unused = Object.keys(this.opts.buildArgs ?? {}).filter((k) => !this.usedArgs.has(k)).sort();
    if (unused.length) this.say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    this.say(`Successfully built ${short(final)}\n`);
    for (const t of this.opts.tags ?? []) this.say(`Successfully tagged ${await this.ports.images.tag(final, t)}\n`);
    return final;
  }

  /**
   * Every needed stage at once (at most STAGE_PARALLELISM), each waiting only for the stages
   * it uses; the output is kept in stage order. The first failure stops the others at their
   * next step and is the build's error.
   */
  private async buildStages(stages: Stage[], meta: Record<string, string>): Promise<string | null> {
    const lanes = new OrderedLanes(stages.length, (t) => this.out.stream(t));
    this.lanes = lanes;
    const sem = new Semaphore(STAGE_PARALLELISM);
    let offset = this.step;
    const runs = stages.map((stage, k) => {
      const start = offset;
      offset += 1 + stage.instructions.length;
      const p = sem
        .run(() => this.lane.run({ lane: k, step: start, stage: stage.index }, () => this.buildStage(stage, meta)))
        .catch((err: unknown) => {
          this.failed ??= err;
          throw err;
        })
        .finally(() => lanes.finish(k));
      p.catch(() => undefined);
      this.stageImages.set(String(stage.index), p);
      this.stageIndex.set(String(stage.index), stage.index);
      if (stage.from.stageName) {
        this.stageImages.set(stage.from.stageName, p);
        this.stageIndex.set(stage.from.stageName, stage.index);
      }
      return p;
    });
    const settled = await Promise.allSettled(runs);
    // an enabled AsyncLocalStorage keeps Node's promise hooks on, for every promise of the
    // daemon, and stays listed for good: off again once the stages are done
    this.lane.disable();
    this.step = offset;
    this.lanes = undefined;
    if (this.failed) throw this.failed;
    const last = settled.at(-1);
    return last?.status === 'fulfilled' ? last.value : null;
  }

  private async findImage(ref: string): Promise<{ id: string; config: ContainerConfig }> {
    const img = await this.ports.images.find(ref);
    if (!img) throw notFound(`No such image: ${ref}`);
    return img;
  }

  private async buildStage(stage: Stage, metaValues: Record<string, string>): Promise<string | null> {
    const from = stage.from;
    this.stepLine(from.original);
    const ref = expandWord(from.image, metaValues, { escape: this.escape });
    const st: StageState = { image: null, config: {}, args: new StageArgs(this.opts.buildArgs ?? {}, this.usedArgs), cmdSet: false };
    let onbuild: string[] = [];
    if (this.stageImages.has(ref.toLowerCase())) {
      st.image = await this.stageImages.get(ref.toLowerCase())!;
      if (st.image) st.config = structuredClone((await this.findImage(st.image)).config);
    } else if (ref !== 'scratch') {
      let img = this.opts.pull ? undefined : await this.ports.images.find(ref);
      if (!img) {
        await this.ports.images.pull(ref, from.platform ?? this.opts.platform);
        img = await this.ports.images.find(ref);
        if (!img) throw notFound(`pull access denied for ${ref}, repository does not exist or may require 'docker login'`);
      }
      st.image = img.id;
      st.config = structuredClone(img.config);
      onbuild = st.config.OnBuild ?? [];
    }
    this.say(` ---> ${st.image ? short(st.image) : ''}\n`);
    if (onbuild.length) {
      this.say(`# Executing ${onbuild.length} build trigger${onbuild.length === 1 ? '' : 's'}\n`);
      st.config.OnBuild = null;
      const triggers = parseDockerfile(onbuild.join('\n')).instructions;
      for (const t of triggers) {
        if (t.kind === 'FROM' || t.kind === 'ONBUILD') throw invalid(`${t.kind} isn't allowed as an ONBUILD trigger`);
        await this.dispatch(st, t, metaValues);
      }
    }
    for (const [i, ins] of stage.instructions.entries()) {
      this.stepLine(ins.original);
      st.slot = `${this.identity}|${stage.index}:${i}`;
      await this.dispatch(st, ins, metaValues);
    }
    return st.image;
  }

  /** What `$VAR` sees in a step: the stage's args, overridden by its env. */
  private expansionEnv(st: StageState): string[] {
    const env = Object.entries(st.args.values()).map(([k, v]) => `${k}=${v}`);
    return [...env, ...(st.config.Env ?? [])];
  }

  private shell(st: StageState): string[] {
    return st.config.Shell && st.config.Shell.length ? st.config.Shell : DEFAULT_SHELL;
  }

  private async dispatch(st: StageState, ins: Exclude<Instruction, { kind: 'FROM' }>, meta: Record<string, string>): Promise<void> {
    const env = this.expansionEnv(st);
    const lex = { escape: this.escape };
    if (ins.kind === 'ARG') {
      const parts: string[] = [];
      for (const d of ins.args) {
        const dflt = d.value === undefined ? meta[d.name] : expandWord(d.value, env, lex);
        st.args.declare(d.name, dflt);
        parts.push(d.value === undefined ? d.name : `${d.name}=${d.value}`);
      }
      return this.metadataStep(st, st.config, `ARG ${parts.join(' ')}`, ins.original, env);
    }
    if (ins.kind === 'WORKDIR') {
      const raw = expandWord(ins.path, env, lex);
      const dir = raw.startsWith('/') ? raw : `${st.config.WorkingDir || '/'}/${raw}`;
      const norm = dir.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
      const config = { ...st.config, WorkingDir: norm };
      return this.layerStep(st, config, `#(nop) WORKDIR ${norm}`, ins.original, env, {}, async (id) => {
        await this.ports.containers.mkdir(id, norm);
      }, true);
    }
    if (ins.kind === 'RUN') return this.runStep(st, ins, env);
    if (ins.kind === 'COPY' || ins.kind === 'ADD') return this.copyStep(st, ins, env);
    if (isMetadata(ins)) {
      const r = applyMetadata(st.config, ins, this.shell(st), env, { cmdSet: st.cmdSet, escape: this.escape });
      if (ins.kind === 'CMD') st.cmdSet = true;
      if (r.maintainer !== undefined) st.author = r.maintainer;
      return this.metadataStep(st, r.config, r.comment, ins.original, env);
    }
  }

  private async resolveOwner(id: string, spec: OwnerSpec): Promise<{ uid: number; gid: number }> {
    const numeric = /^\d+$/.test(spec.user) && (spec.group === undefined || /^\d+$/.test(spec.group));
    if (numeric) return ownerIds(spec, '', '');
    const read = async (p: string): Promise<string> => (await this.ports.containers.readFile(id, p))?.toString('utf8') ?? '';
    return ownerIds(spec, await read('/etc/passwd'), await read('/etc/group'));
  }

  private probe(st: StageState, text: string, original: string, keyArgs: Record<string, string> = {}, files?: Record<string, string>): StepProbe {
    return { parent: st.image, text, original, keyArgs, args: st.args.values(), files, slot: st.slot };
  }

  /**
   * A cache hit prints `Using cache`; a miss says why (berth's addition) unless nocache.
   * With `--cache-from`, `config` is the step's resulting config (for an image restored
   * from a candidate's history).
   */
  private async tryCache(p: StepProbe, config?: ContainerConfig): Promise<string | undefined> {
    if (this.opts.noCache) return undefined;
    this.cacheFrom ??= CacheFrom.open(this.ports.images, this.opts.cacheFrom ?? []);
    const from = await this.cacheFrom;
    const hit = this.cache.lookup(p);
    const present = hit !== undefined && (await this.ports.images.exists(hit));
    if (present && (!from || (await from.allows(hit)))) {
      this.say(' ---> Using cache\n');
      return hit;
    }
    if (hit && !present) this.cache.forget(p);
    if (from && p.createdBy !== undefined && config) {
      const got = await from.match(p.parent, p.createdBy, config);
      if (got) {
        this.say(' ---> Using cache\n');
        return got;
      }
    }
    const why = this.cache.explainMiss(p);
    if (why) this.say(`${why}\n`);
    return undefined;
  }

  private async finishStep(st: StageState, p: StepProbe, image: string, config: ContainerConfig): Promise<void> {
    st.image = image;
    st.config = config;
    this.say(` ---> ${short(image)}\n`);
    await this.cache.record(p, image);
  }

  private async metadataStep(st: StageState, config: ContainerConfig, comment: string, original: string, _env: string[]): Promise<void> {
    const shell = config.Shell && config.Shell.length ? config.Shell : DEFAULT_SHELL;
    const cmd = [...shell, '#(nop) ', comment];
    const createdBy = cmd.join(' ');
    const p = { ...this.probe(st, createdBy, original), createdBy };
    const committed = { ...config, Image: st.image ?? '' };
    const hit = await this.tryCache(p, committed);
    if (hit) return this.finishStep(st, p, hit, (await this.findImage(hit)).config);
    if (st.image) {
      const id = await this.createContainer(st, { ...config, Cmd: cmd }, {});
      this.say(` ---> Running in ${short(id)}\n`);
      const image = await this.ports.images.commit({ parent: st.image, config: committed, containerConfig: { ...committed, Cmd: cmd }, createdBy });
      await this.removeContainer(id, true);
      return this.finishStep(st, p, image, committed);
    }
    const image = await this.ports.images.commit({ parent: null, config: committed, containerConfig: { ...committed, Cmd: cmd }, createdBy });
    return this.finishStep(st, p, image, committed);
  }

  /**
   * A step that makes one layer: through a step container (`work` writes into it, then it is
   * committed), or, when `direct` gives a layer tar, without one (the tar is committed on the
   * parent image as it is).
   */
  private async layerStep(st: StageState, config: ContainerConfig, comment: string, original: string, _env: string[], files: Record<string, string>, work: (id: string) => Promise<void>, announce = false, keyExtra = '', direct?: (parent: string) => Promise<Readable | undefined>): Promise<void> {
    const cmd = [...this.shell(st), comment];
    const createdBy = cmd.join(' ');
    const p: StepProbe = { ...this.probe(st, createdBy + keyExtra, original, {}, Object.keys(files).length ? files : undefined), ...(keyExtra === '' || keyExtra === '["",""]' ? { createdBy } : {}) };
    const hit = await this.tryCache(p, { ...config, Image: st.image ?? '' });
    if (hit) return this.finishStep(st, p, hit, (await this.findImage(hit)).config);
    if (!st.image) st.image = await this.ports.images.commit({ parent: null, config: {}, createdBy: '' });
    const committed = { ...config, Image: st.image };
    const t = span('build.layer', this.buildId);
    const layer = direct ? await direct(st.image) : undefined;
    t.mark('plan');
    if (layer) {
      const image = await this.ports.images.commit({ parent: st.image, config: committed, containerConfig: { ...committed, Cmd: cmd }, createdBy, layer });
      t.mark('commit');
      t.end();
      return this.finishStep(st, p, image, committed);
    }
    const id = await this.createContainer(st, { ...config, Cmd: cmd }, {});
    if (announce) this.say(` ---> Running in ${short(id)}\n`);
    try {
      await work(id);
      const image = await this.ports.containers.commit(id, { config: committed, containerConfig: { ...committed, Cmd: cmd }, createdBy });
      await this.removeContainer(id, announce);
      return this.finishStep(st, p, image, committed);
    } catch (err) {
      await this.removeContainer(id, false).catch(() => undefined);
      throw err;
    }
  }

  private async copyStep(st: StageState, ins: Extract<Instruction, { kind: 'COPY' | 'ADD' }>, env: string[]): Promise<void> {
    const lex = { escape: this.escape };
    const sources = ins.sources.map((s) => expandWord(s, env, lex));
    if (ins.kind === 'COPY' && ins.from !== undefined) return this.copyFromStep(st, ins, sources, env);
    const urls = sources.filter(isUrl);
    if (urls.length && ins.kind === 'COPY') throw invalid("COPY failed: source can't be a URL for COPY");
    // ADD <url>: fetched on every build (the cache is keyed on what came), mode 0600, never extracted
    const fetched = [];
    for (const u of urls) {
      fetched.push(await download(u, this.opts.signal).catch((err: unknown) => {
        throw EngineError.is(err) ? new EngineError(err.kind, `ADD failed: ${err.message}`) : err;
      }));
    }
    if (urls.length) this.say('\n');
    const dest = expandWord(ins.dest, env, lex);
    const chown = ins.chown ? parseOwner(expandWord(ins.chown, env, lex)) : undefined;
    const plan = await planCopy(this.ctx, {
      kind: ins.kind,
      sources: sources.filter((s) => !isUrl(s)),
      // a heredoc body gets variable expansion only: quotes and escapes stay as written
      inline: [
        ...ins.inline.map((d) => ({ name: d.name, content: d.expand ? expandWord(d.content, env, { ...lex, rawQuotes: true, rawEscapes: true }) : d.content })),
        ...fetched.map((f, i) => ({ name: f.name, content: f.content, mode: 0o600, mtime: f.mtime, key: urls[i]! })),
      ],
      dest,
      workdir: st.config.WorkingDir || '/',
      chmod: parseChmod(ins.chmod),
    });
    const comment = `#(nop) ${ins.kind} ${plan.summary}`;
    const keyExtra = JSON.stringify([ins.chown ?? '', ins.chmod ?? '']);
    const statPaths = this.ports.images.statPaths?.bind(this.ports.images);
    const numeric = !chown || (/^\d+$/.test(chown.user) && (chown.group === undefined || /^\d+$/.test(chown.group)));
    const direct = statPaths && numeric && !this.opts.forceContainerCopy
      ? async (parent: string) => {
        const owner = chown ? ownerIds(chown, '', '') : { uid: 0, gid: 0 };
        return copyLayer(plan.entries.map((e): CopyEntry => ({ ...e, ...owner })), plan.dirs, (paths) => statPaths(parent, paths));
      }
      : undefined;
    return this.layerStep(st, st.config, comment, ins.original, env, plan.files, async (id) => {
      const owner = chown ? await this.resolveOwner(id, chown) : { uid: 0, gid: 0 };
      await this.ports.containers.copyInto(id, plan.entries.map((e): CopyEntry => ({ ...e, ...owner })));
    }, false, keyExtra, direct);
  }

  /** A `--from` value: an earlier stage (name or index) or an image (pulled if missing). */
  private async imageOf(from: string, _env: string[]): Promise<string> {
    const current = this.lane.getStore()?.stage ?? Infinity;
    if ((this.stageIndex.get(from.toLowerCase()) ?? -1) >= current) {
      throw invalid(`invalid from flag value ${from}: refers to current build stage or a later one`);
    }
    const stage = this.stageImages.get(from.toLowerCase());
    let image: string | null | undefined = stage ? await stage : undefined;
    if (image === undefined) {
      if (/^\d+$/.test(from)) throw invalid(`invalid from flag value ${from}: refers to current build stage or a later one`);
      let img = await this.ports.images.find(from);
      if (!img) {
        await this.ports.images.pull(from, this.opts.platform);
        img = await this.ports.images.find(from);
      }
      if (!img) throw notFound(`No such image: ${from}`);
      image = img.id;
    }
    if (!image) throw invalid(`--from=${from}: the stage has no filesystem`);
    return image;
  }

  /** COPY --from=<stage name | index | image>: through a short-lived container of that image. */
  private async copyFromStep(st: StageState, ins: Extract<Instruction, { kind: 'COPY' }>, sources: string[], env: string[]): Promise<void> {
    const lex = { escape: this.escape };
    const from = expandWord(ins.from!, env, lex);
    const image = await this.imageOf(from, env);
    const dest = resolveDest(expandWord(ins.dest, env, lex), st.config.WorkingDir || '/');
    if (sources.length > 1 && !dest.isDir) throw invalid('When using COPY with more than one source file, the destination must be a directory and end with a /');
    const chown = ins.chown ? parseOwner(expandWord(ins.chown, env, lex)) : undefined;
    const chmod = parseChmod(ins.chmod);
    const comment = `#(nop) COPY from:${image.replace(/^sha256:/, '')}:${sources.join(',')} in ${expandWord(ins.dest, env, lex)} `;
    return this.layerStep(st, st.config, comment, ins.original, env, {}, async (id) =>
      this.ports.containers.copyFromImage(id, {
        image: image!,
        sources: sources.map((s) => (s.startsWith('/') ? s : `/${s}`)),
        dest: dest.path,
        destIsDir: dest.isDir || sources.length > 1,
        owner: chown ? await this.resolveOwner(id, chown) : undefined,
        chmod,
        name: `berth-build-${this.buildId}-${this.currentStep()}-from`,
        labels: { [BUILD_LABEL]: this.buildId },
      }),
    false, JSON.stringify([ins.chown ?? '', ins.chmod ?? '']));
  }

  private async runStep(st: StageState, ins: Extract<Instruction, { kind: 'RUN' }>, env0: string[]): Promise<void> {
    const shell = this.shell(st);
    let cmd: string[];
    if (ins.command.form === 'exec') cmd = [...ins.command.args];
    else if (ins.heredocs.length === 1 && /^\s*<<-?\s*["']?\w+["']?\s*$/.test(ins.command.command)) cmd = [...shell, ins.heredocs[0]!.content];
    else if (ins.heredocs.length) cmd = [...shell, `${ins.command.command}\n${ins.heredocs.map((h) => `${h.content}${h.name}\n`).join('')}`];
    else cmd = [...shell, ins.command.command];
    const env = envMap(st.config.Env);
    const args = st.args.values();
    const histArgs = Object.entries(args).filter(([k]) => !env.has(k)).map(([k, v]) => `${k}=${v}`).sort();
    const proxies = Object.entries(st.args.proxies()).map(([k, v]) => `${k}=${v}`);
    const createdCmd = histArgs.length ? [`|${histArgs.length}`, ...histArgs, ...cmd] : cmd;
    const mounts = await runMounts(ins.mounts, {
      secrets: this.opts.secrets ?? {},
      cacheRoot: this.opts.cacheMountRoot,
      ctx: this.ctx,
      fromImage: async (from, path) => {
        const image = await this.imageOf(from, env0);
        const dir = join(this.ctx.dir, `${randomBytes(8).toString('hex')}.mount`);
        this.scratch.push(dir);
        return this.ports.containers.exportPath(image, path.startsWith('/') ? path : `/${path}`, dir, {
          name: `berth-build-${this.buildId}-${this.currentStep()}-mount`,
          labels: { [BUILD_LABEL]: this.buildId },
        });
      },
    });
    const keyText = JSON.stringify([createdCmd, ins.mounts, ins.network ?? '']);
    const p: StepProbe = { ...this.probe(st, keyText, ins.original, Object.fromEntries(histArgs.map((kv) => kv.split(/=(.*)/s) as [string, string]))), ...(ins.mounts.length || ins.network ? {} : { createdBy: createdCmd.join(' ') }) };
    const hit = await this.tryCache(p, { ...st.config, Image: st.image ?? '' });
    if (hit) return this.finishStep(st, p, hit, (await this.findImage(hit)).config);
    if (!st.image) throw invalid('Please provide a source image with `from` prior to run');
    const runConfig: ContainerConfig = {
      ...st.config,
      Cmd: cmd,
      // [""] clears the image's ENTRYPOINT (null would inherit it), as Docker's builder does
      Entrypoint: [''],
      Env: [...(st.config.Env ?? []), ...histArgs, ...proxies],
    };
    const network = ins.network && ins.network !== 'default' ? ins.network : this.opts.networkMode;
    const t = span('build.run', this.buildId);
    const id = await this.createContainer(st, runConfig, { networkMode: network, mounts });
    t.mark('create');
    this.say(` ---> Running in ${short(id)}\n`);
    let code: number;
    try {
      code = await this.ports.containers.run(id, (b) => this.say(b.toString('utf8')), this.opts.signal);
      t.mark('run');
    } catch (err) {
      await this.removeContainer(id, false).catch(() => undefined);
      throw err;
    }
    if (code !== 0) {
      await this.removeContainer(id, false, true).catch(() => undefined);
      throw new BuildStepError(`The command '${cmd.join(' ')}' returned a non-zero code: ${code}`, code);
    }
    const committed = { ...st.config, Image: st.image };
    const image = await this.ports.containers.commit(id, { config: committed, containerConfig: { ...st.config, Cmd: createdCmd, Image: st.image }, createdBy: createdCmd.join(' '), mountStubs: mounts.map((m) => m.target) });
    t.mark('commit');
    await this.removeContainer(id, true);
    t.mark('remove');
    t.end();
    return this.finishStep(st, p, image, committed);
  }

  private async createContainer(st: StageState, config: ContainerConfig, extra: { networkMode?: string; mounts?: BuildMount[] }): Promise<string> {
    const id = await this.ports.containers.create({
      image: st.image!,
      config,
      name: `berth-build-${this.buildId}-${this.currentStep()}-${randomBytes(2).toString('hex')}`,
      labels: { [BUILD_LABEL]: this.buildId },
      networkMode: extra.networkMode,
      mounts: extra.mounts,
      extraHosts: this.opts.extraHosts,
      shmSize: this.opts.shmSize,
    });
    this.containers.add(id);
    return id;
  }

  /**
   * `rm` removes a step's container after it succeeded, `forcerm` after a failure too;
   * berth also removes a failed step's container under plain `rm` (no leftovers).
   */
  private async removeContainer(id: string, announce: boolean, failed = false): Promise<void> {
    const rm = this.opts.rm !== false || this.opts.forceRm === true;
    if (!rm && !(failed && this.opts.forceRm)) return;
    if (announce) this.say(`Removing intermediate container ${short(id)}\n`);
    await this.ports.containers.remove(id);
    this.containers.delete(id);
  }

  private async cleanup(): Promise<void> {
    for (const dir of this.scratch.splice(0)) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    if (this.opts.rm === false && !this.opts.forceRm) return;
    for (const id of this.containers) await this.ports.containers.remove(id).catch(() => undefined);
    this.containers.clear();
  }
}
