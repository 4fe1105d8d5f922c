/**
 * The whole of berth's nftables state, rendered from what the network module knows (pure).
 * It is applied as one atomic transaction that flushes and refills berth's own table, so
 * the kernel always holds exactly what the records say: no duplicate or stale rules after a
 * crash, and reconciliation is simply "render and apply".
 *
 * berth never flushes the admin's table `<table>-user`: its `forward` chain (priority -1,
 * before berth's) is where the host's own policy for published and forwarded traffic goes,
 * as DOCKER-USER is for Docker.
 */

import { compareStrings } from '../shared/compare.js';

export interface BridgeRules {
  bridge: string;
  /** CIDR */
  subnet: string;
  gateway: string;
  internal: boolean;
  /** Port of the embedded DNS on the gateway address (user networks), DNATed from :53. */
  dnsPort?: number;
}

/** One published mapping; consecutive ports with the same shift are coalesced into one rule. */
export interface PortRule {
  proto: 'tcp' | 'udp' | 'sctp';
  /** '' or '0.0.0.0' for every local address. */
  hostIp: string;
  hostPort: number;
  ctrIp: string;
  ctrPort: number;
}

export interface RulesetInput {
  table: string;
  masquerade: boolean;
  bridges: BridgeRules[];
  ports: PortRule[];
}

interface Run {
  proto: string;
  hostIp: string;
  ctrIp: string;
  first: number;
  last: number;
  ctrFirst: number;
}

/** Groups mappings into runs of consecutive host ports mapped to consecutive container ports. */
export function coalesce(ports: PortRule[]): Run[] {
  const sorted = [...ports].sort((a, b) => compareStrings(a.proto, b.proto) || compareStrings(a.hostIp, b.hostIp) || compareStrings(a.ctrIp, b.ctrIp) || a.hostPort - b.hostPort);
  const runs: Run[] = [];
  for (const p of sorted) {
    const hostIp = p.hostIp === '0.0.0.0' ? '' : p.hostIp;
    const r = runs[runs.length - 1];
    if (r && r.proto === p.proto && r.hostIp === hostIp && r.ctrIp === p.ctrIp && p.hostPort === r.last + 1 && p.ctrPort === r.ctrFirst + (p.hostPort - r.first)) {
      r.last = p.hostPort;
    } else {
      runs.push({ proto: p.proto, hostIp, ctrIp: p.ctrIp, first: p.hostPort, last: p.hostPort, ctrFirst: p.ctrPort });
    }
  }
  return runs;
}

function dnat(r: Run): string {
  const dport = r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`;
  let to: string;
  if (r.first === r.last) to = `${r.ctrIp}:${r.ctrFirst}`;
  else if (r.first === r.ctrFirst) to = r.ctrIp;
  else {
    const pairs = Array.from({ length: r.last - r.first + 1 }, (_, i) => `${r.first + i} : ${r.ctrFirst + i}`);
    to = `${r.ctrIp} : ${r.proto} dport map { ${pairs.join(', ')} }`;
  }
  return `${r.proto} dport ${dport} dnat to ${to}`;
}

const q = (s: string): string => `"${s}"`;

/** The nft script that (re)creates `ip <table>` from scratch. */
export function renderRuleset(input: RulesetInput): string {
  const t = input.table;
  const runs = coalesce(input.ports);
  const bridges = input.bridges;
  const out: string[] = [];
  out.push(`table ip ${t} {}`, `flush table ip ${t}`, `table ip ${t} {`);
  if (bridges.length) out.push(`  set bridges { type ifname; elements = { ${bridges.map((b) => q(b.bridge)).join(', ')} } }`);

  out.push('  chain raw_prerouting {', '    type filter hook prerouting priority raw; policy accept;');
  // route_localnet is on for our bridges (host -> 127.0.0.1:published): never accept loopback from them.
  if (bridges.some((b) => b.dnsPort !== undefined)) out.push('    iifname @bridges ip daddr 127.0.0.11 meta l4proto { tcp, udp } th dport 53 accept');
  if (bridges.length) out.push('    iifname @bridges ip daddr 127.0.0.0/8 drop');
  out.push('  }');

  out.push('  chain prerouting {', '    type nat hook prerouting priority dstnat; policy accept;');
  for (const b of bridges) {
    if (b.dnsPort === undefined) continue;
    for (const proto of ['udp', 'tcp']) {
      // 127.0.0.11 is routed to the gateway from inside the containers (Docker's resolver address).
      out.push(`    iifname ${q(b.bridge)} ip daddr { 127.0.0.11, ${b.gateway} } ${proto} dport 53 dnat to ${b.gateway}:${b.dnsPort}`);
    }
  }
  out.push('    fib daddr type local jump published', '  }');

  out.push('  chain output {', '    type nat hook output priority -100; policy accept;', '    fib daddr type local jump published_local', '  }');

  // From outside and from containers: every local address except loopback (a neighbour that
  // routes 127.0.0.1 to us must never reach a port published on loopback).
  out.push('  chain published {');
  for (const r of runs) {
    if (r.hostIp.startsWith('127.')) continue;
    out.push(`    ${r.hostIp ? `ip daddr ${r.hostIp}` : 'ip daddr != 127.0.0.0/8'} ${dnat(r)}`);
  }
  out.push('  }');
  // From this host itself: loopback too.
  out.push('  chain published_local {');
  for (const r of runs) out.push(`    ${r.hostIp ? `ip daddr ${r.hostIp} ` : ''}${dnat(r)}`);
  out.push('  }');

  out.push('  chain postrouting {', '    type nat hook postrouting priority srcnat; policy accept;');
  for (const b of bridges) {
    out.push(`    oifname ${q(b.bridge)} ip saddr 127.0.0.0/8 masquerade`);
    out.push(`    oifname ${q(b.bridge)} ct status dnat ip saddr ${b.subnet} masquerade`);
    if (input.masquerade && !b.internal) out.push(`    ip saddr ${b.subnet} oifname != ${q(b.bridge)} masquerade`);
  }
  out.push('  }');

  out.push('  chain forward {', '    type filter hook forward priority filter; policy accept;');
  for (const b of bridges) {
    if (b.internal) {
      out.push(`    iifname ${q(b.bridge)} oifname != ${q(b.bridge)} drop`);
      out.push(`    oifname ${q(b.bridge)} iifname != ${q(b.bridge)} drop`);
    } else {
      // Networks are isolated from each other; published ports stay reachable across them.
      out.push(`    iifname ${q(b.bridge)} oifname @bridges oifname != ${q(b.bridge)} ct status ! dnat drop`);
    }
  }
  out.push('  }', '}');
  return out.join('\n') + '\n';
}

/** The admin's table, created once when missing (never re-declared: its policy is the admin's). */
export function renderUserTable(table: string): string {
  return `table ip ${table}-user { chain forward { type filter hook forward priority -1; policy accept; }; }\n`;
}

/** Removes berth's table (daemon shutdown with nothing left, or tests); the admin's table stays. */
export function renderDelete(table: string): string {
  return `table ip ${table} {}\ndelete table ip ${table}\n`;
}
