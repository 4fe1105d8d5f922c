import { type Command, Option } from 'commander';
import { type NetworkCreateRequest, networkCreate } from '../../../api-client/networks.js';
import type { CliContext } from '../../context.js';
import { kvMap, listFlag, mapFlag, sliceFlag, validateLabel } from '../../opts/validators.js';
import { requireArgs } from '../arity.js';
import { ipamPools } from './ipam-config.js';

interface CreateNetworkFlags {
  attachable?: boolean;
  auxAddress?: Record<string, string>;
  configFrom?: string;
  configOnly?: boolean;
  driver: string;
  gateway?: string[];
  ingress?: boolean;
  internal?: boolean;
  ipRange?: string[];
  ipamDriver: string;
  ipamOpt?: Record<string, string>;
  ipv4?: boolean;
  ipv6?: boolean;
  label?: string[];
  opt?: Record<string, string>;
  scope?: string;
  subnet?: string[];
}

/** Builds the POST /networks/create body from `network create` flags (docker's runCreate). */
export function networkCreateRequest(name: string, f: CreateNetworkFlags): NetworkCreateRequest {
  const req: NetworkCreateRequest = {
    Name: name,
    Driver: f.driver,
    Scope: f.scope ?? '',
    IPAM: {
      Driver: f.ipamDriver,
      Options: f.ipamOpt ?? {},
      Config: ipamPools({ subnets: f.subnet ?? [], ipRanges: f.ipRange ?? [], gateways: f.gateway ?? [], auxAddresses: f.auxAddress ?? {} }),
    },
    Internal: !!f.internal,
    Attachable: !!f.attachable,
    Ingress: !!f.ingress,
    ConfigOnly: !!f.configOnly,
    ConfigFrom: f.configFrom ? { Network: f.configFrom } : null,
    Options: f.opt ?? {},
    Labels: kvMap(f.label),
  };
  if (f.ipv4 !== undefined) req.EnableIPv4 = f.ipv4;
  if (f.ipv6 !== undefined) req.EnableIPv6 = f.ipv6;
  return req;
}

/** `berth network create [OPTIONS] NETWORK`: prints the new network's id. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('create')
    .description('Create a network')
    .usage('[OPTIONS] NETWORK')
    .argument('[args...]')
    .option('--attachable', 'Enable manual container attachment')
    .option('--aux-address <map>', 'Auxiliary IPv4 or IPv6 addresses used by Network driver (default map[])', mapFlag())
    .option('--config-from <string>', 'The network from which to copy the configuration')
    .option('--config-only', 'Create a configuration only network')
    .option('-d, --driver <string>', 'Driver to manage the Network', 'bridge')
    .option('--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet', sliceFlag('--gateway'))
    .option('--ingress', 'Create swarm routing-mesh network')
    .option('--internal', 'Restrict external access to the network')
    .option('--ip-range <strings>', 'Allocate container ip from a sub-range', sliceFlag('--ip-range'))
    .option('--ipam-driver <string>', 'IP Address Management Driver', 'default')
    .option('--ipam-opt <map>', 'Set IPAM driver specific options (default map[])', mapFlag())
    .option('--ipv4', 'Enable or disable IPv4 address assignment (default true)')
    .addOption(new Option('--no-ipv4').hideHelp())
    .option('--ipv6', 'Enable or disable IPv6 address assignment')
    .addOption(new Option('--no-ipv6').hideHelp())
    .option('--label <list>', 'Set metadata on a network', listFlag('--label', validateLabel))
    .option('-o, --opt <map>', 'Set driver specific options (default map[])', mapFlag())
    .option('--scope <string>', "Control the network's scope")
    .option('--subnet <strings>', 'Subnet in CIDR format that represents a network segment', sliceFlag('--subnet'))
    .action(async (args: string[], f: CreateNetworkFlags, cmd: Command) => {
      requireArgs(cmd, args, { exact: 1 });
      const res = await networkCreate(await ctx.transport(), networkCreateRequest(args[0]!, f));
      ctx.out(`${res.Id}\n`);
    });
}
