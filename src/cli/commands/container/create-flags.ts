import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { type Command, Option } from 'commander';
import type { ContainerCreateRequest, HostConfig, MountSpec } from '../../../api/types.js';
import { collect, int } from '../../argv.js';
import { parseRamBytes } from '../../format/units.js';
import { isMAC } from '../../opts/ip.js';
import { shownDefault } from '../../help-default.js';
import { listFlag, validateDNSSearch, validateExtraHost, validateIPAddress, validateLink } from '../../opts/validators.js';
import { type NetworkAttachment, endpointsConfig, networkFlag } from './network-flags.js';
import { type ResourceFlags, applyResources, resourceOptions } from './resource-flags.js';
import { parsePortSpecs } from './port-specs.js';
import { healthConfig, healthOptions, noHealthcheckOption, type HealthFlags } from './health-flags.js';

/** Parsed flags shared by `run` and `create` (commander's camelCase keys). */
export interface CreateFlags extends HealthFlags, ResourceFlags {
  attach?: string[];
  capAdd?: string[];
  capDrop?: string[];
  cpuShares?: number;
  cpus?: string;
  detach?: boolean;
  detachKeys?: string;
  dnsOption?: string[];
  dnsSearch?: string[];
  domainname?: string;
  entrypoint?: string;
  env?: string[];
  envFile?: string[];
  expose?: string[];
  hostname?: string;
  init?: boolean;
  interactive?: boolean;
  ip?: string;
  ip6?: string;
  label?: string[];
  labelFile?: string[];
  link?: string[];
  linkLocalIp?: string[];
  logDriver?: string;
  logOpt?: string[];
  macAddress?: string;
  memory?: string;
  mount?: string[];
  name?: string;
  /** `--network`/`--net`, in order. */
  network?: NetworkAttachment[];
  /** `--network-alias`/`--net-alias`. */
  networkAlias?: string[];
  pidsLimit?: number;
  platform?: string;
  privileged?: boolean;
  publish?: string[];
  publishAll?: boolean;
  pull?: string;
  readOnly?: boolean;
  restart?: string;
  rm?: boolean;
  securityOpt?: string[];
  shmSize?: string;
  sigProxy?: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  sysctl?: string[];
  tmpfs?: string[];
  tty?: boolean;
  ulimit?: string[];
  user?: string;
  volume?: string[];
  volumeDriver?: string;
  volumesFrom?: string[];
  workdir?: string;
  dns?: string[];
  addHost?: string[];
  ipc?: string;
  pid?: string;
  uts?: string;
  runtime?: string;
  cgroupns?: string;
  groupAdd?: string[];
  cidfile?: string;
  quiet?: boolean;
}

