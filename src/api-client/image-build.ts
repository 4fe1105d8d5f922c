import type { Readable } from 'node:stream';
import type { JSONMessage } from '../api/types.js';
import { CONTEXT_SESSION_PARAM } from '../api/context-sync.js';
import { jsonMessages } from './json-stream.js';
import type { Transport } from './transport.js';

/** `POST /build` options (the classic builder's query parameters). */
export interface ImageBuildOptions {
  tags?: string[];
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  labels?: Record<string, string>;
  quiet?: boolean;
  rm?: boolean;
  forceRm?: boolean;
  networkMode?: string;
  platform?: string;
  /** berth's extension: secret id -> absolute path of the file on the daemon's host. */
  secrets?: Record<string, string>;
  /** `host:ip` entries for the RUN containers' /etc/hosts. */
  extraHosts?: string[];
  cacheFrom?: string[];
  shmSize?: number;
  /** Resource options for the RUN containers (docker's names; sent as docker's client sends them). */
  memory?: number;
  memSwap?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  cgroupParent?: string;
  isolation?: string;
  ulimits?: { Name: string; Soft: number; Hard: number }[];
  /** berth's incremental context: the session from contextSync; the body is then the delta tar. */
  contextSession?: string;
}

/**
 * POST /build: the body is the context (a tar, or a bare Dockerfile); yields the progress
 * messages (`stream`, `aux` with the image ID, `errorDetail`).
 *
 * @example for await (const m of await imageBuild(t, tar, { tags: ['app'] })) process.stdout.write(m.stream ?? '');
 */
export async function imageBuild(t: Transport, context: Readable, opts: ImageBuildOptions = {}): Promise<AsyncGenerator<JSONMessage>> {
  const json = (v: object | undefined): string | undefined => (v && Object.keys(v).length ? JSON.stringify(v) : undefined);
  const res = await t.request('/build', {
    method: 'POST',
    body: context,
    headers: { 'Content-Type': 'application/x-tar' },
    query: {
      t: opts.tags ?? [],
      dockerfile: opts.dockerfile,
      buildargs: json(opts.buildArgs),
      target: opts.target,
      nocache: opts.noCache,
      pull: opts.pull,
      labels: json(opts.labels),
      q: opts.quiet,
      rm: opts.rm ?? true,
      forcerm: opts.forceRm,
      networkmode: opts.networkMode,
      platform: opts.platform,
      secrets: json(opts.secrets),
      extrahosts: opts.extraHosts?.length ? opts.extraHosts.join(',') : undefined,
      cachefrom: opts.cacheFrom?.length ? JSON.stringify(opts.cacheFrom) : undefined,
      shmsize: opts.shmSize,
      memory: opts.memory,
      memswap: opts.memSwap,
      cpushares: opts.cpuShares,
      cpuperiod: opts.cpuPeriod,
      cpuquota: opts.cpuQuota,
      cpusetcpus: opts.cpusetCpus,
      cpusetmems: opts.cpusetMems,
      cgroupparent: opts.cgroupParent,
      isolation: opts.isolation,
      ulimits: opts.ulimits?.length ? JSON.stringify(opts.ulimits) : undefined,
      [CONTEXT_SESSION_PARAM]: opts.contextSession,
    },
  });
  return jsonMessages(res);
}
