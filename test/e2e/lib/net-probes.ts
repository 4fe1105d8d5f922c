/**
 * Probes the network scenarios share: an httpd in a busybox container, HTTP from the host,
 * addresses and routes inside a container, name lookups with busybox `ping`, and output
 * normalizers. Every probe targets loopback, the host's own address, or addresses on
 * bridges the engines under test created.
 */
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import type { RunResult } from './exec.js';

/** Something that runs the docker CLI against one engine (a Target). */
export interface DockerRunner {
  docker(args: string[], opts?: { timeoutMs?: number; input?: string | Buffer }): Promise<RunResult>;
}

/** A shell line for busybox that serves `body` at / on `port` (foreground httpd). */
export function httpdCommand(body: string, port = 80): string {
  return `mkdir -p /www && echo ${body} > /www/index.html && exec httpd -f -p ${port} -h /www`;
}

/**
 * A shell line for busybox that GETs http://host:port/ with `nc` and prints the response
 * (headers, blank line, body). Debian's static busybox `wget` segfaults (glibc NSS in a
 * static binary), so the scenarios use nc.
 */
export function ncGetCommand(host: string, port = 80, timeoutS = 5): string {
  return `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w ${timeoutS} ${host} ${port}`;
}

/** The body of an HTTP response printed by {@link ncGetCommand} ('' when there was none). */
export function httpBody(raw: string): string {
  const i = raw.indexOf('\r\n\r\n');
  return i < 0 ? '' : raw.slice(i + 4);
}

/** GET http://host:port/ from the host; resolves with the body, rejects on error or timeout. */
export function httpGet(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}:${port}/ timed out`)));
    req.on('error', reject);
  });
}

/** Poll {@link httpGet} until it answers (body) or `timeoutMs` passes (the last error's message). */
export async function httpGetEventually(host: string, port: number, timeoutMs = 15_000): Promise<{ body?: string; error?: string }> {
  const deadline = Date.now() + timeoutMs;
  let error = '';
  for (;;) {
    try {
      return { body: await httpGet(host, port, 2000) };
    } catch (e) {
      error = (e as Error).message;
    }
    if (Date.now() > deadline) return { error };
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** True when nothing answers a TCP connect to host:port within `timeoutMs` (refused, reset or silent). */
export function tcpUnreachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(true));
    s.once('connect', () => done(false));
    s.once('error', () => done(true));
  });
}

/** Listen on host:port with a plain TCP server (to take a port); resolves when bound. */
export function listenTcp(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((c) => c.destroy());
    srv.once('error', reject);
    srv.listen(port, host, () => resolve(srv));
  });
}

/** Close a server started by {@link listenTcp}. */
export function closeServer(srv: net.Server): Promise<void> {
  return new Promise((resolve) => srv.close(() => resolve()));
}

/** A TCP port free on 0.0.0.0 a moment ago (outside the ephemeral range, which engines allocate from). */
export async function freePort(): Promise<number> {
  return freePortRange(1);
}

/** `n` consecutive TCP ports free on 0.0.0.0 a moment ago, below the ephemeral range. */
export async function freePortRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 9000);
    const taken: net.Server[] = [];
    try {
      for (let i = 0; i < n; i++) taken.push(await listenTcp('0.0.0.0', base + i));
      return base;
    } catch {
      /* one was busy: try elsewhere */
    } finally {
      for (const s of taken) await closeServer(s);
    }
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

/** The kernel's ephemeral port range (ip_local_port_range). */
export function ephemeralRange(): [number, number] {
  const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  return [lo!, hi!];
}

/** One IPv4 address of an interface, from `ip -o -4 addr` output. */
export interface IfAddr {
  ifname: string;
  address: string;
  prefix: number;
}

/** Parse `ip -o -4 addr` (busybox or iproute2) into interface/address/prefix rows. */
export function parseIpAddr(out: string): IfAddr[] {
  const rows: IfAddr[] = [];
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(line.trim());
    if (m) rows.push({ ifname: m[1]!, address: m[2]!, prefix: Number(m[3]) });
  }
  return rows;
}

/** IPv4 addresses of a running container's interfaces but lo (via `docker exec ... ip -o -4 addr`). */
export async function containerAddrs(t: DockerRunner, container: string): Promise<IfAddr[]> {
  const r = await t.docker(['exec', container, 'ip', '-o', '-4', 'addr']);
  if (r.code !== 0) throw new Error(`ip addr in ${container} failed (${r.code}): ${r.stderr}`);
  return parseIpAddr(r.stdout).filter((a) => a.ifname !== 'lo');
}

/** Interface names (but lo) of a running container, sorted. */
export async function containerLinks(t: DockerRunner, container: string): Promise<string[]> {
  const r = await t.docker(['exec', container, 'ip', '-o', 'link']);
  if (r.code !== 0) throw new Error(`ip link in ${container} failed (${r.code}): ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(':')[1]!.trim().replace(/@.*/, ''))
    .filter((n) => n !== 'lo')
    .sort();
}

/** True when `address` lies in `cidr` (IPv4). */
export function inSubnet(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toNum = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return ((toNum(address) & mask) >>> 0) === ((toNum(base!) & mask) >>> 0);
}

/**
 * What a busybox `ping -c1 -W1 NAME` printed about NAME: the address it resolved to, or
 * undefined for "bad address" (no resolution). Run inside an existing container (`exec`).
 */
export async function resolveVia(t: DockerRunner, execIn: string, name: string): Promise<string | undefined> {
  const r = await t.docker(['exec', execIn, 'ping', '-c1', '-W1', name], { timeoutMs: 30_000 });
  return parseResolved(r, name);
}

/** Parse busybox ping output: `PING name (a.b.c.d)` or `bad address`. Throws on anything else. */
export function parseResolved(r: RunResult, name: string): string | undefined {
  const m = /^PING \S+ \((\d+\.\d+\.\d+\.\d+)\)/m.exec(r.stdout);
  if (m) return m[1];
  if (/bad address/.test(r.stderr)) return undefined;
  throw new Error(`unexpected ping output for ${name} (code ${r.code}): ${r.stdout}${r.stderr}`);
}

/** Replace container/network/endpoint IDs (64 and 12 hex digits) by <id>. */
export function normalizeIds(text: string): string {
  return text.replace(/\b[0-9a-f]{64}\b/g, '<id>').replace(/\b[0-9a-f]{12}\b/g, '<id>');
}

/** Only the IPv4 lines of `docker port` output (Docker 20.10 also binds [::]; berth publishes IPv4). */
export function ipv4PortLines(out: string): string[] {
  return out
    .trim()
    .split('\n')
    .filter((l) => l && !/\[::\]/.test(l));
}

/** The IPv4 entries of a `docker ps` PORTS column, in order. */
export function ipv4PsPorts(col: string): string {
  return col
    .trim()
    .split(', ')
    .filter((p) => p && !p.startsWith('[::]'))
    .join(', ');
}