/** Declares `create`/`run` flags (docker's names and help text). `-h` is --hostname, so help is `--help` only. */
export function addCreateFlags(cmd: Command): Command {
  const [healthCmd, healthInterval, healthRetries, healthStartInterval, healthStartPeriod, healthTimeout] = healthOptions();
  for (const o of resourceOptions()) cmd.addOption(o);
  return cmd
    .option('--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', listFlag('--add-host', validateExtraHost))
    .option('-a, --attach <list>', 'Attach to STDIN, STDOUT or STDERR', collect)
    .option('--cap-add <list>', 'Add Linux capabilities', collect)
    .option('--cap-drop <list>', 'Drop Linux capabilities', collect)
    .option('--cgroupns <string>', "Cgroup namespace to use (host|private)\n'host':    Run the container in the Docker host's cgroup namespace\n'private': Run the container in its own private cgroup namespace\n'':        Use the cgroup namespace as configured by the\n           default-cgroupns-mode option on the daemon (default)")
    .option('--cidfile <string>', 'Write the container ID to the file')
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)', int)
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('--dns <list>', 'Set custom DNS servers', listFlag('--dns', validateIPAddress))
    .addOption(sharedOption(new Option('--dns-opt <list>', 'Set DNS options').hideHelp().argParser(listFlag('--dns-opt')), 'dnsOption'))
    .option('--dns-option <list>', 'Set DNS options', listFlag('--dns-option'))
    .option('--dns-search <list>', 'Set custom DNS search domains', listFlag('--dns-search', validateDNSSearch))
    .option('--domainname <string>', 'Container NIS domain name')
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .option('-e, --env <list>', 'Set environment variables', collect)
    .option('--env-file <list>', 'Read in a file of environment variables', collect)
    .option('--expose <list>', 'Expose a port or a range of ports', collect)
    .option('--group-add <list>', 'Add additional groups to join', collect)
    .addOption(healthCmd!)
    .addOption(healthInterval!)
    .addOption(healthRetries!)
    .addOption(healthStartInterval!)
    .addOption(healthStartPeriod!)
    .addOption(healthTimeout!)
    .option('-h, --hostname <string>', 'Container host name')
    .option('--init', 'Run an init inside the container that forwards signals and reaps processes')
    .option('--no-init', 'Do not run an init', undefined)
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--ip <string>', 'IPv4 address (e.g., 172.30.100.104)')
    .option('--ip6 <string>', 'IPv6 address (e.g., 2001:db8::33)')
    .option('--ipc <string>', 'IPC mode to use')
    .option('-l, --label <list>', 'Set meta data on a container', collect)
    .option('--label-file <list>', 'Read in a line delimited file of labels', collect)
    .option('--link <list>', 'Add link to another container', listFlag('--link', validateLink))
    .option('--link-local-ip <list>', 'Container IPv4/IPv6 link-local addresses', collect)
    .option('--log-driver <string>', 'Logging driver for the container')
    .option('--log-opt <list>', 'Log driver options', collect)
    .option('--mac-address <string>', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--mount <mount>', 'Attach a filesystem mount to the container', collect)
    .option('--name <string>', 'Assign a name to the container')
    .addOption(sharedOption(new Option('--net <network>', 'Connect a container to a network').hideHelp().argParser(networkFlag), 'network'))
    .addOption(sharedOption(new Option('--net-alias <list>', 'Add network-scoped alias for the container').hideHelp().argParser(collect), 'networkAlias'))
    .option('--network <network>', 'Connect a container to a network', networkFlag)
    .option('--network-alias <list>', 'Add network-scoped alias for the container', collect)
    .addOption(noHealthcheckOption())
    .option('--pid <string>', 'PID namespace to use')
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)', int)
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--privileged', 'Give extended privileges to this container')
    .option('-p, --publish <list>', "Publish a container's port(s) to the host", collect)
    .option('-P, --publish-all', 'Publish all exposed ports to random ports')
    .option('--pull <string>', 'Pull image before running ("always", "missing", "never")', 'missing')
    .option('-q, --quiet', 'Suppress the pull output')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--restart <string>', 'Restart policy to apply when a container exits', 'no')
    .option('--rm', 'Automatically remove the container and its associated anonymous volumes when it exits')
    .option('--no-rm', 'Do not remove the container', undefined)
    .option('--runtime <string>', 'Runtime to use for this container')
    .option('--security-opt <list>', 'Security Options', collect)
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('--stop-signal <string>', 'Signal to stop the container')
    .option('--stop-timeout <int>', 'Timeout (in seconds) to stop a container', int)
    .addOption(shownDefault(new Option('--sysctl <map>', 'Sysctl options').argParser(collect), 'map[]'))
    .option('--tmpfs <list>', 'Mount a tmpfs directory', collect)
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .addOption(shownDefault(new Option('--ulimit <ulimit>', 'Ulimit options').argParser(collect), '[]'))
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('--uts <string>', 'UTS namespace to use')
    .option('-v, --volume <list>', 'Bind mount a volume', collect)
    .option('--volume-driver <string>', 'Optional volume driver for the container')
    .option('--volumes-from <list>', 'Mount volumes from the specified container(s)', collect)
    .option('-w, --workdir <string>', 'Working directory inside the container');
}

/** A hidden alias flag stored under another flag's key (`--net` → `network`), so both collect in order. */
function sharedOption(o: Option, attribute: string): Option {
  o.attributeName = () => attribute;
  return o;
}

/** Resolves `A=1` / `A` (taken from the environment when set) like docker's ValidateEnv. */
function envValue(e: string, env: NodeJS.ProcessEnv): string {
  if (e.includes('=')) return e;
  const v = env[e];
  return v === undefined ? e : `${e}=${v}`;
}

function readLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}

/** The create request and query options built from flags, image and command (docker's parse.go). */
export interface CreatePlan {
  body: ContainerCreateRequest;
  name?: string;
  platform?: string;
}

/**
 * Builds the POST /containers/create body from flags.
 *
 * @example buildCreateRequest('busybox', ['sh', '-c', 'x'], { tty: true, interactive: true, rm: true, env: ['A=1'] }, false)
 */
