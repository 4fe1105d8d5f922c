import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { MNT_DETACH, umount2 } from '../../shared/libc.js';
import { EngineError } from '../../shared/errors.js';
import type { HostLink, NetHost, VethSpec } from './net-host.js';

const NETNS_DIR = '/run/netns';

/** Runs a command with `input` on stdin; resolves stdout, rejects with its stderr. */
function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(EngineError.wrap('internal', `failed to run ${cmd}`, e)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new EngineError('internal', `${cmd} ${args.join(' ')}: ${Buffer.concat(err).toString().trim() || `exit ${code}`}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** A stable, locally administered MAC for a bridge, derived from its name. */
export function bridgeMac(name: string): string {
  const h = createHash('sha256').update(`berth-bridge:${name}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** iproute2 (`ip -batch`, one process per side of a veth) and nftables (`nft -f -`). */
export class IpNetHost implements NetHost {
  constructor(private readonly paths: { ip: string; nft: string } = { ip: 'ip', nft: 'nft' }) {}

  async ensureBridge(name: string, address: string, mtu: number): Promise<void> {
    const exists = (await this.links()).some((l) => l.name === name);
    const lines: string[] = [];
    if (!exists) lines.push(`link add name ${name} type bridge`);
    // A fixed MAC: a bridge otherwise takes the lowest MAC of its ports, and containers that
    // cached the old gateway MAC lose their gateway whenever a veth with a lower one joins.
    lines.push(`link set ${name} mtu ${mtu} address ${bridgeMac(name)}`);
    lines.push(`addr replace ${address} dev ${name}`);
    for (const a of exists ? await this.linkAddresses(name) : []) if (a !== address) lines.push(`addr del ${a} dev ${name}`);
    lines.push(`link set ${name} up`);
    await run(this.paths.ip, ['-batch', '-'], lines.join('\n') + '\n');
  }

  async deleteLink(name: string): Promise<void> {
    await run(this.paths.ip, ['link', 'del', name]).catch((err: Error) => {
      if (!/Cannot find device|does not exist/.test(err.message)) throw err;
    });
  }

  async createNetns(name: string): Promise<string> {
    await run(this.paths.ip, ['netns', 'add', name]);
    return `${NETNS_DIR}/${name}`;
  }

  async deleteNetns(path: string): Promise<void> {
    try {
      umount2(path, MNT_DETACH);
    } catch {
      // not mounted (already gone, or a leftover file)
    }
    rmSync(path, { force: true });
  }

  netnsExists(path: string): boolean {
    return existsSync(path);
  }

  async addVeth(netnsName: string, v: VethSpec, firstInNetns: boolean): Promise<void> {
    const host = [
      `link add ${v.hostIf} mtu ${v.mtu} type veth peer name ${v.ctrIf} mtu ${v.mtu} address ${v.mac} netns ${netnsName}`,
      `link set ${v.hostIf} master ${v.bridge} up`,
    ];
    await run(this.paths.ip, ['-batch', '-'], host.join('\n') + '\n');
    const inside = [...(firstInNetns ? ['link set lo up'] : []), `addr add ${v.address} dev ${v.ctrIf}`, `link set ${v.ctrIf} up`];
    if (v.gateway) inside.push(`route replace default via ${v.gateway} dev ${v.ctrIf}`);
    if (v.dnsVia) inside.push(`route replace ${v.dnsVia.address}/32 via ${v.dnsVia.gateway} dev ${v.ctrIf} table local`);
    try {
      if (v.dnsVia) await run(this.paths.ip, ['netns', 'exec', netnsName, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet']);
      await run(this.paths.ip, ['-n', netnsName, '-batch', '-'], inside.join('\n') + '\n');
    } catch (err) {
      await this.deleteLink(v.hostIf).catch(() => {});
      throw err;
    }
  }

  async links(): Promise<HostLink[]> {
    const out = JSON.parse(await run(this.paths.ip, ['-j', '-d', 'link', 'show'])) as { ifname: string; master?: string; linkinfo?: { info_kind?: string } }[];
    return out.map((l) => ({ name: l.ifname, kind: l.linkinfo?.info_kind ?? '', master: l.master }));
  }

  async routes(): Promise<string[]> {
    const out = JSON.parse(await run(this.paths.ip, ['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst: string; type?: string }[];
    return out.filter((r) => r.dst && r.dst !== 'default' && r.type !== 'local' && r.type !== 'broadcast').map((r) => (r.dst.includes('/') ? r.dst : `${r.dst}/32`));
  }

  async localAddresses(): Promise<string[]> {
    const out = JSON.parse(await run(this.paths.ip, ['-j', '-4', 'addr', 'show'])) as { addr_info?: { local: string }[] }[];
    return out.flatMap((l) => (l.addr_info ?? []).map((a) => a.local));
  }

  async linkAddresses(name: string): Promise<string[]> {
    const out = await run(this.paths.ip, ['-j', '-4', 'addr', 'show', 'dev', name]).catch((err: Error) => {
      if (/does not exist|Cannot find device/.test(err.message)) return '[]';
      throw err;
    });
    const links = JSON.parse(out) as { addr_info?: { local: string; prefixlen: number }[] }[];
    return links.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`));
  }

  async nft(script: string): Promise<void> {
    await run(this.paths.nft, ['-f', '-'], script);
  }

  async hasTable(family: string, name: string): Promise<boolean> {
    return run(this.paths.nft, ['list', 'table', family, name]).then(
      () => true,
      () => false,
    );
  }

  sysctl(key: string, value: string): void {
    writeFileSync(`/proc/sys/${key.replace(/\./g, '/')}`, value);
  }
}
