/** Where the daemon listens. */
export type DaemonHost =
  | { kind: 'unix'; socketPath: string; url: string }
  | { kind: 'tcp'; host: string; port: number; url: string };

/** berth's default socket (Docker's is /var/run/docker.sock). */
export const DEFAULT_HOST = 'unix:///run/berth.sock';

/**
 * Host selection as Docker's CLI does it: `-H/--host`, then `DOCKER_HOST`, then the default.
 *
 * @example resolveHost(undefined, { DOCKER_HOST: 'unix:///tmp/b.sock' }) // { kind: 'unix', socketPath: '/tmp/b.sock' }
 */
export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): DaemonHost {
  const raw = flag || env.DOCKER_HOST || DEFAULT_HOST;
  return parseHost(raw);
}

/** Parses `unix:///path`, `tcp://host:port` (or a bare `/path`). */
export function parseHost(raw: string): DaemonHost {
  const s = raw.trim();
  if (s.startsWith('/')) return { kind: 'unix', socketPath: s, url: `unix://${s}` };
  if (s.startsWith('unix://')) {
    const p = s.slice('unix://'.length);
    if (!p) throw new Error(`invalid host: ${raw}`);
    return { kind: 'unix', socketPath: p, url: s };
  }
  if (s.startsWith('tcp://') || s.startsWith('http://')) {
    const rest = s.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
    const i = rest.lastIndexOf(':');
    const host = i > 0 ? rest.slice(0, i) : rest;
    const port = i > 0 ? Number(rest.slice(i + 1)) : 2375;
    if (!host || !Number.isInteger(port)) throw new Error(`invalid host: ${raw}`);
    return { kind: 'tcp', host, port, url: `tcp://${host}:${port}` };
  }
  throw new Error(`unable to parse docker host \`${raw}\``);
}
