import { closeSync, constants as fsc, openSync, writeFileSync } from 'node:fs';
import { RT_TABLE_LOCAL } from './netlink-message.js';
import { EngineError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { IpNetHost } from './ip-net-host.js';
import type { HostLink, NetHost, VethSpec } from './net-host.js';
import { NetlinkError, Rtnetlink } from './netlink.js';
import { errorText, netlinkSys } from './netlink-sys.js';
import { NetnsStrandedError, NetnsSwitch, prepareNetnsDir } from './netns.js';

const NETNS_DIR = '/run/netns';
const ENODEV = 19;

/**
 * The container path of NetHost without child processes: namespaces by unshare/bind-mount/
 * setns on the daemon's own thread, veths, addresses and routes over rtnetlink. The results
 * are those of IpNetHost (same names, flags, addresses, routes); the rest of the port
 * (bridges, listings, nft, sysctl) is IpNetHost's. Construction is the self-test: it throws
 * when koffi, libc or the kernel cannot do this, and openNetHost() then returns IpNetHost.
 */
export class NetlinkNetHost implements NetHost {
  private readonly ns: NetnsSwitch;
  private readonly nl: Rtnetlink;
  private stranded?: NetnsStrandedError;

  constructor(
    private readonly ip: IpNetHost = new IpNetHost(),
    private readonly log: Logger = silentLogger,
    private readonly netnsDir = NETNS_DIR,
  ) {
    const sys = netlinkSys();
    this.ns = NetnsSwitch.open(sys);
    let nl: Rtnetlink | undefined;
    try {
      nl = Rtnetlink.open(sys);
      nl.linkIndex('lo');
      prepareNetnsDir(netnsDir);
    } catch (err) {
      nl?.close();
      this.ns.close();
      throw err;
    }
    this.nl = nl;
  }

  async ensureBridge(name: string, address: string, mtu: number): Promise<void> {
    return this.ip.ensureBridge(name, address, mtu);
  }

  async deleteLink(name: string): Promise<void> {
    this.guard(`failed to delete link ${name}`, () => this.nl.deleteLink(name));
  }

  async createNetns(name: string): Promise<string> {
    const path = `${this.netnsDir}/${name}`;
    this.guard(`failed to create network namespace ${name}`, () => this.ns.create(path));
    return path;
  }

  async deleteNetns(path: string): Promise<void> {
    return this.ip.deleteNetns(path);
  }

  netnsExists(path: string): boolean {
    return this.ip.netnsExists(path);
  }

  async addVeth(netnsName: string, v: VethSpec, firstInNetns: boolean): Promise<void> {
    this.guard(`failed to add veth ${v.hostIf} to ${netnsName}`, () => {
      const nsFd = openNetns(`${this.netnsDir}/${netnsName}`, netnsName);
      try {
        const master = this.linkIndex(v.bridge);
        this.nl.addVeth({ name: v.hostIf, mtu: v.mtu, master, up: true, peer: { name: v.ctrIf, mtu: v.mtu, mac: v.mac, netnsFd: nsFd } });
        try {
          const inner = this.ns.inside(nsFd, () => {
            // /proc/sys/net is the namespace of the thread that opens it: this one, now.
            if (v.dnsVia) writeFileSync('/proc/sys/net/ipv4/conf/all/route_localnet', '1');
            return Rtnetlink.open();
          });
          try {
            if (firstInNetns) inner.setUp('lo');
            const index = inner.linkIndex(v.ctrIf);
            inner.addAddress(index, v.address);
            inner.setUp(v.ctrIf);
            if (v.gateway) inner.replaceDefaultRoute(v.gateway, index);
            if (v.dnsVia) inner.addRoute({ dst: v.dnsVia.address, dstLen: 32, gateway: v.dnsVia.gateway, index, table: RT_TABLE_LOCAL });
          } finally {
            inner.close();
          }
        } catch (err) {
          if (!(err instanceof NetnsStrandedError)) {
            try {
              this.nl.deleteLink(v.hostIf);
            } catch {
              // the original error says more
            }
          }
          throw err;
        }
      } finally {
        closeSync(nsFd);
      }
    });
  }

  links(): Promise<HostLink[]> {
    return this.ip.links();
  }

  routes(): Promise<string[]> {
    return this.ip.routes();
  }

  localAddresses(): Promise<string[]> {
    return this.ip.localAddresses();
  }

  linkAddresses(name: string): Promise<string[]> {
    return this.ip.linkAddresses(name);
  }

  nft(script: string): Promise<void> {
    return this.ip.nft(script);
  }

  hasTable(family: string, name: string): Promise<boolean> {
    return this.ip.hasTable(family, name);
  }

  sysctl(key: string, value: string): void {
    this.ip.sysctl(key, value);
  }

  private linkIndex(name: string): number {
    try {
      return this.nl.linkIndex(name);
    } catch (err) {
      if (err instanceof NetlinkError && err.errno === ENODEV) throw new Error(`Cannot find device "${name}"`, { cause: err });
      throw err;
    }
  }

  /**
   * Runs one operation, refusing all of them once the daemon thread was left in a foreign
   * namespace (which is logged as an error: sockets the daemon opens would land there).
   */
  private guard<T>(action: string, fn: () => T): T {
    if (this.stranded) throw EngineError.wrap('internal', action, this.stranded);
    try {
      return fn();
    } catch (err) {
      if (err instanceof NetnsStrandedError) {
        this.stranded = err;
        this.log.error('daemon thread stranded in a foreign network namespace; namespace and veth operations are refused from now on, restart berthd', { err });
      }
      throw EngineError.wrap('internal', action, err);
    }
  }
}

function openNetns(path: string, name: string): number {
  try {
    return openSync(path, fsc.O_RDONLY);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`Cannot open network namespace "${name}": ${e.errno ? errorText(-e.errno) : e.message}`, { cause: err });
  }
}

/**
 * The daemon's NetHost: NetlinkNetHost when its self-test passes, else IpNetHost (logged).
 *
 * @example
 *   const host = openNetHost({ logger });
 */
export function openNetHost(opts: { logger?: Logger; ip?: IpNetHost; netnsDir?: string } = {}): NetHost {
  const ip = opts.ip ?? new IpNetHost();
  try {
    return new NetlinkNetHost(ip, opts.logger, opts.netnsDir);
  } catch (err) {
    opts.logger?.warn('rtnetlink unavailable, network namespaces and veths go through iproute2', { err });
    return ip;
  }
}
