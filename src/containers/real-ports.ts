import { mountAll, unmount, unmountAsync } from '../mount/index.js';
import {
  attach,
  runExec,
  SeccompBpfCache,
  isAlive,
  launch,
  readExitInfo,
  readLogBatches,
  rotateLogs,
  resize,
  startContainer,
  watchExit,
  type OciRuntime,
} from '../runtime/index.js';
import { availableParallelism } from 'node:os';
import { buildSpec, devicesAt, listHostDevices, probeHost, readRlimitNofile, resolveUser, validateHostConfig, type HostInfo } from '../runtime/spec/index.js';
import type { HostConfig } from '../api/types.js';
import type { MountPort, RuntimePort, SpecPort } from './ports.js';

/** The real OCI runtime + conmon monitor behind RuntimePort. */
export function runtimePort(runtime: OciRuntime, opts: { conmonPath?: string } = {}): RuntimePort {
  const bpf = runtime.name === 'crun' ? new SeccompBpfCache(runtime.root) : undefined;
  return {
    name: runtime.name,
    seccompAnnotate: (spec) => bpf?.annotate(spec),
    seccompLearn: async (key, id) => bpf?.learn(key, id),
    launch: (r) => launch({ ...r, runtime, conmonPath: opts.conmonPath }),
    start: (id) => startContainer(runtime, id),
    kill: (id, signal) => runtime.kill(id, signal),
    delete: (id) => runtime.delete(id, { force: true }),
    pause: (id) => runtime.pause(id),
    resume: (id) => runtime.resume(id),
    readExit: async (stateDir) => {
      const info = readExitInfo(stateDir);
      return info && { code: info.exitCode, finishedAt: info.finishedAt, oom: info.oomKilled };
    },
    watchExit: (stateDir, _id, onExit) => watchExit(stateDir, () => onExit()),
    isAlive: (pid) => isAlive(pid),
    attach: (stateDir, o) => attach(stateDir, o),
    exec: (r) =>
      runExec({ containerId: r.id, execId: r.execId, runtime, stateDir: r.stateDir, process: r.process, terminal: r.terminal, stdin: r.stdin, attach: r.attach, conmonPath: opts.conmonPath }),
    resize: async (stateDir, h, w) => resize(stateDir, h, w),
    update: (id, resources) => runtime.update(id, resources),
    rotateLogs: (r) => rotateLogs({ logPath: r.logPath, stateDir: r.stateDir, maxSize: r.maxSize, maxFiles: r.maxFiles, compress: r.compress, signal: r.stop, onError: r.onError }),
    readLog: (logPath, o) => {
      const until = o.stop
        ? new Promise<void>((r) => (o.stop!.aborted ? r() : o.stop!.addEventListener('abort', () => r(), { once: true })))
        : undefined;
      return readLogBatches(logPath, { follow: o.follow, since: o.since, until: o.until, tail: o.tail, timestamps: o.timestamps, stdout: o.stdout ?? true, stderr: o.stderr ?? true }, { until });
    },
  };
}

/** The daemon's own nofile limits and capabilities do not change while it runs: read them once. */
let nofile: ReturnType<typeof readRlimitNofile> | undefined;
let probed: Promise<HostInfo> | undefined;

/** Devices are looked up at every start, as dockerd does (they come and go). */
async function hostFacts(hc: HostConfig): Promise<HostInfo> {
  const info = await (probed ??= probeHost().catch(() => ({})));
  if (hc.Privileged) return { ...info, devices: await listHostDevices() };
  const wanted = [...new Set((hc.Devices ?? []).map((d) => d.PathOnHost))];
  const devices = (await Promise.all(wanted.map((p) => devicesAt(p)))).flat();
  return { ...info, devices };
}

/** buildSpec/resolveUser from src/runtime/spec. */
export const specPort: SpecPort = {
  resolveUser: (rootfs, user, groupAdd) => resolveUser(rootfs, user, groupAdd),
  build: (input) => buildSpec(input),
  rlimitNofile: () => (nofile ??= readRlimitNofile()),
  host: hostFacts,
  // the CPUs berthd may run on (dockerd: runtime.NumCPU); os.cpus() would read /proc/cpuinfo at every create
  validate: (h, config) => validateHostConfig(h, availableParallelism(), config),
};

/** src/mount. */
export const mountPort: MountPort = { mountAll, unmount, unmountAsync };
