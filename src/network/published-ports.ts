import type { PortBinding } from '../api/types.js';
import { invalid } from '../shared/errors.js';
import type { PortMappingRecord } from './network-records.js';
import type { SandboxSpec } from './network-types.js';
import type { PortRequest } from './port-allocator.js';

type Proto = 'tcp' | 'udp' | 'sctp';

/** `80/tcp` → [80, 'tcp']. */
export function parsePortKey(key: string): [number, Proto] {
  const [p, proto = 'tcp'] = key.split('/');
  const n = Number(p);
  if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw invalid(`invalid port specification: "${p}"`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw invalid(`invalid proto: ${proto}`);
  return [n, proto];
}

/**
 * The host ports a container asks for: its PortBindings, plus an ephemeral port on every
 * address for each exposed port that has none when PublishAllPorts (-P) is set.
 */
export function publishedPorts(spec: Pick<SandboxSpec, 'portBindings' | 'exposedPorts' | 'publishAll'>): (PortRequest & { ctrPort: number })[] {
  const out: (PortRequest & { ctrPort: number })[] = [];
  const bound = new Set<string>();
  for (const [key, list] of Object.entries(spec.portBindings ?? {})) {
    const [ctrPort, proto] = parsePortKey(key);
    bound.add(`${ctrPort}/${proto}`);
    const bindings = list?.length ? list : spec.publishAll ? [{}] : [];
    for (const b of bindings) out.push({ proto, hostIp: normalizeHostIp(b.HostIp), hostPort: b.HostPort ?? '', ctrPort });
  }
  if (spec.publishAll) {
    for (const key of Object.keys(spec.exposedPorts ?? {})) {
      const [ctrPort, proto] = parsePortKey(key);
      if (!bound.has(`${ctrPort}/${proto}`)) out.push({ proto, hostIp: '', hostPort: '', ctrPort });
    }
  }
  return out;
}

function normalizeHostIp(ip: string | undefined): string {
  if (!ip || ip === '0.0.0.0') return '';
  if (ip === '::' || ip.includes(':')) throw invalid(`berth publishes IPv4 ports only: ${ip}`);
  return ip;
}

/** `NetworkSettings.Ports` and ps `Ports` (Docker sorts by private port, then type). */
export function portViews(
  held: PortMappingRecord[] | undefined,
  exposed: Record<string, object> | null | undefined,
  running: boolean,
): { ports: Record<string, PortBinding[] | null>; summaryPorts: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] } {
  const ports: Record<string, PortBinding[] | null> = {};
  const summaryPorts: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  if (!running) return { ports, summaryPorts };
  for (const key of Object.keys(exposed ?? {})) {
    const [n, proto] = safeKey(key);
    if (n) ports[`${n}/${proto}`] = null;
  }
  for (const h of held ?? []) {
    const key = `${h.ctrPort}/${h.proto}`;
    (ports[key] ??= []).push({ HostIp: h.hostIp, HostPort: String(h.hostPort) });
    summaryPorts.push({ IP: h.hostIp, PrivatePort: h.ctrPort, PublicPort: h.hostPort, Type: h.proto });
  }
  for (const [key, v] of Object.entries(ports)) {
    if (v !== null) continue;
    const [n, proto] = safeKey(key);
    summaryPorts.push({ PrivatePort: n, Type: proto });
  }
  return { ports, summaryPorts };
}

function safeKey(key: string): [number, string] {
  const [p, proto = 'tcp'] = key.split('/');
  return [Number(p) || 0, proto];
}
