import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCSVRecord, splitStringSlice } from './csv.js';
import { canonicalIP, cidrContains, isMAC, parseCIDR, parseIP } from './ip.js';
import { flagError, kvMap, listFlag, mapFlag, validateDNSSearch, validateExtraHost, validateIPAddress, validateLabel, validateLink } from './validators.js';

test('IP addresses parse and print like Go', () => {
  assert.equal(canonicalIP('10.0.0.1'), '10.0.0.1');
  assert.equal(canonicalIP('010.0.0.1'), undefined, 'leading zeros are refused since Go 1.17');
  assert.equal(canonicalIP('256.0.0.1'), undefined);
  assert.equal(canonicalIP('2001:DB8::0001'), '2001:db8::1');
  assert.equal(canonicalIP('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canonicalIP('::'), '::');
  assert.equal(canonicalIP('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(canonicalIP('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1', 'first of two equal zero runs');
  assert.equal(canonicalIP('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1', 'a single zero group is not compressed');
  assert.equal(canonicalIP('fe80::1%eth0'), undefined);
  assert.equal(canonicalIP('1:2:3:4:5:6:7:8:9'), undefined);
  assert.equal(canonicalIP('host'), undefined);
});

test('CIDRs contain addresses like Go (IPv4-mapped counts as IPv4)', () => {
  const n = parseCIDR('10.1.2.3/16');
  assert.equal(n.bits, 16);
  assert.ok(cidrContains(n, parseIP('10.1.200.1')!));
  assert.ok(cidrContains(n, parseIP('::ffff:10.1.0.9')!));
  assert.ok(!cidrContains(n, parseIP('10.2.0.1')!));
  assert.ok(cidrContains(parseCIDR('fd00::/8'), parseIP('fd12::1')!));
  assert.ok(!cidrContains(parseCIDR('fd00::/8'), parseIP('10.0.0.1')!));
  assert.throws(() => parseCIDR('10.0.0.0'), /^Error: invalid CIDR address: 10.0.0.0$/);
  assert.throws(() => parseCIDR('10.0.0.0/33'), /invalid CIDR address/);
});

test('MAC addresses: the forms net.ParseMAC takes', () => {
  for (const ok of ['92:d0:c6:0a:29:33', '92-D0-C6-0A-29-33', '0000.5e00.5301', '02:00:5e:10:00:00:00:01']) assert.ok(isMAC(ok), ok);
  for (const bad of ['zz', '92:d0:c6:0a:29', '92:d0:c6:0a:29:3g', '92:d0-c6:0a:29:33']) assert.ok(!isMAC(bad), bad);
});

test('CSV records (pflag string slices, the long --network form)', () => {
  assert.deepEqual(readCSVRecord('a,b'), ['a', 'b']);
  assert.deepEqual(readCSVRecord('"a,b",c'), ['a,b', 'c']);
  assert.deepEqual(readCSVRecord('"say ""hi""",'), ['say "hi"', '']);
  assert.deepEqual(splitStringSlice(''), []);
  assert.throws(() => readCSVRecord('"a'), /parse error on line 1, column 3: extraneous or missing " in quoted-field/);
  assert.throws(() => readCSVRecord('a"b'), /parse error on line 1, column 2: bare " in non-quoted-field/);
});

test('validators return what docker sends and fail with its words', () => {
  assert.equal(validateIPAddress(' 2001:DB8::1 '), '2001:db8::1');
  assert.throws(() => validateIPAddress('x'), /IP address is not correctly formatted: x/);
  assert.equal(validateDNSSearch('example.com.'), 'example.com');
  assert.equal(validateDNSSearch('.'), '.');
  assert.throws(() => validateDNSSearch('123'), /123 is not a valid domain/);
  assert.throws(() => validateDNSSearch('a b'), /a b is not a valid domain/);
  assert.equal(validateExtraHost('a=[::1]'), 'a:::1');
  assert.equal(validateExtraHost('gw:host-gateway'), 'gw:host-gateway');
  assert.equal(validateExtraHost('v6:0:0::1'), 'v6:0:0::1', 'the address is kept as written');
  assert.throws(() => validateExtraHost('nocolon'), /bad format for add-host: "nocolon"/);
  assert.throws(() => validateExtraHost('a:b'), /invalid IP address in add-host: "b"/);
  assert.equal(validateLink('db:alias'), 'db:alias');
  assert.throws(() => validateLink('a:b:c'), /bad format for links: a:b:c/);
  assert.throws(() => validateLabel(' '), /invalid label ' ': empty name/);
  assert.deepEqual(kvMap(['a=1', 'b', 'c=x=y']), { a: '1', b: '', c: 'x=y' });
});

test('flag parsers collect values and report pflag-style errors', () => {
  const dns = listFlag('--dns', validateIPAddress);
  assert.deepEqual(dns('::1', dns('1.1.1.1', undefined)), ['1.1.1.1', '::1']);
  assert.throws(() => dns('nope', undefined), (e: Error) => e.message === 'invalid argument "nope" for "--dns" flag: IP address is not correctly formatted: nope');
  const opt = mapFlag();
  assert.deepEqual(opt('b', opt('a=1', undefined)), { a: '1', b: '' });
  assert.equal(flagError('-f, --filter', 'x"y', 'bad').message, 'invalid argument "x\\"y" for "-f, --filter" flag: bad');
});
