/**
 * `/etc/hosts` and `/etc/resolv.conf` as Docker writes them for each network mode (pure).
 */

const LOCAL_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** `--add-host name:ip` entries as hosts lines (`ip\tname`). */
function extraHostLines(extraHosts: readonly string[] | null | undefined): string[] {
  const lines: string[] = [];
  for (const e of extraHosts ?? []) {
    const i = e.indexOf(':');
    if (i > 0) lines.push(`${e.slice(i + 1)}\t${e.slice(0, i)}`);
  }
  return lines;
}

export interface HostsInput {
  hostname: string;
  domainname?: string;
  extraHosts?: readonly string[] | null;
  /** `ip\tnames` lines for --link targets. */
  links?: readonly string[];
  /** The container's own address on its first network (none: 127.0.1.1 is not written by Docker either). */
  ip?: string;
  /** host networking: the host's own /etc/hosts. */
  hostHosts?: string;
}

/** `/etc/hosts`: localhost entries, --add-host entries, links, then the container's own address. */
export function hostsFile(h: HostsInput): string {
  if (h.hostHosts !== undefined) return `${[h.hostHosts.trimEnd(), ...extraHostLines(h.extraHosts)].filter((l) => l !== '').join('\n')}\n`;
  const lines = [...LOCAL_HOSTS, ...extraHostLines(h.extraHosts), ...(h.links ?? [])];
  const names = h.domainname ? `${h.hostname}.${h.domainname} ${h.hostname}` : h.hostname;
  lines.push(`${h.ip ?? '127.0.1.1'}\t${names}`);
  return `${lines.join('\n')}\n`;
}

export interface ResolvInput {
  /** host: the host's file as is; bridge: the host's without loopback nameservers; embedded: the network's DNS; none: nothing inherited. */
  mode: 'host' | 'bridge' | 'embedded' | 'none';
  hostResolv: string;
  /** The embedded resolver's address (mode embedded). */
  embedded?: string;
  dns?: readonly string[] | null;
  dnsSearch?: readonly string[] | null;
  dnsOptions?: readonly string[] | null;
}

const LOOPBACK = /^(127\.|::1$|0:0:0:0:0:0:0:1$)/;

/** `/etc/resolv.conf` for a container. */
export function resolvConf(r: ResolvInput): string {
  const src = r.mode === 'none' ? [] : r.hostResolv.split('\n');
  const keep = (prefix: string): string[] => src.filter((l) => l.trim().startsWith(prefix));
  let ns: string[];
  if (r.mode === 'embedded') ns = [`nameserver ${r.embedded}`];
  else if (r.dns?.length) ns = r.dns.map((d) => `nameserver ${d}`);
  else if (r.mode === 'bridge') {
    ns = keep('nameserver').filter((l) => !LOOPBACK.test(l.trim().split(/\s+/)[1] ?? ''));
    if (ns.length === 0) ns = ['nameserver 8.8.8.8', 'nameserver 8.8.4.4'];
  } else ns = keep('nameserver');
  const search = r.dnsSearch?.length ? [`search ${r.dnsSearch.join(' ')}`] : keep('search');
  let opts = r.dnsOptions?.length ? [`options ${r.dnsOptions.join(' ')}`] : keep('options');
  if (r.mode === 'embedded' && !opts.some((o) => /\bndots:/.test(o))) opts = [...opts.map((o) => o), 'options ndots:0'];
  return [...search, ...ns, ...opts].join('\n') + '\n';
}

/** Nameservers of a resolv.conf text (the embedded resolver's upstreams). */
export function nameservers(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w[0] === 'nameserver' && w[1])
    .map((w) => w[1]);
}
