import type { Command } from 'commander';
import { containerPorts } from '../../../api-client/containers.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { naturalCompare } from '../../format/natural-sort.js';
import { requireArgs } from '../arity.js';

/**
 * `berth port CONTAINER [PRIVATE_PORT[/PROTO]]`: the container's published ports as
 * `80/tcp -> 0.0.0.0:8080` lines (or just `0.0.0.0:8080` for one port), in docker's
 * natural order; a port that is not published is an error (exit 1).
 */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('port')
    .description('List port mappings or a specific mapping for the container')
    .usage('CONTAINER [PRIVATE_PORT[/PROTO]]')
    .argument('[args...]')
    .action(async (args: string[], _o: unknown, cmd: Command) => {
      requireArgs(cmd, args, { min: 1, max: 2 });
      const [container, spec] = args as [string, string | undefined];
      const ports = await containerPorts(await ctx.transport(), container);
      ctx.out(portLines(ports, container, spec));
    });
}

/** The text `docker port` prints for a container's `NetworkSettings.Ports`. */
export function portLines(ports: Record<string, { HostIp?: string; HostPort?: string }[] | null>, container: string, spec?: string): string {
  const out: string[] = [];
  if (spec !== undefined && spec !== '') {
    const slash = spec.indexOf('/');
    const port = slash < 0 ? spec : spec.slice(0, slash);
    const proto = (slash < 0 ? '' : spec.slice(slash + 1)) || 'tcp';
    if (!/^\d+$/.test(port) || Number(port) > 65535) {
      const why = /^\d+$/.test(port) ? 'value out of range' : 'invalid syntax';
      throw new CliError(1, `Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: ${why}`);
    }
    const frontends = ports[`${port}/${proto}`];
    if (!frontends?.length) throw new CliError(1, `Error: No public port '${spec}' published for ${container}`);
    for (const f of frontends) out.push(joinHostPort(f.HostIp ?? '', f.HostPort ?? ''));
  } else {
    for (const [from, frontends] of Object.entries(ports)) {
      for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp ?? '', f.HostPort ?? '')}`);
    }
  }
  if (out.length === 0) return '';
  return `${out.sort(naturalCompare).join('\n')}\n`;
}

/** Go's `net.JoinHostPort`: brackets a host containing a colon. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
