import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { baseRootfsTar, forEachTarget, testSubnet, uniq, waitFor } from './harness.js';
import { hostPrimaryAddress } from './lib/host-net.js';
import {
  closeServer,
  ephemeralRange,
  freePort,
  freePortRange,
  httpBody,
  httpdCommand,
  httpGet,
  httpGetEventually,
  ipv4PortLines,
  ipv4PsPorts,
  listenTcp,
  ncGetCommand,
  tcpUnreachable,
} from './lib/net-probes.js';

/**
 * Published ports (issue 6 §4), IPv4. Docker 20.10 with the userland proxy also binds [::]
 * for every port; berth publishes IPv4, so `docker port` and the PORTS column are compared
 * on their IPv4 entries.
 */
const hostAddr = hostPrimaryAddress();

forEachTarget('published ports', (t) => {
  const made: string[] = [];
  const ctr = (p: string) => {
    const n = uniq(p);
    made.push(n);
    return n;
  };
  after(async () => {
    if (made.length) await t().docker(['rm', '-f', ...made]);
  });
  const ok = async (args: string[], input?: Buffer) => {
    const r = await t().docker(args, { timeoutMs: 90_000, input });
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const inspect = async (c: string) => (await t().api('GET', `/containers/${c}/json`)).json<Record<string, any>>();
  const v4 = (bindings: Array<{ HostIp: string; HostPort: string }> | null) => (bindings ?? []).filter((b) => !b.HostIp.includes(':'));

  test('-p 127.0.0.1:H:80: reachable on loopback only; port, ps and inspect as Docker prints them', async () => {
    const h = await freePort();
    const c = ctr('lo');
    await ok(['run', '-d', '--name', c, '-p', `127.0.0.1:${h}:80`, 'busybox', 'sh', '-c', httpdCommand('lo-only')]);
    const got = await httpGetEventually('127.0.0.1', h);
    assert.equal(got.body, 'lo-only\n', got.error);
    if (hostAddr) assert.ok(await tcpUnreachable(hostAddr, h), `${hostAddr}:${h} answers although the port is published on 127.0.0.1`);
    assert.equal(await ok(['port', c]), `80/tcp -> 127.0.0.1:${h}`);
    assert.equal(await ok(['port', c, '80']), `127.0.0.1:${h}`);
    assert.equal(await ok(['port', c, '80/tcp']), `127.0.0.1:${h}`);
    assert.equal(await ok(['ps', '--filter', `name=${c}`, '--format', '{{.Ports}}']), `127.0.0.1:${h}->80/tcp`);
    const i = await inspect(c);
    assert.deepEqual(i.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(h) }] });
    assert.deepEqual(i.NetworkSettings.Ports, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(h) }] });
    const none = await t().docker(['port', c, '81']);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, `Error: No public port '81' published for ${c}\n`);
  });

  test('-p H:80: reachable on 127.0.0.1 and on the host\'s own address', async () => {
    const h = await freePort();
    const c = ctr('all');
    await ok(['run', '-d', '--name', c, '-p', `${h}:80`, 'busybox', 'sh', '-c', httpdCommand('everywhere')]);
    const lo = await httpGetEventually('127.0.0.1', h);
    assert.equal(lo.body, 'everywhere\n', lo.error);
    if (hostAddr) {
      const ext = await httpGetEventually(hostAddr, h);
      assert.equal(ext.body, 'everywhere\n', ext.error);
    }
    assert.deepEqual(ipv4PortLines(await ok(['port', c])), [`80/tcp -> 0.0.0.0:${h}`]);
    assert.equal(ipv4PsPorts(await ok(['ps', '--filter', `name=${c}`, '--format', '{{.Ports}}'])), `0.0.0.0:${h}->80/tcp`);
    const i = await inspect(c);
    assert.deepEqual(i.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: String(h) }] });
    assert.deepEqual(v4(i.NetworkSettings.Ports['80/tcp']), [{ HostIp: '0.0.0.0', HostPort: String(h) }]);
  });

  test('-p 80: an ephemeral host port, shown by docker port and reachable', async () => {
    const c = ctr('eph');
    await ok(['run', '-d', '--name', c, '-p', '80', 'busybox', 'sh', '-c', httpdCommand('ephemeral')]);
    const lines = ipv4PortLines(await ok(['port', c, '80']));
    assert.equal(lines.length, 1, lines.join('\n'));
    const m = /^0\.0\.0\.0:(\d+)$/.exec(lines[0]!);
    assert.ok(m, lines[0]);
    const port = Number(m[1]);
    const [lo, hi] = ephemeralRange();
    assert.ok(port >= lo && port <= hi, `${port} outside ${lo}-${hi}`);
    const got = await httpGetEventually('127.0.0.1', port);
    assert.equal(got.body, 'ephemeral\n', got.error);
    const i = await inspect(c);
    assert.deepEqual(i.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '' }] });
    assert.deepEqual(v4(i.NetworkSettings.Ports['80/tcp']), [{ HostIp: '0.0.0.0', HostPort: String(port) }]);
  });

  test('-P publishes EXPOSE (image) and --expose (tcp and udp) on ephemeral ports', async () => {
    const img = `${uniq('exposed')}:1`;
    await ok(['import', '-c', 'EXPOSE 80', '-c', 'CMD ["sh"]', '-', img], readFileSync(baseRootfsTar()));
    try {
      const c = ctr('pub');
      await ok(['run', '-d', '--name', c, '-P', '--expose', '9999/udp', img, 'sh', '-c', httpdCommand('by-P')]);
      const i = await inspect(c);
      assert.deepEqual(i.Config.ExposedPorts, { '80/tcp': {}, '9999/udp': {} });
      assert.deepEqual(i.HostConfig.PortBindings, {});
      assert.equal(i.HostConfig.PublishAllPorts, true);
      const tcp = v4(i.NetworkSettings.Ports['80/tcp']);
      const udp = v4(i.NetworkSettings.Ports['9999/udp']);
      assert.equal(tcp.length, 1, JSON.stringify(i.NetworkSettings.Ports));
      assert.equal(udp.length, 1, JSON.stringify(i.NetworkSettings.Ports));
      assert.equal(tcp[0]!.HostIp, '0.0.0.0');
      const got = await httpGetEventually('127.0.0.1', Number(tcp[0]!.HostPort));
      assert.equal(got.body, 'by-P\n', got.error);
      const lines = ipv4PortLines(await ok(['port', c])).sort();
      assert.deepEqual(lines, [`80/tcp -> 0.0.0.0:${tcp[0]!.HostPort}`, `9999/udp -> 0.0.0.0:${udp[0]!.HostPort}`].sort());
    } finally {
      await t().docker(['rm', '-f', ...made.slice(-1)]);
      await t().docker(['rmi', img]);
    }
  });

  test('a range -p 127.0.0.1:H-H+2:8110-8112: three ports, each reachable', async () => {
    const base = await freePortRange(3);
    const c = ctr('rng');
    const srv = [0, 1, 2].map((k) => `mkdir -p /w${k} && echo port-${k} > /w${k}/index.html && httpd -p ${8110 + k} -h /w${k}`).join(' && ');
    await ok(['run', '-d', '--name', c, '-p', `127.0.0.1:${base}-${base + 2}:8110-8112`, 'busybox', 'sh', '-c', `${srv} && exec sleep 600`]);
    assert.deepEqual((await ok(['port', c])).split('\n').sort(), [0, 1, 2].map((k) => `${8110 + k}/tcp -> 127.0.0.1:${base + k}`).sort());
    assert.equal(
      await ok(['ps', '--filter', `name=${c}`, '--format', '{{.Ports}}']),
      [0, 1, 2].map((k) => `127.0.0.1:${base + k}->${8110 + k}/tcp`).join(', '),
    );
    for (const k of [0, 1, 2]) {
      const got = await httpGetEventually('127.0.0.1', base + k);
      assert.equal(got.body, `port-${k}\n`, `${base + k}: ${got.error}`);
    }
  });

  test('UDP: -p 127.0.0.1:H:5353/udp reaches a UDP server in the container', async () => {
    const h = await freePort();
    const c = ctr('udp');
    await ok(['run', '-d', '--name', c, '-p', `127.0.0.1:${h}:5353/udp`, 'busybox', 'sleep', '600']);
    assert.equal(await ok(['port', c]), `5353/udp -> 127.0.0.1:${h}`);
    const pid = await ok(['inspect', '-f', '{{.State.Pid}}', c]);
    const echo = await udpEchoIn(Number(pid), 5353);
    try {
      const reply = await udpRoundTrip('127.0.0.1', h, 'ping-udp');
      assert.equal(reply, 'echo:ping-udp');
    } finally {
      echo.kill('SIGKILL');
    }
  });

  test('a host port already taken: start fails (exit 125, names the port); the container stays created', async () => {
    const h = await freePort();
    const taken = await listenTcp('127.0.0.1', h);
    try {
      const c = ctr('busy');
      const r = await t().docker(['run', '-d', '--name', c, '-p', `127.0.0.1:${h}:80`, 'busybox', 'sleep', '600']);
      // Docker 20.10: "docker: Error response from daemon: driver failed programming external
      // connectivity on endpoint <name> (<endpoint id>): Error starting userland proxy: listen
      // tcp4 127.0.0.1:<H>: bind: address already in use."
      assert.equal(r.code, 125, r.stderr);
      assert.match(r.stderr, /^docker: Error response from daemon: /);
      assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${h}\\b`));
      assert.match(r.stderr, /address already in use/);
      assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', c]), 'created');
      const s = await t().docker(['start', c]);
      assert.equal(s.code, 1);
      assert.match(s.stderr, /address already in use/);
      assert.match(s.stderr, new RegExp(`Error: failed to start containers: ${c}\\n$`));
    } finally {
      await closeServer(taken);
    }
  });

  test('ports are released at stop and at rm (the host can bind them again)', async () => {
    const h = await freePort();
    const c = ctr('rel');
    await ok(['run', '-d', '--name', c, '-p', `${h}:80`, 'busybox', 'sh', '-c', httpdCommand('engine')]);
    assert.equal((await httpGetEventually('127.0.0.1', h)).body, 'engine\n');
    await ok(['stop', '-t', '0', c]);
    assert.deepEqual((await inspect(c)).NetworkSettings.Ports, {});
    assert.equal(await ok(['port', c]), '');
    await hostServes(h, 'host-after-stop');
    await ok(['start', c]);
    assert.equal((await httpGetEventually('127.0.0.1', h)).body, 'engine\n');
    await ok(['rm', '-f', c]);
    await hostServes(h, 'host-after-rm');
  });

  test('published on a user network; another container reaches it through the host address', async () => {
    const { subnet } = testSubnet(0);
    const n = uniq('pubnet');
    await ok(['network', 'create', '--subnet', subnet, n]);
    try {
      const h = await freePort();
      const c = ctr('unet');
      await ok(['run', '-d', '--name', c, '--network', n, '-p', `${h}:80`, 'busybox', 'sh', '-c', httpdCommand('user-net')]);
      const got = await httpGetEventually('127.0.0.1', h);
      assert.equal(got.body, 'user-net\n', got.error);
      if (hostAddr) {
        const r = await t().docker(['run', '--rm', 'busybox', 'sh', '-c', ncGetCommand(hostAddr, h)]);
        assert.equal(httpBody(r.stdout), 'user-net\n', `from a container on the default bridge: ${r.stdout}${r.stderr}`);
      }
      await ok(['rm', '-f', c]);
    } finally {
      await t().docker(['network', 'rm', n]);
    }
  });
});

/** An HTTP server on 0.0.0.0:port answering `body`; checks 127.0.0.1:port gets it (no stale redirect), then closes. */
async function hostServes(port: number, body: string): Promise<void> {
  const srv = http.createServer((_q, res) => res.end(body));
  await new Promise<void>((resolve, reject) => {
    srv.once('error', (e) => reject(new Error(`the host cannot bind ${port} again: ${e.message}`)));
    srv.listen(port, '0.0.0.0', () => resolve());
  });
  try {
    assert.equal(await httpGet('127.0.0.1', port), body, `127.0.0.1:${port} does not reach the host's own server`);
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

/** A UDP echo server (`echo:<payload>`) run by this host's node inside the network namespace of `pid`. */
async function udpEchoIn(pid: number, port: number): Promise<ChildProcess> {
  const code = `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(Buffer.concat([Buffer.from('echo:'),m]),r.port,r.address));s.bind(${port},'0.0.0.0',()=>console.log('ready'));`;
  const child = spawn('nsenter', ['-t', String(pid), '-n', process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const ready = await waitFor(() => out.includes('ready') || child.exitCode !== null, 10_000, 50);
  if (!ready || !out.includes('ready')) {
    child.kill('SIGKILL');
    throw new Error(`UDP echo server in pid ${pid}'s netns did not start: ${out}`);
  }
  return child;
}

/** Send `payload` to host:port over UDP (a few tries); resolves with the first reply. */
async function udpRoundTrip(host: string, port: number, payload: string): Promise<string> {
  const sock = dgram.createSocket('udp4');
  try {
    for (let i = 0; i < 5; i++) {
      const reply = await new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 1000);
        sock.once('message', (m) => {
          clearTimeout(timer);
          resolve(m.toString());
        });
        sock.send(payload, port, host);
      });
      if (reply !== undefined) return reply;
    }
    throw new Error(`no UDP reply from ${host}:${port}`);
  } finally {
    sock.close();
  }
}
