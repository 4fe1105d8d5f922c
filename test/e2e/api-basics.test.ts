import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachTarget } from './harness.js';

forEachTarget('api basics', (t) => {
  test('GET and HEAD /_ping answer OK with an Api-Version header', async () => {
    const r = await t().api('GET', '/_ping');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'OK');
    assert.match(String(r.headers['api-version']), /^1\.\d+$/);
    const h = await t().api('HEAD', '/_ping');
    assert.equal(h.status, 200);
  });

  test('GET /version has the Engine fields, also under /v1.24/', async () => {
    for (const path of ['/version', '/v1.24/version', '/v1.41/version']) {
      const r = await t().api('GET', path);
      assert.equal(r.status, 200, `${path}: ${r.body}`);
      const v = r.json();
      assert.match(v.ApiVersion, /^1\.\d+$/, path);
      assert.match(v.MinAPIVersion, /^1\.\d+$/, path);
      assert.equal(v.Os, 'linux');
      assert.equal(v.Arch, 'amd64');
      assert.equal(typeof v.Version, 'string');
    }
  });

  test('a too-new API version is refused with Docker\'s wording', async () => {
    const r = await t().api('GET', '/v1.99/version');
    assert.equal(r.status, 400);
    assert.match(r.body, /client version 1\.99 is too new\. Maximum supported API version is 1\.\d+/);
  });

  test('a too-old API version is refused with Docker\'s wording', async () => {
    const r = await t().api('GET', '/v1.11/version');
    assert.equal(r.status, 400);
    assert.match(r.body, /client version 1\.11 is too old\. Minimum supported API version is 1\.\d+/);
  });

  test('GET /info and /v1.24/info describe the engine', async () => {
    for (const path of ['/info', '/v1.24/info']) {
      const r = await t().api('GET', path);
      assert.equal(r.status, 200, `${path}: ${r.body}`);
      const info = r.json();
      assert.equal(typeof info.Containers, 'number');
      assert.equal(typeof info.Images, 'number');
      assert.equal(info.OSType, 'linux');
      assert.equal(typeof info.ServerVersion, 'string');
    }
  });

  test('docker version / info through the CLI', async () => {
    const v = await t().docker(['version', '--format', '{{.Server.APIVersion}}']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout.trim(), /^1\.\d+$/);
    const i = await t().docker(['info', '--format', '{{.OSType}}']);
    assert.equal(i.code, 0, i.stderr);
    assert.equal(i.stdout.trim(), 'linux');
  });

  test('unknown objects get Docker\'s not-found wording', async () => {
    const rm = await t().docker(['rm', 'no-such-ctr-e2e']);
    assert.notEqual(rm.code, 0);
    assert.match(rm.stderr, /No such container: no-such-ctr-e2e/);
    const ins = await t().docker(['inspect', 'no-such-obj-e2e']);
    assert.equal(ins.code, 1);
    assert.match(ins.stderr, /No such object: no-such-obj-e2e/);
    const api = await t().api('GET', '/containers/no-such-ctr-e2e/json');
    assert.equal(api.status, 404);
    assert.equal(api.json().message, 'No such container: no-such-ctr-e2e');
  });
});
