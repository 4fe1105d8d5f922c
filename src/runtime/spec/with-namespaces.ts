import { EngineError } from '../../shared/errors.js';
import type { OciNamespace } from './oci-types.js';
import type { SpecInput, SpecMutator } from './spec-input.js';

/**
 * Docker's namespaces: mount, network (unless host), uts, pid, ipc; cgroup only when
 * CgroupnsMode is 'private' (Docker's default on cgroup v1 is 'host').
 * `container:<id>` modes join the namespace given in input.nsPaths.
 */
export const withNamespaces: SpecMutator = (spec, input) => {
  const hc = input.hostConfig;
  const ns: OciNamespace[] = [{ type: 'mount' }];
  if (input.netns.mode === 'path') ns.push({ type: 'network', path: input.netns.path });
  else if (input.netns.mode === 'none') ns.push({ type: 'network' });
  pushMode(ns, 'uts', hc.UTSMode, input);
  pushMode(ns, 'pid', hc.PidMode, input);
  pushMode(ns, 'ipc', hc.IpcMode, input);
  const cgroupns = hc.CgroupnsMode ?? '';
  if (cgroupns === 'private') ns.push({ type: 'cgroup' });
  else if (cgroupns !== '' && cgroupns !== 'host') {
    throw new EngineError('invalid-argument', `invalid cgroup namespace mode: ${cgroupns}`);
  }
  spec.linux.namespaces = ns;
};

function pushMode(ns: OciNamespace[], type: 'uts' | 'pid' | 'ipc', mode: string | undefined, input: SpecInput): void {
  const m = mode ?? '';
  if (m === 'host') return;
  if (m.startsWith('container:')) {
    const path = input.nsPaths?.[type];
    if (!path) throw new EngineError('not-implemented', `${type} mode ${m} is not supported yet`);
    ns.push({ type, path });
    return;
  }
  const allowed = type === 'ipc' ? ['', 'private', 'shareable', 'none'] : type === 'pid' ? ['', 'private'] : [''];
  if (!allowed.includes(m)) throw new EngineError('invalid-argument', `${type === 'ipc' ? 'Invalid' : 'invalid'} ${type.toUpperCase()} mode: ${m}`);
  ns.push({ type });
}
