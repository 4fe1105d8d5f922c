/**
 * End-to-end harness: every scenario runs against each target with the real docker CLI
 * as the client — `berth` (a private berthd per test file) always, and `docker` (the
 * oracle dockerd from scripts/oracle-docker.sh) when it answers. Scenarios assert the
 * same observable behaviour on both (nerdctl's `nerdtest.IsDocker()` idea).
 *
 * @example
 * forEachTarget('run', (t) => {
 *   test('echo', async () => {
 *     const r = await t().docker(['run', '--rm', 'busybox', 'echo', 'hello']);
 *     assert.equal(r.stdout, 'hello\n');
 *   });
 * });
 *
 * Environment: BERTH_E2E_TARGETS=berth,docker (which to run), BERTH_ORACLE_SOCK,
 * BERTH_E2E_ROOTFS (prebuilt busybox tar), BERTH_E2E_KEEP=1 (keep temp roots).
 */
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { apiRequest, ping, type ApiResponse } from './lib/api.js';
import { BerthDaemon, cliEnv, type BerthDaemonOptions } from './lib/berth-daemon.js';
import { runCommand, type RunOptions, type RunResult } from './lib/exec.js';
import { BASE_IMAGE, DOCKER_CLI, ORACLE_SOCKET, baseRootfsTar } from './lib/paths.js';

export { BerthDaemon, berthdTakesNetworkFlags } from './lib/berth-daemon.js';
export type { BerthNetworkOptions, LeakReport, NetworkLeftovers } from './lib/berth-daemon.js';
export { testHostAddress, testSubnet } from './lib/net-slots.js';
export { apiRequest, ping } from './lib/api.js';
export { runCommand, runInPty, sleep, waitFor } from './lib/exec.js';
export type { RunOptions, RunResult } from './lib/exec.js';
export type { ApiResponse } from './lib/api.js';
export { mountsUnder, pidAlive } from './lib/host-cleanup.js';
export { BASE_IMAGE, DOCKER_CLI, ORACLE_SOCKET, REPO_ROOT, baseRootfsTar } from './lib/paths.js';

/** Which engine a scenario runs against. */
export type TargetName = 'berth' | 'docker';

