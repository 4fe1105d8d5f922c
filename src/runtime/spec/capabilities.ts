import { EngineError } from '../../shared/errors.js';

/** Every Linux capability, indexed by its kernel number (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Docker's default capability set, in Docker's order. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Capability names from a /proc/<pid>/status mask such as `CapBnd: 000001fffeffffff`. */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** 'net_admin' | 'CAP_NET_ADMIN' -> 'CAP_NET_ADMIN'; 'all' -> 'ALL'; unknown -> Docker's error. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL' || upper === 'CAP_ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full)) throw new EngineError('invalid-argument', `unknown capability: "${full}"`);
  return full;
}

/**
 * The effective capability list for a container, following Docker's rules:
 * privileged => all; CapAdd ALL => all minus drops; CapDrop ALL => only adds; else defaults - drops + adds.
 * `available` (the daemon's bounding set) caps what "all" means; an explicit add outside it is an error.
 */
export function tweakCapabilities(
  adds: readonly string[],
  drops: readonly string[],
  privileged: boolean,
  available: readonly string[] = ALL_CAPABILITIES,
): string[] {
  const all = ALL_CAPABILITIES.filter((c) => available.includes(c));
  if (privileged) return all;
  const capAdd = adds.map(normalizeCapability);
  const capDrop = drops.map(normalizeCapability);
  let caps: string[];
  if (capAdd.includes('ALL')) caps = all.filter((c) => !capDrop.includes(c));
  else if (capDrop.includes('ALL')) caps = [...capAdd];
  else caps = [...DEFAULT_CAPABILITIES.filter((c) => !capDrop.includes(c)), ...capAdd];
  const out = [...new Set(caps.filter((c) => c !== 'ALL'))];
  for (const c of out) {
    if (!available.includes(c)) {
      throw new EngineError('invalid-argument', `capability ${c} is not available: the daemon does not hold it on this host`);
    }
  }
  return out;
}
