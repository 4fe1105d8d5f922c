import { EngineError } from '../../shared/errors.js';
import type { SpecMutator } from './spec-input.js';

const IPC_SYSCTLS = [
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax',
  'kernel.shmmni', 'kernel.shm_rmid_forced',
];

/**
 * HostConfig.Sysctls -> linux.sysctl. Only namespaced sysctls are allowed, and only when the
 * matching namespace is the container's own (IPC: kernel.* ipc keys and fs.mqueue.*;
 * network: net.*; UTS: kernel.domainname).
 */
export const withSysctls: SpecMutator = (spec, input) => {
  const hc = input.hostConfig;
  const sysctls = hc.Sysctls ?? {};
  const keys = Object.keys(sysctls);
  if (keys.length === 0) {
    delete spec.linux.sysctl;
    return;
  }
  for (const key of keys) {
    if (IPC_SYSCTLS.includes(key) || key.startsWith('fs.mqueue.')) {
      if (hc.IpcMode === 'host') throw new EngineError('invalid-argument', `sysctl '${key}' is not allowed in host IPC namespace`);
    } else if (key.startsWith('net.')) {
      if (input.netns.mode === 'host') throw new EngineError('invalid-argument', `sysctl '${key}' is not allowed in host network namespace`);
    } else if (key === 'kernel.domainname') {
      if (hc.UTSMode === 'host') throw new EngineError('invalid-argument', `sysctl '${key}' is not allowed in host UTS namespace`);
    } else {
      throw new EngineError('invalid-argument', `sysctl '${key}' is not allowed`);
    }
  }
  spec.linux.sysctl = { ...sysctls };
};
