import { parseArgs } from 'node:util';

/** Command-line flags, named like dockerd's. Absent flags are undefined (config file or defaults apply). */
export interface DaemonFlags {
  hosts?: string[];
  dataRoot?: string;
  execRoot?: string;
  pidfile?: string;
  configFile?: string;
  defaultRuntime?: string;
  logLevel?: string;
  debug?: boolean;
  insecureRegistries?: string[];
  bridge?: string;
  bip?: string;
  fixedCidr?: string;
  defaultAddressPools?: string[];
  mtu?: string;
  dns?: string[];
  ipForward?: boolean;
  iptables?: boolean;
  ipMasq?: boolean;
  eventsMaxSize?: string;
  logDriver?: string;
  /** `--log-opt k=v`, repeatable */
  logOpts?: string[];
  version: boolean;
  help: boolean;
}

export const USAGE = `Usage:\tberthd [OPTIONS]

A self-sufficient runtime for containers (Docker Engine API v1.43).

Options:
      --config-file string        Daemon configuration file (default "/etc/berth/daemon.json")
      --data-root string          Root directory of persistent state (default "/var/lib/berth")
      --default-runtime string    Default OCI runtime for containers: crun or runc (default "crun")
  -D, --debug                     Enable debug mode
      --exec-root string          Root directory for execution state files (default "/run/berth")
  -H, --host list                 Daemon socket(s) to connect to (default unix:///run/berth.sock)
  -b, --bridge string             Name of the default bridge berthd creates, or "none" (default "berth0")
      --bip string                Gateway address/prefix of the default bridge
      --fixed-cidr string         IPv4 subnet for container addresses on the default bridge
      --default-address-pool list Default address pools for networks (base=CIDR,size=N)
      --mtu int                   MTU of the bridges and container interfaces (default 1500)
      --dns list                  DNS servers the embedded resolver forwards to
      --ip-forward                Enable net.ipv4.ip_forward (default true)
      --iptables                  Write firewall rules (nftables) for NAT and published ports (default true)
      --ip-masq                   Masquerade traffic leaving bridge networks (default true)
      --events-max-size string    Disk space for past events, replayed by "events --since" (default "8m")
      --insecure-registry list    Enable insecure registry communication
      --log-driver string         Default driver for container logs (default "json-file")
      --log-opt map               Default log driver options for containers (default map[])
  -l, --log-level string          Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -p, --pidfile string            Path to use for daemon PID file (default "/run/berth/berthd.pid")
  -v, --version                   Print version information and quit
`;

/** Parses argv (without node and script). Throws on unknown flags, like dockerd's `unknown flag: --x`. */
export function parseFlags(argv: string[]): DaemonFlags {
  // dockerd's boolean flags that default to true take `--flag=false`.
  const bools: Record<string, boolean> = {};
  argv = argv.filter((a) => {
    const m = /^--(ip-forward|iptables|ip-masq)(?:=(true|false))?$/.exec(a);
    if (!m) return true;
    bools[m[1]] = m[2] !== 'false';
    return false;
  });
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string', short: 'H', multiple: true },
        'data-root': { type: 'string' },
        'exec-root': { type: 'string' },
        pidfile: { type: 'string', short: 'p' },
        'config-file': { type: 'string' },
        'default-runtime': { type: 'string' },
        'log-level': { type: 'string', short: 'l' },
        debug: { type: 'boolean', short: 'D' },
        'insecure-registry': { type: 'string', multiple: true },
        bridge: { type: 'string', short: 'b' },
        bip: { type: 'string' },
        'fixed-cidr': { type: 'string' },
        'default-address-pool': { type: 'string', multiple: true },
        mtu: { type: 'string' },
        dns: { type: 'string', multiple: true },
        'events-max-size': { type: 'string' },
        'log-driver': { type: 'string' },
        'log-opt': { type: 'string', multiple: true },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    const msg = (err as Error).message;
    const flag = /'([^']+)'/.exec(msg)?.[1];
    throw new Error(flag && /Unknown option/.test(msg) ? `unknown flag: ${flag}` : msg);
  }
  const v = parsed.values;
  return {
    hosts: v.host,
    dataRoot: v['data-root'],
    execRoot: v['exec-root'],
    pidfile: v.pidfile,
    configFile: v['config-file'],
    defaultRuntime: v['default-runtime'],
    logLevel: v['log-level'],
    debug: v.debug,
    insecureRegistries: v['insecure-registry'],
    bridge: v.bridge,
    bip: v.bip,
    fixedCidr: v['fixed-cidr'],
    defaultAddressPools: v['default-address-pool'],
    mtu: v.mtu,
    dns: v.dns,
    ipForward: bools['ip-forward'],
    iptables: bools.iptables,
    ipMasq: bools['ip-masq'],
    eventsMaxSize: v['events-max-size'],
    logDriver: v['log-driver'],
    logOpts: v['log-opt'],
    version: v.version ?? false,
    help: v.help ?? false,
  };
}
