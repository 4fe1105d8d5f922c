import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiRequest, ping, type ApiResponse } from './api.js';
import { runCommand, waitFor, type RunOptions, type RunResult } from './exec.js';
import { killPids, pidAlive, pidsMentioning, removeTree, unmountAllUnder } from './host-cleanup.js';
import { deleteLink, deleteNetns, deleteNftTable, linkExists, linksWithMaster, nftTableExists } from './host-net.js';
import { claimSlot, type Slot } from './net-slots.js';
import { BASE_IMAGE, BERTHD_JS, BERTH_JS, DOCKER_CLI, baseRootfsTar, dockerConfig } from './paths.js';

/**
 * What teardown had to clean up by force. Non-empty `pids`, `mounts`, `netns`, `veths` or
 * `bridges` means berth leaked something: teardown removes every container and user network
 * through the API and stops berthd cleanly first, after which none of these may remain.
 */
export interface LeakReport {
  pids: number[];
  mounts: string[];
  /** /run/netns/berth-<id> entries of this daemon's containers. */
  netns: string[];
  /** Interfaces (container veths) still enslaved to one of this daemon's bridges. */
  veths: string[];
  /** Bridges of user networks that outlived `network rm`. */
  bridges: string[];
  /**
   * Not leaks (berth keeps its default bridge and its nftables tables across a clean stop,
   * as dockerd keeps docker0): what teardown deleted so the host is as before.
   */
  removed: { bridges: string[]; nftTables: string[] };
}

/** Network state a berthd left on the host (see {@link BerthDaemon.networkLeftovers}). */
export interface NetworkLeftovers {
  netns: string[];
  veths: string[];
  bridges: string[];
  /** Its default bridge still exists. */
  defaultBridge: boolean;
  /** Its nftables tables (family ip) that exist. */
  nftTables: string[];
}

/** Network settings of a private berthd (dockerd's flags). Unset fields get unique defaults. */
export interface BerthNetworkOptions {
  /** --bridge: its default bridge (<= 15 chars). Default `bt<pid>x<n>`. */
  bridge?: string;
  /** --bip: gateway address/prefix of the default bridge. Default 10.253.<slot>.1/24. */
  bip?: string;
  /** --default-address-pool values. Default ['base=10.254.<16*slot>.0/20,size=24']. */
  pools?: string[];
  /** --dns (repeatable). Default none. */
  dns?: string[];
  /** --iptables=false when false. */
  iptables?: boolean;
  /** --ip-forward=false when false. */
  ipForward?: boolean;
}

/** Options for a private berthd. */
export interface BerthDaemonOptions {
  /** --default-runtime (crun|runc); default crun. */
  runtime?: string;
  /** Extra daemon arguments. */
  args?: string[];
  /** Network settings; each daemon gets its own bridge, bip and pool by default. */
  network?: BerthNetworkOptions;
  /** Working directory of berthd (default: the test's). */
  cwd?: string;
}

let daemonCounter = 0;
let netFlagsSupported: boolean | undefined;

/**
 * True when this berthd build takes dockerd's network flags (`--bridge` in its --help).
 * BERTH_E2E_NET_FLAGS=1|0 forces the answer. Until then the harness passes none, so the
 * rest of the suite keeps running against a berthd without bridge networking.
 */
