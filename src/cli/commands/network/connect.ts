import type { Command } from 'commander';
import { type EndpointConfig, networkConnect } from '../../../api-client/networks.js';
import type { CliContext } from '../../context.js';
import { intFlag, listFlag, sliceFlag, validateLink } from '../../opts/validators.js';
import { requireArgs } from '../arity.js';

interface ConnectFlags {
  alias?: string[];
  driverOpt?: string[];
  gwPriority?: number;
  ip?: string;
  ip6?: string;
  link?: string[];
  linkLocalIp?: string[];
}

/** The endpoint settings `network connect` sends (docker's runConnect). */
export function connectEndpoint(f: ConnectFlags): EndpointConfig {
  const driverOpts: Record<string, string> = {};
  for (const o of f.driverOpt ?? []) {
    const i = o.indexOf('=');
    const k = (i < 0 ? o : o.slice(0, i)).trim();
    if (i < 0 || k === '') throw new Error('invalid key/value pair format in driver options');
    driverOpts[k] = o.slice(i + 1).trim();
  }
  const ipam: EndpointConfig['IPAMConfig'] = {};
  if (f.ip) ipam.IPv4Address = f.ip;
  if (f.ip6) ipam.IPv6Address = f.ip6;
  if (f.linkLocalIp?.length) ipam.LinkLocalIPs = f.linkLocalIp;
  const ep: EndpointConfig = { IPAMConfig: ipam, Links: f.link?.length ? f.link : null, Aliases: f.alias ?? [], DriverOpts: driverOpts };
  if (f.gwPriority) ep.GwPriority = f.gwPriority;
  return ep;
}

/** `berth network connect [OPTIONS] NETWORK CONTAINER` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('connect')
    .description('Connect a container to a network')
    .usage('[OPTIONS] NETWORK CONTAINER')
    .argument('[args...]')
    .option('--alias <strings>', 'Add network-scoped alias for the container', sliceFlag('--alias'))
    .option('--driver-opt <strings>', 'driver options for the network', sliceFlag('--driver-opt'))
    .option('--gw-priority <int>', 'Highest gw-priority provides the default gateway. Accepts positive and negative values.', intFlag('--gw-priority'))
    .option('--ip <string>', 'IPv4 address (e.g., "172.30.100.104")')
    .option('--ip6 <string>', 'IPv6 address (e.g., "2001:db8::33")')
    .option('--link <list>', 'Add link to another container', listFlag('--link', validateLink))
    .option('--link-local-ip <strings>', 'Add a link-local address for the container', sliceFlag('--link-local-ip'))
    .action(async (args: string[], f: ConnectFlags, cmd: Command) => {
      requireArgs(cmd, args, { exact: 2 });
      await networkConnect(await ctx.transport(), args[0]!, args[1]!, connectEndpoint(f));
    });
}
