import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basicCredentials, decodeAuthHeader, encodeAuthHeader } from './auth-config.js';
import { parseChallenge } from './www-authenticate.js';
import { apiHost, isInsecureRegistry } from './registry-host.js';
import { humanSize, progressBar } from './progress.js';
import { parsePlatform, platformMatches } from './platform.js';
import { pullReference } from './registry-puller.js';
import { splitSearchTerm } from './registry-search.js';
import { loginDomain } from './registry-login.js';
import { runLimited } from './limit.js';

test('WWW-Authenticate challenges parse (quoted, unquoted, escaped)', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' },
  });
  assert.deepEqual(parseChallenge('Basic realm="a \\"b\\""'), { scheme: 'basic', params: { realm: 'a "b"' } });
  assert.deepEqual(parseChallenge('bearer realm=http://x/t'), { scheme: 'bearer', params: { realm: 'http://x/t' } });
  assert.equal(parseChallenge('Negotiate abc'), undefined);
  assert.equal(parseChallenge(undefined), undefined);
});

test('insecure registries: loopback by default, listed hosts and CIDRs', () => {
  assert.equal(isInsecureRegistry('127.0.0.1:5000', []), true);
  assert.equal(isInsecureRegistry('127.8.9.1', []), true);
  assert.equal(isInsecureRegistry('localhost:5000', []), true);
  assert.equal(isInsecureRegistry('[::1]:5000', []), true);
  assert.equal(isInsecureRegistry('registry.example.com', []), false);
  assert.equal(isInsecureRegistry('registry.example.com:5000', ['registry.example.com:5000']), true);
  assert.equal(isInsecureRegistry('10.1.2.3:5000', ['10.0.0.0/8']), true);
  assert.equal(isInsecureRegistry('11.1.2.3:5000', ['10.0.0.0/8']), false);
  assert.equal(apiHost('docker.io'), 'registry-1.docker.io');
  assert.equal(apiHost('127.0.0.1:5000'), '127.0.0.1:5000');
});

test('auth header round trip; auth field decodes; bad header is anonymous', () => {
  const h = encodeAuthHeader({ username: 'u', password: 'p:w', serveraddress: 'x' });
  assert.doesNotMatch(h, /[+/]/);
  assert.deepEqual(basicCredentials(decodeAuthHeader(h)), { username: 'u', password: 'p:w' });
  assert.deepEqual(basicCredentials({ auth: Buffer.from('a:b:c').toString('base64') }), { username: 'a', password: 'b:c' });
  assert.deepEqual(decodeAuthHeader('!!!'), {});
  assert.equal(basicCredentials({}), undefined);
});

test('progress bar and sizes as dockerd renders them', () => {
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1234567), '1.235MB');
  assert.equal(progressBar(0, 100), `[>${' '.repeat(49)}]       0B/100B`);
  assert.equal(progressBar(50, 100), `[${'='.repeat(25)}>${' '.repeat(24)}]      50B/100B`);
  assert.equal(progressBar(100, 100), `[${'='.repeat(50)}]     100B/100B`);
});

test('references, platforms, search terms, login servers', () => {
  assert.deepEqual(pullReference('busybox', 'latest'), { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
  const d = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(pullReference('127.0.0.1:5000/x', d), { domain: '127.0.0.1:5000', path: 'x', digest: d });
  assert.deepEqual(pullReference('x'), { domain: 'docker.io', path: 'library/x', tag: 'latest', allTags: true });
  assert.deepEqual(pullReference('x:1'), { domain: 'docker.io', path: 'library/x', tag: '1' });
  assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.throws(() => parsePlatform('linux/a b'), /unknown operating system or architecture/);
  assert.equal(platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'arm64' }), true);
  assert.equal(platformMatches({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }), false);
  assert.deepEqual(splitSearchTerm('127.0.0.1:5000/busy'), { domain: '127.0.0.1:5000', query: 'busy' });
  assert.deepEqual(splitSearchTerm('busybox'), { domain: 'docker.io', query: 'busybox' });
  assert.equal(loginDomain('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(loginDomain('http://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
});

test('runLimited keeps at most n in flight and reports the first error', async () => {
  let active = 0;
  let peak = 0;
  await runLimited([1, 2, 3, 4, 5, 6, 7], 3, async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
  });
  assert.equal(peak, 3);
  await assert.rejects(runLimited([1, 2, 3], 2, async (i) => {
    if (i === 2) throw new Error('boom');
  }), /boom/);
});

test('trusted CAs: bundled roots plus certs.d/<host>/*.crt', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { trustedCAs } = await import('./tls-trust.js');
  const d = mkdtempSync(join(tmpdir(), 'berth-certsd-'));
  try {
    mkdirSync(join(d, 'reg.example:5000'));
    writeFileSync(join(d, 'reg.example:5000', 'ca.crt'), 'PEM-MARKER');
    writeFileSync(join(d, 'reg.example:5000', 'ignored.txt'), 'NOPE');
    const cas = trustedCAs('reg.example:5000', [d]);
    assert.ok(cas.includes('PEM-MARKER'));
    assert.ok(!cas.includes('NOPE'));
    assert.ok(cas.length > 100, 'bundled roots kept');
    assert.ok(!trustedCAs('other.example', [d]).includes('PEM-MARKER'));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
