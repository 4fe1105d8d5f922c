// dockerode scenario: the same steps against DOCKER_HOST (unix socket), printing one JSON object
// of observable results for comparison between engines.
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import http from 'node:http';

const docker = new Docker({ socketPath: process.env.DOCKER_HOST.replace(/^unix:\/\//, '') });
const tag = process.env.PROBE_TAG ?? 'probe';
const out = {};
async function step(name, fn) {
  try {
    out[name] = await fn();
  } catch (e) {
    out[name] = { raised: e.constructor?.name, status: e.statusCode, reason: e.reason, msg: String(e.json?.message ?? e.message).slice(0, 160) };
  }
}
const collect = (stream) => {
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  return () => Buffer.concat(chunks).toString();
};

await step('ping', async () => String(await docker.ping()));
await step('version', async () => { const v = await docker.version(); return ['ApiVersion', 'Version', 'Os'].filter((k) => k in v); });
await step('listContainers', async () => Array.isArray(await docker.listContainers({ all: true })));
await step('create-start-wait-logs', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo o1; echo e1 >&2; exit 2'], name: `${tag}-cswl`, Labels: { probe: tag } });
  await c.start();
  const w = await c.wait();
  const logs = await c.logs({ stdout: true, stderr: true });
  const so = new PassThrough(), se = new PassThrough();
  const gotO = collect(so), gotE = collect(se);
  const stream = await c.logs({ stdout: true, stderr: true, follow: true });
  await new Promise((r) => { docker.modem.demuxStream(stream, so, se); stream.on('end', r); });
  const info = await c.inspect();
  const list = (await docker.listContainers({ all: true, filters: { label: [`probe=${tag}`] } })).map((x) => [x.Names, x.State, x.Status.replace(/\d+ \w+ ago/, 'N ago')]);
  await c.remove();
  return { wait: w, logsType: Buffer.isBuffer(logs) ? 'buffer' : typeof logs, logsLen: logs.length, demux: [gotO(), gotE()], state: [info.State.Status, info.State.ExitCode], list };
});
await step('run-helper', async () => {
  const so = new PassThrough(), se = new PassThrough();
  const gotO = collect(so), gotE = collect(se);
  const [data, container] = await docker.run('busybox', ['sh', '-c', 'echo r-out; echo r-err >&2; exit 3'], [so, se], { Tty: false, name: `${tag}-run` });
  await container.remove();
  return { StatusCode: data.StatusCode, out: gotO(), err: gotE() };
});
await step('run-tty', async () => {
  const so = new PassThrough();
  const got = collect(so);
  const [data, container] = await docker.run('busybox', ['sh', '-c', 'tty >/dev/null && echo has-tty'], so, { Tty: true });
  await container.remove();
  return { StatusCode: data.StatusCode, out: got().replace(/\r/g, '') };
});
await step('attach-demux', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'read x; echo got-$x; echo e >&2'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const stream = await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
  const so = new PassThrough(), se = new PassThrough();
  const gotO = collect(so), gotE = collect(se);
  docker.modem.demuxStream(stream, so, se);
  const ended = new Promise((r) => stream.on('end', r));
  await c.start();
  stream.end('ping\n');
  const w = await c.wait();
  await Promise.race([ended, new Promise((r) => setTimeout(r, 3000))]);
  await c.remove();
  return { wait: w.StatusCode, out: gotO(), err: gotE() };
});
await step('exec', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '60'] });
  await c.start();
  const ex = await c.exec({ Cmd: ['sh', '-c', 'echo x-out; echo x-err >&2; exit 6'], AttachStdout: true, AttachStderr: true });
  const stream = await ex.start({ hijack: true, stdin: false });
  const so = new PassThrough(), se = new PassThrough();
  const gotO = collect(so), gotE = collect(se);
  docker.modem.demuxStream(stream, so, se);
  await new Promise((r) => stream.on('end', r));
  const ins = await ex.inspect();
  await c.remove({ force: true });
  return { out: gotO(), err: gotE(), exit: ins.ExitCode, running: ins.Running };
});
await step('getImage.inspect', async () => {
  const i = await docker.getImage('busybox').inspect();
  return { tags: i.RepoTags, keys: ['Id', 'RepoTags', 'Created', 'Config', 'RootFS', 'Os', 'Architecture', 'Size'].filter((k) => k in i) };
});
await step('getImage.missing', async () => docker.getImage('nonexistent-xyz:1').inspect());
await step('getContainer.missing', async () => docker.getContainer('nonexistent-xyz').inspect());
await step('pull.missing', async () => {
  const stream = await docker.pull('127.0.0.1:1/nonexistent-xyz:1');
  return await new Promise((resolve) => docker.modem.followProgress(stream, (err, res) => resolve({ err: err && String(err.message ?? err).slice(0, 80), res })));
});
await step('listImages', async () => (await docker.listImages()).some((i) => (i.RepoTags ?? []).includes('busybox:latest')));
await step('networks', async () => {
  const n = await docker.createNetwork({ Name: `${tag}-net`, Labels: { probe: tag } });
  const ins = await n.inspect();
  const listed = (await docker.listNetworks({ filters: { label: [`probe=${tag}`] } })).map((x) => x.Name);
  await n.remove();
  return { name: ins.Name, driver: ins.Driver, scope: ins.Scope, listed };
});
await step('network-ports', async () => {
  // createNetwork with IPAM, connect with an alias and a fixed address, a published port; subnet/port from the test
  const subnet = process.env.PROBE_SUBNET;
  const hostPort = process.env.PROBE_PORT;
  const prefix = subnet.split('.').slice(0, 3).join('.');
  const n = await docker.createNetwork({ Name: `${tag}-odenet`, IPAM: { Config: [{ Subnet: subnet, Gateway: `${prefix}.1` }] }, Labels: { probe: tag } });
  const c = await docker.createContainer({
    Image: 'busybox', name: `${tag}-odeweb`,
    Cmd: ['sh', '-c', 'mkdir -p /w && echo ode-ok > /w/index.html && exec httpd -f -p 80 -h /w'],
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: hostPort }] } },
  });
  try {
    await n.connect({ Container: c.id, EndpointConfig: { Aliases: ['odeal'], IPAMConfig: { IPv4Address: `${prefix}.30` } } });
    await c.start();
    const ins = await c.inspect();
    const ep = ins.NetworkSettings.Networks[`${tag}-odenet`] ?? {};
    let body = '';
    for (let i = 0; i < 40 && !body; i++) {
      body = await new Promise((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: Number(hostPort), path: '/', timeout: 2000, agent: false }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(''));
      });
      if (!body) await new Promise((r) => setTimeout(r, 250));
    }
    const netIns = await n.inspect();
    const listed = (await docker.listContainers({ filters: { name: [`${tag}-odeweb`] } })).map((x) => ({ ports: x.Ports.filter((p) => !p.IP?.includes(':')), networks: Object.keys(x.NetworkSettings.Networks).sort() }));
    await n.disconnect({ Container: c.id });
    const after = await c.inspect();
    return {
      networks: Object.keys(ins.NetworkSettings.Networks).sort(),
      ip: ep.IPAddress, gateway: ep.Gateway, hasAlias: (ep.Aliases ?? []).includes('odeal'),
      ports: ins.NetworkSettings.Ports, bindings: ins.HostConfig.PortBindings,
      body, ipam: netIns.IPAM.Config, endpoints: Object.values(netIns.Containers).map((x) => [x.Name, x.IPv4Address]),
      listed, afterDisconnect: Object.keys(after.NetworkSettings.Networks).sort(),
    };
  } finally {
    await c.remove({ force: true });
    await n.remove();
  }
});
await step('volumes', async () => Object.keys(await docker.listVolumes()).sort());
await step('named-volume', async () => {
  // create/inspect/list, a container writing through Binds, another reading through Mounts (read-only),
  // in-use refusal, remove, and prune (pinned to API 1.41, whose prune takes named volumes too)
  const name = `${tag}-vol`;
  const created = await docker.createVolume({ Name: name, Labels: { probe: tag } });
  const ins = await created.inspect();
  const listed = (await docker.listVolumes({ filters: { label: [`probe=${tag}`] } })).Volumes.map((x) => [x.Name, x.Driver, x.Labels]);
  const w = await docker.createContainer({ Image: 'busybox', name: `${tag}-volw`, Cmd: ['sh', '-c', 'echo kept > /data/f'], HostConfig: { Binds: [`${name}:/data`], NetworkMode: 'none' } });
  await w.start();
  const wrote = await w.wait();
  const r = await docker.createContainer({ Image: 'busybox', name: `${tag}-volr`, Cmd: ['sh', '-c', 'cat /m/f; echo x > /m/g 2>/dev/null || echo read-only'], HostConfig: { Mounts: [{ Type: 'volume', Source: name, Target: '/m', ReadOnly: true }], NetworkMode: 'none' } });
  const so = new PassThrough();
  const got = collect(so);
  const stream = await r.attach({ stream: true, stdout: true, stderr: true });
  docker.modem.demuxStream(stream, so, new PassThrough());
  await r.start();
  const read = await r.wait();
  await new Promise((res) => setTimeout(res, 100));
  const mounts = (await r.inspect()).Mounts.map((m) => ({ ...m, Source: m.Source.endsWith(`/volumes/${name}/_data`) ? '<volumes>/_data' : m.Source }));
  let inUse;
  try {
    await docker.getVolume(name).remove();
  } catch (e) {
    inUse = { status: e.statusCode, msg: String(e.json?.message ?? e.message).replace(/\[[0-9a-f]{64}(, [0-9a-f]{64})*\]/, '[<ids>]') };
  }
  await w.remove();
  await r.remove();
  const old = new Docker({ socketPath: process.env.DOCKER_HOST.replace(/^unix:\/\//, ''), version: 'v1.41' });
  const pruned = await old.pruneVolumes({ filters: { label: [`probe=${tag}`] } });
  const afterPrune = (await docker.listVolumes({ filters: { label: [`probe=${tag}`] } })).Volumes?.length ?? 0;
  const again = await docker.createVolume({ Name: `${tag}-vol2` });
  await again.remove();
  let gone;
  try {
    await again.inspect();
  } catch (e) {
    gone = { status: e.statusCode, msg: String(e.json?.message ?? e.message) };
  }
  return {
    created: created.name,
    inspect: [ins.Name, ins.Driver, ins.Scope, ins.Labels, ins.Mountpoint.endsWith(`/volumes/${name}/_data`), Object.keys(ins).sort()],
    listed, wrote: wrote.StatusCode, read: [read.StatusCode, got()], mounts, inUse,
    pruned: [pruned.VolumesDeleted, typeof pruned.SpaceReclaimed], afterPrune, gone,
  };
});
console.log(JSON.stringify(out, null, 1));
