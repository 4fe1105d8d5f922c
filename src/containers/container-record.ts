import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerConfig, ContainerStatus, HostConfig, EndpointSettings, Health } from '../api/types.js';
import { EngineError } from '../shared/errors.js';

/**
 * On-disk layout owned by this file (drawn once):
 * ```
 * <data-root>/containers/<id>/container.json   ContainerRecord (schemaVersion 1), atomic temp+rename;
 *                                              `mounts` (binds and volumes) and `state.health` were added
 *                                              later and are optional
 * <data-root>/containers/<id>/container.log    conmon's k8s-file log
 * <data-root>/containers/<id>/{hostname,hosts,resolv.conf}
 * <exec-root>/containers/<id>/                 monitor state dir (conmon.pid, exit, attach, ctl ...)
 * <exec-root>/containers/<id>/bundle/config.json, bundle/rootfs (overlay mount)
 * ```
 */
export const SCHEMA_VERSION = 1;

/** Zero time as Docker prints it. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Last known runtime state: changes over the container's life. */
export interface RuntimeStateRecord {
  status: ContainerStatus;
  pid: number;
  conmonPid: number;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  error: string;
  oomKilled: boolean;
  restartCount: number;
  /** Stopped by the user (stop/kill) — `unless-stopped` does not restart it on boot. */
  manuallyStopped: boolean;
  /** `State.Health` once a container with a healthcheck has been started (src/containers/health). */
  health?: Health;
}

/** The persisted container: immutable create config plus last runtime state. */
export interface ContainerRecord {
  schemaVersion: number;
  id: string;
  /** With leading slash: `/name`. The only create-time field that changes (rename). */
  name: string;
  created: string;
  /** Image id (`sha256:...`) and the reference the user gave. */
  image: { id: string; name: string };
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  networking: Record<string, EndpointSettings>;
  snapshotKey: string;
  runtime: string;
  platform: string;
  logPath: string;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  /** Binds, volumes and --mount tmpfs as resolved at create (absent in records made before volumes). */
  mounts?: MountPointRecord[];
  state: RuntimeStateRecord;
}

/** One mount of the container as decided at create (Docker's MountPoint). */
export interface MountPointRecord {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Volume name ('' for binds and tmpfs). */
  name: string;
  /** Host path: the bind source or the volume's data directory ('' for tmpfs). */
  source: string;
  destination: string;
  /** Volume driver ('' for binds and tmpfs). */
  driver: string;
  /** `-v` mode as written (`z` for a volume without one); '' for --mount and --volumes-from. */
  mode: string;
  rw: boolean;
  /** Binds: the requested propagation or `rprivate`; '' for volumes and tmpfs. */
  propagation: string;
  /** A volume the user named (`-v name:/x`, `--mount src=name`): `rm -v` keeps it. */
  named: boolean;
  /** A `-v` bind: a missing host directory is created at start. */
  createSource?: boolean;
  nonRecursive?: boolean;
}

/** Directories being deleted in the background are renamed to `<TRASH_PREFIX><id>`. */
const TRASH_PREFIX = '.removing-';

export function initialState(): RuntimeStateRecord {
  return {
    status: 'created',
    pid: 0,
    conmonPid: 0,
    exitCode: 0,
    startedAt: ZERO_TIME,
    finishedAt: ZERO_TIME,
    error: '',
    oomKilled: false,
    restartCount: 0,
    manuallyStopped: false,
  };
}

/** Paths of one container. */
export interface ContainerPaths {
  dir: string;
  record: string;
  log: string;
  hostname: string;
  hosts: string;
  resolvConf: string;
  stateDir: string;
  bundle: string;
  rootfs: string;
  /** A shareable-IPC container's /dev/shm, a tmpfs mounted on the host (joiners bind it too). */
  shm: string;
}

export function containerPaths(dataRoot: string, execRoot: string, id: string): ContainerPaths {
  const dir = join(dataRoot, 'containers', id);
  const stateDir = join(execRoot, 'containers', id);
  return {
    dir,
    record: join(dir, 'container.json'),
    log: join(dir, 'container.log'),
    hostname: join(dir, 'hostname'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    stateDir,
    bundle: join(stateDir, 'bundle'),
    rootfs: join(stateDir, 'bundle', 'rootfs'),
    shm: join(stateDir, 'shm'),
  };
}

/**
 * Reads and writes container records under `<data-root>/containers`.
 * Writes are atomic (unique temp file + rename), so a crash never leaves a torn record.
 */
export class RecordStore {
  constructor(readonly dataRoot: string, readonly execRoot: string) {}

  paths(id: string): ContainerPaths {
    return containerPaths(this.dataRoot, this.execRoot, id);
  }

  async write(rec: ContainerRecord): Promise<void> {
    const p = this.paths(rec.id);
    const tmp = `${p.record}.${randomBytes(4).toString('hex')}.tmp`;
    const data = JSON.stringify(rec, null, 1);
    try {
      // the dir exists but for the first write: make it only then (one threadpool trip less per save)
      await writeFile(tmp, data).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        await mkdir(p.dir, { recursive: true });
        await writeFile(tmp, data);
      });
      await rename(tmp, p.record);
    } catch (err) {
      await rm(tmp, { force: true });
      throw EngineError.wrap('internal', `failed to save container ${rec.id}`, err);
    }
  }

  /** All readable records; unreadable ones are reported through `onBad` and skipped. */
  async readAll(onBad: (id: string, err: unknown) => void = () => {}): Promise<ContainerRecord[]> {
    const root = join(this.dataRoot, 'containers');
    let ids: string[];
    try {
      ids = await readdir(root);
    } catch {
      return [];
    }
    const out: ContainerRecord[] = [];
    for (const id of ids) {
      if (id.startsWith(TRASH_PREFIX)) {
        void rm(join(root, id), { recursive: true, force: true }).catch(() => {});
        continue;
      }
      try {
        const rec = JSON.parse(await readFile(this.paths(id).record, 'utf8')) as ContainerRecord;
        if (rec.schemaVersion !== SCHEMA_VERSION) throw new Error(`unknown schema version ${rec.schemaVersion}`);
        out.push(rec);
      } catch (err) {
        onBad(id, err);
      }
    }
    return out;
  }

  /**
   * Removes the container's data and exec dirs: each is renamed aside at once (the record
   * disappears atomically) and deleted in the background; leftovers from a crash are
   * deleted by the next readAll().
   */
  async remove(id: string): Promise<void> {
    const p = this.paths(id);
    const pairs: [string, string][] = [
      [p.dir, join(this.dataRoot, 'containers', `${TRASH_PREFIX}${id}`)],
      [p.stateDir, join(this.execRoot, 'containers', `${TRASH_PREFIX}${id}`)],
    ];
    for (const [from, to] of pairs) {
      try {
        await rename(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        await rm(from, { recursive: true, force: true });
        continue;
      }
      void rm(to, { recursive: true, force: true }).catch(() => {});
    }
  }
}
