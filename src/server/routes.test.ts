import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeBackends } from './fake-backends.js';
import { startTestServer, call } from './test-server.js';

/** podman apiv2-style one-liners: method, path, expected status, expected JSON fragment (or text). */
type Case = [method: string, path: string, status: number, expect?: unknown, body?: string];

const cases: Case[] = [
  ['GET', '/_ping', 200, 'OK'],
  ['HEAD', '/_ping', 200, ''],
  ['GET', '/v1.24/_ping', 200, 'OK'],
  ['GET', '/v1.43/_ping', 200, 'OK'],
  ['GET', '/v1.44/_ping', 400, { message: 'client version 1.44 is too new. Maximum supported API version is 1.43' }],
  ['GET', '/v1.12/version', 400, { message: 'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version' }],
  ['GET', '/nope', 404, { message: 'page not found' }],
  ['GET', '/v1.43/nope/x', 404, { message: 'page not found' }],
  ['PUT', '/containers/json', 404, { message: 'page not found' }],
  ['GET', '/version', 200, { ApiVersion: '1.43', MinAPIVersion: '1.24' }],
  ['GET', '/info', 200, { Driver: 'overlay2' }],
  // containers
  ['GET', '/containers/json', 200, [{ Id: 'web' }]],
  ['GET', '/containers/json?all=1', 200, [{ Id: 'c1' }, { Id: 'web' }]],
  ['GET', '/containers/json?all=True', 200, [{ Id: 'c1' }, { Id: 'web' }]],
  ['GET', '/containers/json?filters=nope', 400, { message: "invalid filter 'nope'" }],
  ['GET', '/containers/json?limit=x', 400, { message: 'strconv.Atoi: parsing "x": invalid syntax' }],
  ['GET', '/containers/c1/json', 200, { Id: 'c1', Name: '/c1' }],
  // request targets: escapes decoded, dot segments resolved, query (and a stray fragment) split off
  ['GET', '/v1.43/containers/%63%31/json', 200, { Id: 'c1' }],
  ['GET', '/v1.43/containers/x/../c1/json?size=0#frag', 200, { Id: 'c1' }],
  ['GET', '/v1.43/./containers/json?all=1&all=0', 200, [{ Id: 'c1' }, { Id: 'web' }]],
  ['GET', '/containers/%zz/json', 400, { message: 'invalid URL escape in /containers/%zz/json' }],
  ['GET', '/v1.43/containers/missing/json', 404, { message: 'No such container: missing' }],
  ['POST', '/containers/create?name=new1', 201, { Id: 'new1', Warnings: [] }, '{"Image":"busybox"}'],
  ['POST', '/containers/create?name=c1', 409, { message: 'Conflict. The container name "/c1" is already in use' }, '{"Image":"busybox"}'],
  ['POST', '/containers/create', 404, { message: 'No such image: alpine:latest' }, '{"Image":"alpine"}'],
  ['POST', '/containers/create', 400, { message: "invalid character 'x' looking for beginning of value" }, 'xyz'],
  ['POST', '/containers/create', 400, { message: 'config cannot be empty in order to create a container' }, ''],
  ['POST', '/containers/create', 400, { message: 'unexpected EOF' }, '{"Image":'],
  ['POST', '/containers/c1/start', 204, ''],
  ['POST', '/containers/web/start', 304, ''],
  ['POST', '/containers/missing/start', 404, { message: 'No such container: missing' }],
  ['POST', '/containers/web/kill?signal=HUP', 204, ''],
  ['POST', '/containers/web/pause', 204, ''],
  ['POST', '/containers/web/stop?t=3', 204, ''],
  ['POST', '/containers/web/start', 204, ''],
  ['POST', '/containers/c1/stop', 204, ''],
  ['POST', '/containers/c1/stop', 304, ''],
  ['POST', '/containers/c1/kill', 409, { message: 'Container c1 is not running' }],
  ['POST', '/containers/web/restart', 204, ''],
  ['POST', '/containers/c1/rename?name=c2', 204, ''],
  ['POST', '/containers/c1/rename', 400, { message: 'Neither old nor new names may be empty' }],
  ['POST', '/containers/web/unpause', 501, { message: 'unpause is not implemented' }],
  ['POST', '/containers/web/resize?h=40&w=120', 200, ''],
  ['POST', '/containers/web/resize?h=x', 400, { message: 'strconv.Atoi: parsing "x": invalid syntax' }],
  ['POST', '/containers/web/wait?condition=bogus', 400, { message: 'invalid condition: "bogus"' }],
  ['POST', '/containers/missing/wait', 404, { message: 'No such container: missing' }],
  ['POST', '/containers/c1/wait', 200, { StatusCode: 0, Error: null }],
  ['GET', '/containers/c1/logs', 400, { message: 'Bad parameters: you must choose at least one stream' }],
  ['GET', '/containers/missing/logs?stdout=1', 404, { message: 'No such container: missing' }],
  ['DELETE', '/containers/web', 409, { message: 'You cannot remove a running container web. Stop the container before attempting removal or force remove' }],
  ['DELETE', '/containers/web?force=1', 204, ''],
  ['DELETE', '/containers/missing', 404, { message: 'No such container: missing' }],
  ['POST', '/containers/prune', 501, { message: 'container prune is not implemented' }],
  // swarm: berth answers as a dockerd outside a swarm
  ['GET', '/swarm', 503, { message: 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.' }],
  ['GET', '/services?filters=%7B%7D', 503, { message: 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.' }],
  ['DELETE', '/nodes/abc', 503, {}],
  ['POST', '/swarm/leave', 503, { message: 'This node is not part of a swarm' }],
  // images
  ['GET', '/images/json', 200, [{ RepoTags: ['busybox:latest'] }]],
  ['GET', '/images/busybox/json', 200, { RepoTags: ['busybox:latest'] }],
  ['GET', '/images/nope/json', 404, { message: 'No such image: nope:latest' }],
  ['GET', '/images/busybox/history', 200, [{ CreatedBy: 'sh' }]],
  ['POST', '/images/busybox/tag?repo=localhost:5000/a/b&tag=v1', 201, ''],
  ['GET', '/images/localhost:5000/a/b:v1/json', 200, { RepoTags: ['localhost:5000/a/b:v1'] }],
  ['POST', '/images/busybox/tag', 400, { message: 'repository name must have at least one component' }],
  ['DELETE', '/images/busybox', 409, { message: 'conflict: unable to remove repository reference "busybox" (must force) - container c1 is using its referenced image aaaaaaaaaaaa' }],
  ['DELETE', '/images/localhost:5000/a/b:v1', 200, [{ Untagged: 'localhost:5000/a/b:v1' }]],
  ['GET', '/images/busybox/get', 200, 'TAR(busybox)'],
  ['GET', '/images/get?names=busybox&names=busybox:latest', 200, 'TAR(busybox,busybox:latest)'],
  ['GET', '/images/get?names=nope', 404, { message: 'No such image: nope:latest' }],
  ['POST', '/images/prune', 200, { ImagesDeleted: null, SpaceReclaimed: 0 }],
  ['POST', '/images/load', 200, { errorDetail: { message: 'unexpected EOF' }, error: 'unexpected EOF' }],
  ['POST', '/images/localhost:5000/a/b/push?tag=v1', 501, { message: 'pushing images is not available in this build of berthd' }],
  ['POST', '/images/create?fromImage=nosuch&tag=latest', 404, { message: "pull access denied for nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied" }],
];

/** Recursive subset match: every key/element in `want` must be in `got`. */
function subset(got: unknown, want: unknown): boolean {
  if (want === null || typeof want !== 'object') return got === want;
  if (Array.isArray(want)) return Array.isArray(got) && want.every((w, i) => subset(got[i], w));
  if (got === null || typeof got !== 'object') return false;
  return Object.entries(want).every(([k, v]) => subset((got as Record<string, unknown>)[k], v));
}

test('API table: status codes, error wording, version prefixes', async () => {
  const backends = fakeBackends();
  const srv = await startTestServer(backends);
  try {
    for (const [method, path, status, expect, body] of cases) {
      const headers: Record<string, string> = body ? { 'Content-Type': 'application/json' } : {};
      const r = await call(srv.socketPath, method, path, body, headers);
      const label = `${method} ${path}`;
      assert.equal(r.status, status, `${label}: status ${r.status} body ${r.text}`);
      assert.equal(r.headers['api-version'], '1.43', `${label}: Api-Version header`);
      assert.equal(r.headers['ostype'], 'linux', label);
      assert.equal(r.headers['docker-experimental'], 'false', label);
      assert.match(String(r.headers['server']), /^Docker\/.* \(linux\)$/, label);
      if (typeof expect === 'string') assert.equal(r.text, expect, label);
      else if (expect !== undefined) {
        assert.match(String(r.headers['content-type']), /^application\/json/, label);
        assert.ok(subset(JSON.parse(r.text), expect), `${label}: got ${r.text}`);
      }
    }
    assert.ok(backends.fake.calls.includes('stop web t=3 signal=undefined'));
    assert.ok(backends.fake.calls.includes('kill web HUP'));
    assert.ok(backends.fake.calls.includes('resize web 40x120'));
  } finally {
    await srv.close();
  }
});

test('ping headers match dockerd', async () => {
  const srv = await startTestServer(fakeBackends());
  try {
    for (const m of ['GET', 'HEAD']) {
      const r = await call(srv.socketPath, m, '/_ping');
      assert.equal(r.headers['builder-version'], '1');
      assert.equal(r.headers['cache-control'], 'no-cache, no-store, must-revalidate');
      assert.equal(r.headers['pragma'], 'no-cache');
    }
  } finally {
    await srv.close();
  }
});

test('stop signal param is only honoured from API 1.42', async () => {
  const b = fakeBackends();
  const srv = await startTestServer(b);
  try {
    b.fake.containers.get('web')!.running = true;
    await call(srv.socketPath, 'POST', '/v1.41/containers/web/stop?signal=USR1');
    b.fake.containers.get('web')!.running = true;
    await call(srv.socketPath, 'POST', '/v1.42/containers/web/stop?signal=USR1');
    assert.deepEqual(b.fake.calls.filter((c) => c.startsWith('stop')), ['stop web t=undefined signal=undefined', 'stop web t=undefined signal=USR1']);
  } finally {
    await srv.close();
  }
});
