import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as m from './netlink-message.js';

test('attributes are length-prefixed and padded to 4 bytes', () => {
  const a = m.attr(m.IFLA_IFNAME, m.str('eth0'));
  assert.equal(a.length, 12);
  assert.equal(a.readUInt16LE(0), 9); // 4 + "eth0\0", padding not counted
  assert.equal(a.readUInt16LE(2), m.IFLA_IFNAME);
  assert.equal(a.subarray(4, 9).toString('latin1'), 'eth0\0');
  assert.deepEqual([...a.subarray(9)], [0, 0, 0]);
});

test('a nested attribute counts its children with their padding', () => {
  const kind = m.attr(m.IFLA_INFO_KIND, m.str('veth')); // 9 -> 12
  const peer = m.attr(m.VETH_INFO_PEER, m.ifinfomsg(), m.attr(m.IFLA_MTU, m.u32(1500))); // 4 + 16 + 8
  const info = m.attr(m.IFLA_LINKINFO, kind, m.attr(m.IFLA_INFO_DATA, peer));
  assert.equal(peer.readUInt16LE(0), 28);
  assert.equal(info.readUInt16LE(0), 4 + 12 + 4 + 28);
  const outer = m.parseAttrs(info.subarray(4));
  assert.equal(outer.get(m.IFLA_INFO_KIND)!.toString('latin1'), 'veth\0');
  const data = m.parseAttrs(outer.get(m.IFLA_INFO_DATA)!);
  const p = data.get(m.VETH_INFO_PEER)!;
  assert.equal(m.parseAttrs(p.subarray(16)).get(m.IFLA_MTU)!.readUInt32LE(0), 1500);
});

test('fixed headers put each field where the kernel reads it', () => {
  const i = m.ifinfomsg({ index: 7, flags: m.IFF_UP, change: m.IFF_UP });
  assert.deepEqual([i.length, i.readInt32LE(4), i.readUInt32LE(8), i.readUInt32LE(12)], [16, 7, 1, 1]);
  const a = m.ifaddrmsg({ family: m.AF_INET, prefixLen: 24, scope: 0, index: 3 });
  assert.deepEqual([...a], [2, 24, 0, 0, 3, 0, 0, 0]);
  const r = m.rtmsg({ family: m.AF_INET, dstLen: 0, table: m.RT_TABLE_MAIN, protocol: m.RTPROT_BOOT, scope: m.RT_SCOPE_UNIVERSE, type: m.RTN_UNICAST });
  assert.deepEqual([...r], [2, 0, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]);
});

test('a message carries its length, type, flags and sequence number', () => {
  const body = Buffer.concat([m.ifinfomsg(), m.attr(m.IFLA_IFNAME, m.str('lo'))]);
  const msg = m.message(m.RTM_GETLINK, m.NLM_F_REQUEST | m.NLM_F_ACK, 42, body);
  const [parsed] = m.parseMessages(msg);
  assert.deepEqual({ ...parsed, payload: undefined }, { type: m.RTM_GETLINK, flags: 5, seq: 42, payload: undefined });
  assert.equal(msg.readUInt32LE(0), 16 + body.length);
  assert.deepEqual(parsed!.payload, body);
});

test('an error answer decodes its errno and the extended-ack message', () => {
  const echoed = m.message(m.RTM_NEWLINK, 5, 9, Buffer.alloc(0));
  const payload = Buffer.concat([Buffer.alloc(4), echoed, m.attr(m.NLMSGERR_ATTR_MSG, m.str('Unknown device type'))]);
  payload.writeInt32LE(-17, 0);
  const flags = m.NLM_F_CAPPED | m.NLM_F_ACK_TLVS;
  const [reply] = m.parseMessages(m.message(m.NLMSG_ERROR, flags, 9, payload));
  assert.deepEqual(m.decodeError(reply!), { errno: 17, message: 'Unknown device type' });
  const [plain] = m.parseMessages(m.message(m.NLMSG_ERROR, 0, 9, payload));
  assert.deepEqual(m.decodeError(plain!), { errno: 17 });
});

test('addresses are checked before they are packed', () => {
  assert.deepEqual([...m.ipv4('10.249.0.1')], [10, 249, 0, 1]);
  assert.deepEqual([...m.mac('02:42:0a:f9:00:02')], [2, 0x42, 10, 0xf9, 0, 2]);
  assert.throws(() => m.ipv4('10.249.0'), /invalid IPv4/);
  assert.throws(() => m.ipv4('10.249.0.256'), /invalid IPv4/);
  assert.throws(() => m.mac('02:42:0a:f9:00'), /invalid MAC/);
});
