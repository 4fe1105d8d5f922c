import type { ContainerSummary } from '../../api/types.js';
import { STRICT } from './go-template.js';
import { ellipsis, goTimeString, humanDuration, humanSize, shortId } from './units.js';

/** Default `ps` table. */
export const PS_TABLE = '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
/** Default `ps -s` table. */
export const PS_TABLE_SIZE = `${PS_TABLE}\t{{.Size}}`;

/** Column headers of `ps`. */
export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
};

/**
 * The values `ps --format` sees for one container, with docker's field names and rendering
 * (`{{json .}}` gives the same keys as docker's).
 */
export function containerContext(c: ContainerSummary, opts: { trunc: boolean; now?: number }): Record<string, unknown> {
  const now = opts.now ?? Date.now();
  const labels = c.Labels ?? {};
  const ctx: Record<string, unknown> = {
    Command: JSON.stringify(opts.trunc ? ellipsis(c.Command ?? '', 20) : (c.Command ?? '')),
    get CreatedAt() { return goTimeString(c.Created); }, // lazy: Intl zone names cost ms off UTC
    ID: opts.trunc ? shortId(c.Id) : c.Id,
    Image: imageName(c.Image ?? '', opts.trunc),
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Mounts: (c.Mounts ?? []).map((m) => (m.Name ? (opts.trunc ? ellipsis(m.Name, 15) : m.Name) : m.Source)).join(','),
    Names: names(c.Names ?? [], opts.trunc),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: null,
    Ports: formatPorts(c.Ports ?? []),
    RunningFor: `${humanDuration(now - c.Created * 1000)} ago`,
    Size: sizeText(c),
    State: c.State,
    Status: c.Status,
  };
  Object.defineProperty(ctx, 'Label', { value: (k: string) => labels[k] ?? '', enumerable: false });
  Object.defineProperty(ctx, STRICT, { value: true, enumerable: false });
  return ctx;
}

function imageName(image: string, trunc: boolean): string {
  if (!trunc) return image;
  if (image.startsWith('sha256:')) return shortId(image);
  const at = image.indexOf('@');
  return at > 0 ? image.slice(0, at) : image;
}

function names(list: string[], trunc: boolean): string {
  const out: string[] = [];
  for (const n of list) {
    const parts = n.split('/');
    if (trunc && parts.length > 2) continue;
    out.push(n.replace(/^\//, ''));
  }
  return out.join(',');
}

function sizeText(c: ContainerSummary): string {
  if (c.SizeRw === undefined && c.SizeRootFs === undefined) return '0B';
  const rw = humanSize(c.SizeRw ?? 0);
  return c.SizeRootFs ? `${rw} (virtual ${humanSize(c.SizeRootFs)})` : rw;
}

/** docker's DisplayablePorts: private-port groups (ranges folded) first, then host mappings. */
export function formatPorts(ports: ContainerSummary['Ports']): string {
  const sorted = [...ports].sort(
    (i, j) => i.PrivatePort - j.PrivatePort || cmpStr(i.IP ?? '', j.IP ?? '') || (i.PublicPort ?? 0) - (j.PublicPort ?? 0) || cmpStr(i.Type, j.Type),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const p of sorted) {
    const current = p.PrivatePort;
    let key = p.Type;
    if (p.IP) {
      if ((p.PublicPort ?? 0) !== current) {
        const host = p.IP.includes(':') ? `[${p.IP}]` : p.IP;
        hostMappings.push(`${host}:${p.PublicPort ?? 0}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === g.last + 1) {
      g.last = current;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    g.first = current;
    g.last = current;
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

function formGroup(key: string, first: number, last: number): string {
  const i = key.lastIndexOf('/');
  const ip = i > 0 ? key.slice(0, i) : '';
  const type = i > 0 ? key.slice(i + 1) : key;
  let group = first === last ? String(first) : `${first}-${last}`;
  if (ip) group = `${ip}:${group}->${group}`;
  return `${group}/${type}`;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