/** One engine under test, driven through the real docker CLI and the raw API. */
export interface Target {
  readonly name: TargetName;
  /** True for the Docker oracle (for the few places where berth may legitimately differ). */
  readonly isDocker: boolean;
  /** The engine's unix socket. */
  readonly socket: string;
  /** Run the official docker CLI with DOCKER_HOST set to this engine. */
  docker(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Raw Engine API request. */
  api(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** Environment that points a docker-compatible CLI at this engine (for pty runs). */
  env(): Record<string, string | undefined>;
  /** The private berthd (berth target only). */
  readonly daemon: BerthDaemon | undefined;
}

/** A target and, when it cannot run, why it is skipped. */
export interface TargetSpec {
  name: TargetName;
  skip?: string;
}

const wanted = new Set((process.env.BERTH_E2E_TARGETS ?? 'berth,docker').split(',').map((s) => s.trim()));
const oracleUp = wanted.has('docker') ? await ping(ORACLE_SOCKET, 3000) : false;

/** `berth` always, `docker` when the oracle daemon answers (otherwise marked skipped with the reason). */
export function targets(): TargetSpec[] {
  const specs: TargetSpec[] = [];
  specs.push(wanted.has('berth') ? { name: 'berth' } : { name: 'berth', skip: 'berth excluded by BERTH_E2E_TARGETS' });
  if (!wanted.has('docker')) specs.push({ name: 'docker', skip: 'Docker oracle excluded by BERTH_E2E_TARGETS' });
  else if (!oracleUp) {
    specs.push({
      name: 'docker',
      skip: `Docker oracle not running at ${ORACLE_SOCKET} (start it: scripts/oracle-docker.sh start; needs docker.io)`,
    });
  } else specs.push({ name: 'docker' });
  return specs;
}

let counter = 0;
/** A container/image name unique in this run: `<prefix>-<pid>-<n>`. */
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Options for {@link forEachTarget}. */
export interface ForEachTargetOptions {
  /** Restrict to these targets (e.g. ['berth'] for daemon-crash scenarios). */
  only?: TargetName[];
  /** Options for the private berthd. */
  daemon?: BerthDaemonOptions;
}

/**
 * Register `body` once per target inside `describe('<title> [<target>]')`, with the engine
 * started (berth) or checked (docker) in `before` and cleaned in `after`.
 */
export function forEachTarget(title: string, body: (target: () => Target) => void, opts: ForEachTargetOptions = {}): void {
  for (const spec of targets()) {
    if (opts.only && !opts.only.includes(spec.name)) continue;
    let current: Target | undefined;
    const get = (): Target => {
      if (!current) throw new Error(`${spec.name} target is not ready (its before hook failed; see above)`);
      return current;
    };
    if (spec.skip) {
      const reason = spec.skip;
      describe(`${title} [${spec.name}]`, () => {
        test(`all ${spec.name} scenarios skipped: ${reason}`, { skip: reason }, () => undefined);
      });
      continue;
    }
    describe(`${title} [${spec.name}]`, () => {
      before(async () => {
        current = spec.name === 'berth' ? await startBerth(opts.daemon) : await oracleTarget();
      }, { timeout: 180_000 });
      body(get);
      // registered after the body's own hooks, so those still see the target
      after(async () => {
        const t = current;
        current = undefined;
        if (!t) return;
        if (t.daemon) await t.daemon.teardown();
        else await resetOracle();
      }, { timeout: 120_000 });
    });
  }
}

async function startBerth(opts?: BerthDaemonOptions): Promise<Target> {
  const d = new BerthDaemon(opts);
  try {
    await d.start();
    await d.loadBaseImage();
  } catch (e) {
    await d.teardown().catch(() => undefined);
    throw e;
  }
  return {
    name: 'berth',
    isDocker: false,
    socket: d.socket,
    docker: (args, o) => d.docker(args, o),
    api: (m, p, b) => d.api(m, p, b),
    env: () => cliEnv(d.socket),
    daemon: d,
  };
}

function oracleDocker(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCommand(DOCKER_CLI, args, { ...opts, env: { ...cliEnv(ORACLE_SOCKET), ...opts.env } });
}

async function oracleTarget(): Promise<Target> {
  const has = await oracleDocker(['image', 'inspect', BASE_IMAGE]);
  if (has.code !== 0) {
    const r = await oracleDocker(['import', '-c', 'CMD ["sh"]', '-', BASE_IMAGE], { input: readFileSync(baseRootfsTar()) });
    if (r.code !== 0) throw new Error(`failed to load ${BASE_IMAGE} into the Docker oracle: ${r.stderr}`);
  }
  return {
    name: 'docker',
    isDocker: true,
    socket: ORACLE_SOCKET,
    docker: oracleDocker,
    api: (m, p, b) => apiRequest(ORACLE_SOCKET, m, p, b),
    env: () => cliEnv(ORACLE_SOCKET),
    daemon: undefined,
  };
}

/** Remove every container, user network, volume and image but busybox:latest from the oracle (it is private to the run). */
async function resetOracle(): Promise<void> {
  const api = (m: string, p: string) => apiRequest(ORACLE_SOCKET, m, p);
  const cs = await api('GET', '/containers/json?all=1');
  for (const c of cs.json<Array<{ Id: string }>>()) await api('DELETE', `/containers/${c.Id}?force=1&v=1`);
  await api('POST', '/networks/prune');
  const vs = await api('GET', '/volumes');
  for (const v of vs.json<{ Volumes: Array<{ Name: string }> | null }>().Volumes ?? []) await api('DELETE', `/volumes/${encodeURIComponent(v.Name)}?force=1`);
  const is = await api('GET', '/images/json?all=1');
  for (const img of is.json<Array<{ Id: string; RepoTags: string[] | null }>>()) {
    const tags = img.RepoTags ?? [];
    if (tags.includes(BASE_IMAGE)) {
      for (const tag of tags) if (tag !== BASE_IMAGE) await api('DELETE', `/images/${encodeURIComponent(tag)}`);
    } else {
      await api('DELETE', `/images/${img.Id}?force=1`);
    }
  }
}
