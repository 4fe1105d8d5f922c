import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiRequest, ping, type ApiResponse } from './api.js';
import { runCommand, waitFor, type RunOptions, type RunResult } from './exec.js';
import { killPids, pidAlive, pidsMentioning, removeTree, unmountAllUnder } from './host-cleanup.js';
import { BASE_IMAGE, BERTHD_JS, BERTH_JS, DOCKER_CLI, baseRootfsTar, dockerConfig } from './paths.js';

/** What teardown had to clean up by force (non-empty means berth leaked something). */
export interface LeakReport {
  pids: number[];
  mounts: string[];
}

/** Options for a private berthd. */
export interface BerthDaemonOptions {
  /** --default-runtime (crun|runc); default crun. */
  runtime?: string;
  /** Extra daemon arguments. */
  args?: string[];
}

/**
 * A private berthd for one test file: temp --data-root, --exec-root, socket and pidfile
 * under one mkdtemp dir, its log in `<root>/berthd.log`.
 * @example const d = new BerthDaemon(); await d.start(); await d.docker(['ps']); await d.teardown();
 */
export class BerthDaemon {
  readonly root: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  readonly pidfile: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly opts: BerthDaemonOptions = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
    this.dataRoot = join(this.root, 'data');
    this.execRoot = join(this.root, 'exec');
    this.socket = join(this.root, 'berth.sock');
    this.pidfile = join(this.root, 'berthd.pid');
    this.logFile = join(this.root, 'berthd.log');
  }

  /** PID of the running berthd, if any. */
  get pid(): number | undefined {
    return this.child?.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Start berthd and wait (up to 20 s) for /_ping; throws with the log tail when it does not come up. */
  async start(): Promise<void> {
    if (!existsSync(BERTHD_JS)) throw new Error(`berthd is not built: ${BERTHD_JS} missing (run npm run build)`);
    mkdirSync(this.dataRoot, { recursive: true });
    mkdirSync(this.execRoot, { recursive: true });
    const log = openSync(this.logFile, 'a');
    const args = [
      BERTHD_JS,
      '-H', `unix://${this.socket}`,
      '--data-root', this.dataRoot,
      '--exec-root', this.execRoot,
      '--pidfile', this.pidfile,
      '--default-runtime', this.opts.runtime ?? 'crun',
      ...(this.opts.args ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    let early = false;
    child.once('exit', () => (early = true));
    const up = await waitFor(async () => early || (await ping(this.socket, 1000)), 20_000, 100);
    if (!up || early) {
      const why = early ? `berthd exited (code ${child.exitCode}, signal ${child.signalCode})` : 'no /_ping answer in 20 s';
      await this.stop();
      throw new Error(`failed to start berthd: ${why}\n--- ${this.logFile} (tail) ---\n${this.logTail()}`);
    }
  }

  /** The last `lines` lines of berthd's log (for failure messages). */
  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM berthd by PID; SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => this.pid !== undefined && process.kill(pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL berthd (simulated crash); its containers' monitors keep running. */
  async kill9(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    process.kill(pid, 'SIGKILL');
    await this.exited;
  }

  /** The real docker CLI against this berthd. */
  docker(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return runCommand(DOCKER_CLI, args, { ...opts, env: { ...cliEnv(this.socket), ...opts.env } });
  }

  /** The berth CLI against this berthd (DOCKER_HOST points at its socket). */
  berth(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return runCommand(process.execPath, [BERTH_JS, ...args], { ...opts, env: { ...cliEnv(this.socket), ...opts.env } });
  }

  /** A raw Engine API request to this berthd. */
  api(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    return apiRequest(this.socket, method, path, body);
  }

  /**
   * Import busybox:latest from the shared rootfs tar with `berth import`; falls back to
   * `docker import` (and says so on stderr) so one CLI bug does not hide every daemon test.
   */
  async loadBaseImage(): Promise<void> {
    const tar = readFileSync(baseRootfsTar());
    const viaBerth = await this.berth(['import', '-c', 'CMD ["sh"]', '-', BASE_IMAGE], { input: tar, timeoutMs: 120_000 });
    if (viaBerth.code === 0) return;
    process.stderr.write(`[e2e] berth import failed (code ${viaBerth.code}): ${viaBerth.stderr.trim()}; trying docker import\n`);
    const viaDocker = await this.docker(['import', '-c', 'CMD ["sh"]', '-', BASE_IMAGE], { input: tar, timeoutMs: 120_000 });
    if (viaDocker.code !== 0) {
      throw new Error(`failed to load ${BASE_IMAGE} into berthd: ${viaDocker.stderr.trim()}\n--- berthd log ---\n${this.logTail()}`);
    }
  }

  /** Force-remove every container through the API (ignores errors; berthd must be up). */
  async removeAllContainers(): Promise<void> {
    if (this.pid === undefined) return;
    try {
      const list = await this.api('GET', '/containers/json?all=1');
      if (list.status !== 200) return;
      for (const c of list.json<Array<{ Id: string }>>()) {
        await this.api('DELETE', `/containers/${c.Id}?force=1&v=1`).catch(() => undefined);
      }
    } catch {
      /* daemon gone */
    }
  }

  /** Processes other than berthd that still mention this daemon's roots (leaked monitors). */
  strayPids(): number[] {
    const own = this.pid;
    return pidsMentioning(this.root).filter((p) => p !== own && pidAlive(p));
  }

  /**
   * Remove all containers, SIGTERM berthd, kill leftover processes by PID, unmount what
   * is left under the roots, delete the temp dir. Returns what had to be cleaned by force.
   */
  async teardown(): Promise<LeakReport> {
    await this.removeAllContainers();
    await this.stop();
    const pids = killPids(this.strayPids());
    const mounts = unmountAllUnder(this.root);
    if (pids.length || mounts.length) {
      process.stderr.write(`[e2e] teardown of ${this.root}: killed stray pids ${JSON.stringify(pids)}, unmounted ${JSON.stringify(mounts)}\n`);
    }
    if (process.env.BERTH_E2E_KEEP !== '1') removeTree(this.root);
    return { pids, mounts };
  }
}

/** Environment for a docker-compatible CLI pointed at `socket`. */
export function cliEnv(socket: string): Record<string, string | undefined> {
  return {
    DOCKER_HOST: `unix://${socket}`,
    DOCKER_CONFIG: dockerConfig(),
    DOCKER_CLI_HINTS: 'false',
    DOCKER_CONTEXT: undefined,
    DOCKER_TLS_VERIFY: undefined,
    DOCKER_CERT_PATH: undefined,
    DOCKER_API_VERSION: undefined,
  };
}