export function berthdTakesNetworkFlags(): boolean {
  const forced = process.env.BERTH_E2E_NET_FLAGS;
  if (forced === '1' || forced === '0') return forced === '1';
  if (netFlagsSupported === undefined) {
    const r = spawnSync(process.execPath, [BERTHD_JS, '--help'], { encoding: 'utf8', timeout: 20_000 });
    netFlagsSupported = /--bridge\b/.test(`${r.stdout}${r.stderr}`);
  }
  return netFlagsSupported;
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
  /** Its default bridge (`--bridge`). */
  readonly bridge: string;
  /** Its default bridge's gateway address/prefix (`--bip`). */
  readonly bip: string;
  /** Its `--default-address-pool` values. */
  readonly pools: string[];
  /** Its nftables table (family `ip`): `berth` for bridge berth0, else `berth-<bridge>`; the admin's is `<table>-user`. */
  readonly nftTable: string;
  private readonly slot: Slot;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Container IDs seen under the data root (their netns are checked at teardown). */
  private readonly containerIds = new Set<string>();
  /** Bridges of user networks seen through the API. */
  private readonly networkBridges = new Set<string>();

  constructor(private readonly opts: BerthDaemonOptions = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
    this.dataRoot = join(this.root, 'data');
    this.execRoot = join(this.root, 'exec');
    this.socket = join(this.root, 'berth.sock');
    this.pidfile = join(this.root, 'berthd.pid');
    this.logFile = join(this.root, 'berthd.log');
    this.slot = claimSlot('daemon');
    daemonCounter += 1;
    const net = opts.network ?? {};
    this.bridge = net.bridge ?? `bt${process.pid}x${daemonCounter}`;
    if (this.bridge.length > 15) throw new Error(`bridge name longer than 15 characters: ${this.bridge}`);
    this.bip = net.bip ?? `10.253.${this.slot.index}.1/24`;
    this.pools = net.pools ?? [`base=10.254.${this.slot.index * 16}.0/20,size=24`];
    this.nftTable = this.bridge === 'berth0' ? 'berth' : `berth-${this.bridge}`;
  }

  /** The daemon's network flags (empty when this berthd build does not take them yet). */
  networkArgs(): string[] {
    if (!berthdTakesNetworkFlags()) return [];
    const net = this.opts.network ?? {};
    const args = ['--bridge', this.bridge, '--bip', this.bip];
    for (const p of this.pools) args.push('--default-address-pool', p);
    for (const d of net.dns ?? []) args.push('--dns', d);
    if (net.iptables === false) args.push('--iptables=false');
    if (net.ipForward === false) args.push('--ip-forward=false');
    return args;
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
      ...this.networkArgs(),
      ...(this.opts.args ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', log, log], detached: true, cwd: this.opts.cwd });
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
    this.noteContainers();
    if (this.pid === undefined) return;
    try {
      const list = await this.api('GET', '/containers/json?all=1');
      if (list.status !== 200) return;
      for (const c of list.json<Array<{ Id: string }>>()) {
        this.containerIds.add(c.Id);
        await this.api('DELETE', `/containers/${c.Id}?force=1&v=1`).catch(() => undefined);
      }
    } catch {
      /* daemon gone */
    }
  }

  /** Remove every user-defined network through the API, remembering their bridges (berthd must be up). */
  async removeAllNetworks(): Promise<void> {
    if (this.pid === undefined) return;
    try {
      const list = await this.api('GET', '/networks');
      if (list.status !== 200) return;
      for (const n of list.json<Array<{ Id: string; Name: string; Driver: string; Options?: Record<string, string> | null }>>()) {
        if (['bridge', 'host', 'none'].includes(n.Name)) continue;
        if (n.Driver === 'bridge') this.networkBridges.add(n.Options?.['com.docker.network.bridge.name'] || `br-${n.Id.slice(0, 12)}`);
        await this.api('DELETE', `/networks/${n.Id}`).catch(() => undefined);
      }
    } catch {
      /* daemon gone */
    }
  }

  /** Remember the IDs of the containers under the data root now (for the netns check at teardown). */
  noteContainers(): void {
    try {
      for (const id of readdirSync(join(this.dataRoot, 'containers'))) if (/^[0-9a-f]{64}$/.test(id)) this.containerIds.add(id);
    } catch {
      /* no containers dir yet */
    }
  }

  /**
   * The network state this daemon left on the host: netns of its containers, veths on its
   * bridges, bridges of its user networks (all leaks once containers and networks are
   * removed and berthd is stopped), plus its default bridge and nft tables.
   */
  networkLeftovers(): NetworkLeftovers {
    this.noteContainers();
    const netns = [...this.containerIds].map((id) => `berth-${id}`).filter((n) => existsSync(`/run/netns/${n}`));
    const bridges = [...this.networkBridges].filter((b) => linkExists(b));
    const veths = linksWithMaster([this.bridge, ...bridges]);
    const nftTables = [this.nftTable, `${this.nftTable}-user`].filter((t) => nftTableExists('ip', t));
    return { netns, veths, bridges, defaultBridge: linkExists(this.bridge), nftTables };
  }

  /** Delete what {@link networkLeftovers} lists (the daemon must be stopped). */
  private cleanNetwork(): NetworkLeftovers {
    const left = this.networkLeftovers();
    for (const n of left.netns) deleteNetns(n);
    for (const v of left.veths) deleteLink(v);
    for (const b of left.bridges) deleteLink(b);
    if (left.defaultBridge) deleteLink(this.bridge);
    for (const t of left.nftTables) deleteNftTable('ip', t);
    return left;
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
    await this.removeAllNetworks();
    await this.stop();
    const pids = killPids(this.strayPids());
    const mounts = unmountAllUnder(this.root);
    const net = this.cleanNetwork();
    const report: LeakReport = {
      pids,
      mounts,
      netns: net.netns,
      veths: net.veths,
      bridges: net.bridges,
      removed: { bridges: net.defaultBridge ? [this.bridge] : [], nftTables: net.nftTables },
    };
    if (pids.length || mounts.length || net.netns.length || net.veths.length || net.bridges.length) {
      const { removed: _r, ...leaks } = report;
      process.stderr.write(`[e2e] teardown of ${this.root} cleaned up by force: ${JSON.stringify(leaks)}\n`);
    }
    this.slot.release();
    if (process.env.BERTH_E2E_KEEP !== '1') removeTree(this.root);
    return report;
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
