import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachTarget, testSubnet, uniq } from './harness.js';
import { missingClient, runProbe } from './clients/probe-runner.js';

const skip = missingClient('docker-py');

/** docker-py 5.0.3 (Debian python3-docker): the same scenario on each engine, Docker's answers as expected values. */
forEachTarget('docker-py client', (t) => {
  let r: Record<string, any> = {};
  const tag = uniq('py');
  before(async () => {
    if (!skip) r = await runProbe('python3', 'dockerpy-probe.py', t().socket, tag, { PROBE_SUBNET: testSubnet(0).subnet });
  }, { timeout: 200_000 });

  test('ping, version, info, images.list/get', { skip }, () => {
    assert.equal(r.ping, true);
    assert.deepEqual(r.version.has, ['ApiVersion', 'Arch', 'Components', 'MinAPIVersion', 'Os', 'Version']);
    assert.deepEqual(r.info.has, ['Containers', 'Driver', 'ID', 'Images', 'MemTotal', 'NCPU', 'Name', 'OperatingSystem', 'ServerVersion']);
    assert.equal(r['images.list'], true);
    assert.deepEqual(r['images.get'], { id_prefix: 'sha256:', short: true, tags: ['busybox:latest'] });
    assert.equal(r['images.get.missing'].raised, 'ImageNotFound');
    assert.equal(r['images.get.missing'].status, 404);
  });

  test('containers.run: output, stderr, ContainerError, missing image', { skip }, () => {
    assert.deepEqual(r['volume-data'], {
      name: `${tag}-pyvol`,
      driver: 'local',
      labels: { probe: tag },
      mountpoint_ok: true,
      mount: { Type: 'volume', Name: `${tag}-pyvol`, Destination: '/data', Driver: 'local', RW: false },
      read: 'kept\n',
      in_use: ['APIError', 409, true],
      after_remove: [],
    });
    assert.equal(r['run.remove'], 'hi\n');
    // stdout and stderr are separate pipes: their order in the log is not defined (also on Docker)
    assert.deepEqual(r['run.stderr'].split('\n').sort(), ['', 'err', 'out']);
    assert.equal(r['run.fail'].raised, 'ContainerError');
    assert.match(r['run.fail'].msg, /returned non-zero exit status 3: b'boom\\n'/);
    assert.equal(r['run.missing-image'].raised, 'APIError');
  });

  test('detached container: logs, attrs, labels, list filters, stop/wait/remove', { skip }, () => {
    const d = r.detach;
    assert.ok(d && !d.raised, JSON.stringify(d));
    assert.equal(d.status, 'running');
    assert.equal(d.logs, 'started\n');
    assert.deepEqual(d.attrs, ['Args', 'Config', 'Created', 'Driver', 'ExecIDs', 'HostConfig', 'HostnamePath', 'HostsPath', 'Id', 'Image', 'LogPath', 'Mounts', 'Name', 'NetworkSettings', 'Path', 'Platform', 'ResolvConfPath', 'RestartCount', 'State']);
    assert.deepEqual(d.image_tags, ['busybox:latest']);
    assert.deepEqual(d.list_filter, [d.name]);
    assert.deepEqual(d.list_status, [d.name]);
    assert.equal(d.stop, null);
    assert.equal(d.wait.StatusCode, 137);
    assert.deepEqual(d.after_remove, ['NotFound', 404]);
  });

  test('exec_run: output, demux, env/user/workdir, missing command, detach, inspect, stdin socket, tty', { skip }, () => {
    const d = r.detach;
    assert.equal(d.exec_error, undefined, JSON.stringify(d.exec_error));
    assert.deepEqual(d.exec, [0, 'exec-out\n']);
    assert.deepEqual(d.exec_demux, [5, ['o\n', 'e\n']]);
    assert.deepEqual(d.exec_env, [0, true]);
    assert.equal(d.exec_pwd, '/tmp\n');
    assert.equal(d.exec_missing[0], 126);
    assert.match(d.exec_missing[1], /^OCI runtime exec failed: exec failed: unable to start container process: exec: "/);
    assert.deepEqual(d.exec_detach, [null, '']);
    assert.equal(d.exec_inspect.ExitCode, 7);
    assert.equal(d.exec_inspect.Running, false);
    assert.deepEqual(d.exec_inspect.keys, ['CanRemove', 'ContainerID', 'DetachKeys', 'ExitCode', 'ID', 'OpenStderr', 'OpenStdin', 'OpenStdout', 'Pid', 'ProcessConfig', 'Running']);
    assert.deepEqual(d.exec_inspect.pc, { arguments: ['-c', 'exit 7'], entrypoint: 'sh', privileged: false, tty: false });
    assert.equal(d.exec_stdin, "b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\nvia-stdin\\n'");
    assert.equal(d.exec_tty, true);
    assert.equal(d.ExecIDs_len, 1, 'the detached `sleep 1` exec is still listed');
  });

  test('exec errors: not running (409), no such exec (404)', { skip }, () => {
    assert.equal(r['exec.not-running'].status, 409);
    assert.match(r['exec.not-running'].msg, /^Container [0-9a-f]{64} is not running$/);
    assert.deepEqual(r['exec.no-such'], { msg: 'No such exec instance: deadbeef', raised: 'NotFound', status: 404 });
  });

  test('create + attach_socket, attach(logs, stream)', { skip }, () => {
    assert.deepEqual(r['create.attach'], { raw: "b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x03a1\\n\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x03a2\\n'", wait: { Error: null, StatusCode: 0 } });
    // docker-py reads the hijacked socket past http.client's buffer, so the replayed `l1`
    // (sent right behind the headers) is often lost on Docker too: only the streamed part is stable.
    assert.match(r['attach.logs'], /(^|\n)l2\n$/);
  });

  test('errors map to NotFound/ImageNotFound/APIError with Docker status codes', { skip }, () => {
    assert.deepEqual(r.errors.get, ['NotFound', 404, 'No such container: no-such-ctr']);
    assert.deepEqual(r.errors.rmi, ['ImageNotFound', 404, 'No such image: no-such-img:1']);
    assert.deepEqual(r.errors.badname, ['APIError', 400, 'Invalid container name (bad name!), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed']);
    assert.deepEqual(r.errors.dup, ['APIError', 409]);
  });

  test('prune, volumes, networks, events, low-level APIClient at 1.24', { skip }, () => {
    assert.deepEqual(r['containers.prune'], { has: true, keys: ['ContainersDeleted', 'SpaceReclaimed'] });
    assert.deepEqual(r['images.prune'], ['ImagesDeleted', 'SpaceReclaimed']);
    assert.deepEqual(r.volumes, { list: [], raw: ['Volumes', 'Warnings'] });
    assert.ok(Array.isArray(r.networks) && r.networks.includes('host') && r.networks.includes('none'), JSON.stringify(r.networks));
    assert.deepEqual(r.events, ['create', 'start', 'die', 'destroy']);
    assert.deepEqual(r['lowlevel.1.24'], { imgs: 1, list: [[`/${tag}-low`]], logs: 'low\n', wait: { Error: null, StatusCode: 0 }, warn: [] });
  });

  test('networks.create/connect/disconnect and container.attrs NetworkSettings', { skip }, () => {
    const n = r.network;
    assert.ok(n && !n.raised, JSON.stringify(n));
    const { prefix } = testSubnet(0);
    assert.deepEqual(n.default, { networks: ['bridge'], ip_set: true, same_ip: true, gateway_set: true, mac_set: true, prefix: n.default.prefix });
    assert.ok(n.default.prefix >= 8 && n.default.prefix <= 30, JSON.stringify(n.default));
    assert.deepEqual(n.ipam, [{ Subnet: testSubnet(0).subnet, Gateway: `${prefix}.1` }]);
    assert.deepEqual(n.labels, { probe: tag });
    assert.deepEqual(n.connected, {
      networks: ['bridge', `${tag}-pynet`].sort(),
      ip: `${prefix}.40`,
      gateway: `${prefix}.1`,
      prefix: 24,
      ipam: { IPv4Address: `${prefix}.40` },
      has_alias: true,
      eth1: `${prefix}.40/24`,
    });
    assert.deepEqual(n.net_containers, [`${tag}-pync`]);
    assert.deepEqual(n.rm_in_use, ['APIError', 403, `error while removing network: network ${tag}-pynet id <id> has active endpoints`]);
    assert.deepEqual(n.disconnected, ['bridge']);
    assert.equal(n.links_after, 'eth0 lo');
    assert.deepEqual(n.disconnect_again, ['APIError', 500, `container <id> is not connected to network ${tag}-pynet`]);
    assert.deepEqual(n.after_remove, []);
  });
});
