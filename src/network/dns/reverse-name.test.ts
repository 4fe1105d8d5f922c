import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFromReverseName } from './reverse-name.js';

test('IPv4 reverse names map to the address; partial or invalid ones do not', () => {
  assert.equal(addressFromReverseName('3.0.17.172.in-addr.arpa'), '172.17.0.3');
  assert.equal(addressFromReverseName('0.0.0.10.in-addr.arpa'), '10.0.0.0');
  assert.equal(addressFromReverseName('17.172.in-addr.arpa'), undefined);
  assert.equal(addressFromReverseName('256.0.17.172.in-addr.arpa'), undefined);
  assert.equal(addressFromReverseName('03.0.17.172.in-addr.arpa'), undefined);
  assert.equal(addressFromReverseName('x.0.17.172.in-addr.arpa'), undefined);
  assert.equal(addressFromReverseName('web.mynet'), undefined);
});

test('IPv6 reverse names map to the RFC 5952 text form', () => {
  const nibbles = (hex: string) => [...hex].reverse().join('.') + '.ip6.arpa';
  assert.equal(addressFromReverseName(nibbles('20010db8000000000000000000000001')), '2001:db8::1');
  assert.equal(addressFromReverseName(nibbles('fd000000000000010000000000000000')), 'fd00:0:0:1::');
  assert.equal(addressFromReverseName(nibbles('00000000000000000000000000000001')), '::1');
  assert.equal(addressFromReverseName(nibbles('20010db8000100010001000100010001')), '2001:db8:1:1:1:1:1:1');
  assert.equal(addressFromReverseName(nibbles('20010000000000010000000000000001')), '2001:0:0:1::1');
  assert.equal(addressFromReverseName(nibbles('20010000000000010000000000010000')), '2001::1:0:0:1:0');
  assert.equal(addressFromReverseName('1.0.ip6.arpa'), undefined);
});
