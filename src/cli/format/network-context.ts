import type { NetworkResource } from '../../api/types.js';
import { STRICT } from './go-template.js';
import { shortId } from './units.js';

/** Default `network ls` table. */
export const NETWORKS_TABLE = '{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** Column headers of `network ls`. */
export const NETWORKS_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

/**
 * The values `network ls --format` sees for one network, with docker's names; keys are in
 * the order `{{json .}}` prints them (Go sorts map keys).
 */
export function networkContext(n: NetworkResource & { EnableIPv4?: boolean }, opts: { trunc: boolean }): Record<string, unknown> {
  const labels = n.Labels ?? {};
  const ctx: Record<string, unknown> = {
    CreatedAt: goTimeText(n.Created),
    Driver: n.Driver,
    ID: opts.trunc ? shortId(n.Id) : n.Id,
    IPv4: String(!!n.EnableIPv4),
    IPv6: String(!!n.EnableIPv6),
    Internal: String(!!n.Internal),
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    Name: n.Name,
    Scope: n.Scope,
  };
  Object.defineProperty(ctx, 'Label', { value: (k: string) => labels[k] ?? '', enumerable: false });
  Object.defineProperty(ctx, STRICT, { value: true, enumerable: false });
  return ctx;
}

/**
 * Go's `time.Time.String()` for an RFC 3339 timestamp as the daemon sends it, keeping its
 * nanoseconds and zone: `2026-01-02T03:04:05.5Z` → `2026-01-02 03:04:05.5 +0000 UTC`.
 */
export function goTimeText(rfc3339: string | undefined): string {
  const m = /^(\d{4,}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(rfc3339 ?? '');
  if (!m) return '0001-01-01 00:00:00 +0000 UTC';
  const frac = (m[3] ?? '').slice(0, 9).replace(/0+$/, '');
  const zone = m[4] === 'Z' ? '+0000 UTC' : `${m[4]!.replace(':', '')} ${m[4]!.replace(':', '')}`;
  return `${m[1]} ${m[2]}${frac ? `.${frac}` : ''} ${zone}`;
}