export function buildCreateRequest(image: string, args: string[], f: CreateFlags, detach: boolean, env: NodeJS.ProcessEnv = process.env): CreatePlan {
  if (f.macAddress && !isMAC(f.macAddress.trim())) throw new Error(`${f.macAddress} is not a valid mac address`);
  const attach = new Set((f.attach ?? []).map((a) => a.toLowerCase()));
  for (const a of attach) if (!['stdin', 'stdout', 'stderr'].includes(a)) throw new Error(`invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  if (detach && attach.size) throw new Error('Conflicting options: -a and -d');
  const attachStdin = detach ? false : attach.has('stdin') || !!f.interactive;
  const attachStdout = detach ? false : attach.size ? attach.has('stdout') : true;
  const attachStderr = detach ? false : attach.size ? attach.has('stderr') : true;

  const envList = [...(f.envFile ?? []).flatMap(readLines), ...(f.env ?? [])].map((e) => envValue(e, env));
  const labels: Record<string, string> = {};
  for (const l of [...(f.labelFile ?? []).flatMap(readLines), ...(f.label ?? [])]) {
    const i = l.indexOf('=');
    if (i < 0) labels[l] = '';
    else labels[l.slice(0, i)] = l.slice(i + 1);
  }
  const { exposed, bindings } = parsePortSpecs(f.publish ?? [], f.expose ?? []);

  const networks = f.network ?? [];
  const networkMode = networks[0]?.target ?? 'default';
  const host: HostConfig = {
    Binds: volumeBinds(f.volume),
    VolumesFrom: f.volumesFrom?.length ? f.volumesFrom : null,
    NetworkMode: networkMode,
    PortBindings: Object.keys(bindings).length ? bindings : {},
    RestartPolicy: parseRestart(f.restart ?? 'no'),
    AutoRemove: !!f.rm,
    CapAdd: f.capAdd ? f.capAdd.map(normalizeCap) : null,
    CapDrop: f.capDrop ? f.capDrop.map(normalizeCap) : null,
    Privileged: !!f.privileged,
    PublishAllPorts: !!f.publishAll,
    ReadonlyRootfs: !!f.readOnly,
    SecurityOpt: f.securityOpt ?? null,
    Tmpfs: f.tmpfs?.length ? Object.fromEntries(f.tmpfs.map(splitTmpfs)) : null,
    Sysctls: f.sysctl?.length ? Object.fromEntries(f.sysctl.map((s) => splitKV(s, '--sysctl'))) : null,
    Mounts: f.mount?.length ? f.mount.map(parseMount) : undefined,
    Ulimits: f.ulimit?.length ? f.ulimit.map(parseUlimit) : [],
    Links: f.link ?? null,
    Dns: f.dns ?? [],
    DnsOptions: f.dnsOption ?? [],
    DnsSearch: f.dnsSearch ?? [],
    ExtraHosts: f.addHost ?? null,
    GroupAdd: f.groupAdd ?? null,
    LogConfig: { Type: f.logDriver ?? '', Config: Object.fromEntries((f.logOpt ?? []).map((s) => splitKV(s, '--log-opt'))) },
  };
  if (f.memory !== undefined) host.Memory = parseRamBytes(f.memory);
  if (f.shmSize !== undefined) host.ShmSize = parseRamBytes(f.shmSize);
  if (f.cpus !== undefined) {
    const n = Number(f.cpus);
    if (!Number.isFinite(n) || n < 0) throw new Error(`invalid argument "${f.cpus}" for "--cpus" flag: failed to parse ${f.cpus} as a rational number`);
    host.NanoCpus = Math.round(n * 1e9);
  }
  if (f.cpuShares !== undefined) host.CpuShares = f.cpuShares;
  if (f.pidsLimit !== undefined) host.PidsLimit = f.pidsLimit;
  if (f.init !== undefined) host.Init = f.init;
  if (f.ipc) host.IpcMode = f.ipc;
  if (f.pid) host.PidMode = f.pid;
  if (f.uts) host.UTSMode = f.uts;
  if (f.runtime) host.Runtime = f.runtime;
  if (f.cgroupns) host.CgroupnsMode = f.cgroupns;
  if (f.volumeDriver) host.VolumeDriver = f.volumeDriver;
  applyResources(host, f);
  const endpoints = endpointsConfig(networks, f);

  const body: ContainerCreateRequest = {
    Hostname: f.hostname ?? '',
    Domainname: f.domainname ?? '',
    User: f.user ?? '',
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Tty: !!f.tty,
    OpenStdin: !!f.interactive,
    StdinOnce: !!f.interactive && attachStdin,
    Env: envList.length ? envList : null,
    Cmd: args.length ? args : null,
    Image: image,
    Volumes: anonymousVolumes(f.volume),
    WorkingDir: f.workdir ?? '',
    Entrypoint: f.entrypoint === undefined ? null : [f.entrypoint],
    OnBuild: null,
    Labels: labels,
    HostConfig: host,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
  const mac = endpoints[networkMode]?.MacAddress;
  if (mac) body.MacAddress = mac;
  if (f.stopSignal) body.StopSignal = f.stopSignal;
  if (f.stopTimeout !== undefined) body.StopTimeout = f.stopTimeout;
  const health = healthConfig(f);
  if (health) body.Healthcheck = health;
  return { body, name: f.name, platform: f.platform };
}

/**
 * `-v` as docker's CLI splits it: `/path` alone is an anonymous volume (Config.Volumes), the
 * rest are binds; a host part starting with `.` is made absolute.
 */
function volumeBinds(specs: string[] | undefined): string[] | null {
  const binds = (specs ?? []).filter((s) => s.includes(':')).map((s) => {
    const i = s.indexOf(':');
    const host = s.slice(0, i);
    return host.startsWith('.') ? `${resolvePath(host)}${s.slice(i)}` : s;
  });
  return binds.length ? binds : null;
}

function anonymousVolumes(specs: string[] | undefined): Record<string, object> {
  return Object.fromEntries((specs ?? []).filter((s) => !s.includes(':')).map((s) => [s, {}]));
}

/** `net_admin` → `CAP_NET_ADMIN`; `ALL` stays. */
function normalizeCap(c: string): string {
  const u = c.toUpperCase();
  return u === 'ALL' || u.startsWith('CAP_') ? u : `CAP_${u}`;
}

function splitKV(s: string, flag: string): [string, string] {
  const i = s.indexOf('=');
  if (i <= 0) throw new Error(`invalid argument "${s}" for "${flag}" flag: invalid format, expected key=value`);
  return [s.slice(0, i), s.slice(i + 1)];
}

function splitTmpfs(s: string): [string, string] {
  const i = s.indexOf(':');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

/** `no`, `always`, `unless-stopped`, `on-failure[:N]`. */
export function parseRestart(s: string): NonNullable<HostConfig['RestartPolicy']> {
  const [name, count] = s.split(':');
  if (name === '' || name === 'no') return { Name: 'no', MaximumRetryCount: 0 };
  if (name === 'always' || name === 'unless-stopped') {
    if (count !== undefined) throw new Error(`invalid argument "${s}" for "--restart" flag: maximum retry count cannot be used with restart policy '${name}'`);
    return { Name: name, MaximumRetryCount: 0 };
  }
  if (name === 'on-failure') return { Name: 'on-failure', MaximumRetryCount: count ? Number(count) : 0 };
  throw new Error(`invalid argument "${s}" for "--restart" flag: invalid restart policy format: no match for "${name}"`);
}

/** `nofile=1024[:2048]` */
export function parseUlimit(s: string): { Name: string; Soft: number; Hard: number } {
  const [name, vals] = splitKV(s, '--ulimit');
  const [soft, hard] = vals.split(':');
  const sn = Number(soft);
  const hn = hard === undefined ? sn : Number(hard);
  if (!Number.isInteger(sn) || !Number.isInteger(hn)) throw new Error(`invalid argument "${s}" for "--ulimit" flag: invalid ulimit argument: ${s}`);
  return { Name: name, Soft: sn, Hard: hn };
}

/** `type=bind,source=/a,target=/b,readonly` and `type=tmpfs,destination=/x,tmpfs-size=64m`. */
export function parseMount(s: string): MountSpec {
  const m: MountSpec = { Type: 'volume', Target: '' };
  for (const field of s.split(',')) {
    const i = field.indexOf('=');
    const k = (i < 0 ? field : field.slice(0, i)).trim().toLowerCase();
    const v = i < 0 ? undefined : field.slice(i + 1);
    switch (k) {
      case 'type':
        m.Type = v as MountSpec['Type'];
        break;
      case 'source':
      case 'src':
        m.Source = v;
        break;
      case 'target':
      case 'destination':
      case 'dst':
        m.Target = v ?? '';
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = v === undefined || v === 'true' || v === '1';
        break;
      case 'bind-propagation':
        m.BindOptions = { ...m.BindOptions, Propagation: v };
        break;
      case 'tmpfs-size':
        m.TmpfsOptions = { ...m.TmpfsOptions, SizeBytes: parseRamBytes(v ?? '') };
        break;
      case 'tmpfs-mode':
        m.TmpfsOptions = { ...m.TmpfsOptions, Mode: parseInt(v ?? '', 8) };
        break;
      default:
        throw new Error(`invalid argument "${s}" for "--mount" flag: unexpected key '${k}' in '${field}'`);
    }
  }
  if (!m.Target) throw new Error(`invalid argument "${s}" for "--mount" flag: target is required`);
  return m;
}
