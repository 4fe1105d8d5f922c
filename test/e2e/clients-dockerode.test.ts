import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachTarget, testSubnet, uniq } from './harness.js';
import { freePort } from './lib/net-probes.js';
import { missingClient, runProbe } from './clients/probe-runner.js';

const skip = missingClient('dockerode');

/** dockerode (npm devDependency): the same scenario on each engine, Docker's answers as expected values. */
forEachTarget('dockerode client', (t) => {
  let r: Record<string, any> = {};
  const tag = uniq('ode');
  let port = 0;
  before(async () => {
    port = await freePort();
    if (!skip) r = await runProbe(process.execPath, 'dockerode-probe.mjs', t().socket, tag, { PROBE_SUBNET: testSubnet(0).subnet, PROBE_PORT: String(port) });
  }, { timeout: 200_000 });

  test('ping, version, listContainers, listImages, getImage().inspect()', { skip }, () => {
    assert.equal(r.ping, 'OK');
    assert.deepEqual(r.version, ['ApiVersion', 'Version', 'Os']);
    assert.equal(r.listContainers, true);
    assert.equal(r.listImages, true);
    assert.deepEqual(r['getImage.inspect'], { tags: ['busybox:latest'], keys: ['Id', 'RepoTags', 'Created', 'Config', 'RootFS', 'Os', 'Architecture', 'Size'] });
  });

  test('createContainer + start + wait + logs (buffer and demuxed follow stream)', { skip }, () => {
    const c = r['create-start-wait-logs'];
    assert.deepEqual(c.wait, { Error: null, StatusCode: 2 });
    assert.equal(c.logsType, 'buffer');
    assert.equal(c.logsLen, 22, 'two 8-byte frame headers + 3 bytes each');
    assert.deepEqual(c.demux, ['o1\n', 'e1\n']);
    assert.deepEqual(c.state, ['exited', 2]);
    assert.deepEqual(c.list.map((x: unknown[]) => x.slice(0, 2)), [[[`/${tag}-cswl`], 'exited']]);
  });

  test('run helper with stdout/stderr streams and with a TTY', { skip }, () => {
    assert.deepEqual(r['run-helper'], { StatusCode: 3, out: 'r-out\n', err: 'r-err\n' });
    assert.deepEqual(r['run-tty'], { StatusCode: 0, out: 'has-tty\n' });
  });

  test('hijacked attach with stdin, demuxed by modem.demuxStream (request body is not stdin)', { skip }, () => {
    assert.deepEqual(r['attach-demux'], { wait: 0, out: 'got-ping\n', err: 'e\n' });
  });

  test('exec: hijacked start, demuxed output, inspect exit code', { skip }, () => {
    assert.deepEqual(r.exec, { out: 'x-out\n', err: 'x-err\n', exit: 6, running: false });
  });

  test('errors: missing image/container are 404, pull from a dead registry fails', { skip }, () => {
    assert.equal(r['getImage.missing'].status, 404);
    assert.equal(r['getImage.missing'].reason, 'no such image');
    assert.deepEqual(r['getContainer.missing'], { raised: 'Error', status: 404, reason: 'no such container', msg: 'No such container: nonexistent-xyz' });
    const p = r['pull.missing'];
    assert.ok(p.status >= 500, JSON.stringify(p));
    assert.match(p.msg, /Get "http:\/\/127\.0\.0\.1:1\/v2\/": dial tcp 127\.0\.0\.1:1: connect: connection refused/);
  });

  test('networks create/inspect/list/remove and volumes list', { skip }, () => {
    assert.deepEqual(r.networks, { name: `${tag}-net`, driver: 'bridge', scope: 'local', listed: [`${tag}-net`] });
    assert.deepEqual(r.volumes, ['Volumes', 'Warnings']);
  });

  test('volumes: create/inspect/list, a named volume through Binds and through Mounts (read-only), in-use refusal, remove, prune', { skip }, () => {
    const v = r['named-volume'];
    assert.ok(v && !v.raised, JSON.stringify(v));
    const name = `${tag}-vol`;
    assert.equal(v.created, name);
    assert.deepEqual(v.inspect, [name, 'local', 'local', { probe: tag }, true, ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']]);
    assert.deepEqual(v.listed, [[name, 'local', { probe: tag }]]);
    assert.equal(v.wrote, 0);
    assert.deepEqual(v.read, [0, 'kept\nread-only\n']);
    assert.deepEqual(v.mounts, [{ Type: 'volume', Name: name, Source: '<volumes>/_data', Destination: '/m', Driver: 'local', Mode: 'z', RW: false, Propagation: '' }]);
    assert.deepEqual(v.inUse, { status: 409, msg: `remove ${name}: volume is in use - [<ids>]` });
    assert.deepEqual(v.pruned, [[name], 'number']);
    assert.equal(v.afterPrune, 0);
    assert.deepEqual(v.gone, { status: 404, msg: `get ${tag}-vol2: no such volume` });
  });

  test('createNetwork + connect with alias and address, a published port, getContainer().inspect()', { skip }, () => {
    const n = r['network-ports'];
    assert.ok(n && !n.raised, JSON.stringify(n));
    const { subnet, prefix } = testSubnet(0);
    assert.deepEqual(n.networks, ['bridge', `${tag}-odenet`].sort());
    assert.equal(n.ip, `${prefix}.30`);
    assert.equal(n.gateway, `${prefix}.1`);
    assert.equal(n.hasAlias, true);
    assert.deepEqual(n.ports, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    assert.deepEqual(n.bindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    assert.equal(n.body, 'ode-ok\n');
    assert.deepEqual(n.ipam, [{ Subnet: subnet, Gateway: `${prefix}.1` }]);
    assert.deepEqual(n.endpoints, [[`${tag}-odeweb`, `${prefix}.30/24`]]);
    assert.deepEqual(n.listed, [{ ports: [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: port, Type: 'tcp' }], networks: ['bridge', `${tag}-odenet`].sort() }]);
    assert.deepEqual(n.afterDisconnect, ['bridge']);
  });
});
