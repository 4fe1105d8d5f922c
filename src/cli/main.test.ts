import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, beforeEach, test } from 'node:test';
import { encodeFrame } from '../api-client/stdcopy.js';
import { FakeDaemon, type SeenRequest } from '../api-client/testing/fake-daemon.js';
import { Transport } from '../api-client/transport.js';
import type { CliContext } from './context.js';
import { main } from './main.js';

let d: FakeDaemon;
let tmp: string;
let startError: string | undefined;
const ID = 'f'.repeat(64);

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-cli-'));
  d = await FakeDaemon.start();
  d.on('POST /containers/create', (q, res) => {
    const body = JSON.parse(q.body.toString()) as { Image: string };
    if (body.Image.startsWith('missing')) return d.error(res, 404, `No such image: ${body.Image}:latest`);
    d.json(res, 201, { Id: ID, Warnings: [] });
  });
  d.on('POST /images/create', (q, res) => d.error(res, 404, `pull access denied for ${q.query.get('fromImage')}, repository does not exist or may require 'docker login'`));
  d.on('POST /containers/:id/start', (_q, res) => (startError ? d.error(res, 400, startError) : void res.writeHead(204).end()));
  d.on('POST /containers/:id/wait', (_q, res) => d.json(res, 200, { StatusCode: 3 }));
  d.on('POST /containers/:id/stop', (q, res) => (q.path.includes('nope') ? d.error(res, 404, 'No such container: nope') : void res.writeHead(204).end()));
  d.on('GET /containers/:id/json', (q, res) => {
    if (q.path.includes('nope')) return d.error(res, 404, 'No such container: nope');
    d.json(res, 200, { Id: ID, Name: '/web', Config: { Tty: false, OpenStdin: false }, State: { Running: true, Status: 'running' } });
  });
  d.on('GET /images/:id/json', (_q, res) => d.error(res, 404, 'No such image: nope'));
  d.on('GET /containers/:id/logs', (_q, res) => {
    res.writeHead(200);
    res.end(Buffer.concat([encodeFrame(1, 'o1\n'), encodeFrame(2, 'e1\n')]));
  });
  d.on('GET /containers/json', (_q, res) => d.json(res, 200, []));
  d.onUpgrade('/containers/:id/attach', (q, socket) => {
    socket.write(encodeFrame(1, 'from container\n'));
    socket.on('data', (b: Buffer) => socket.write(encodeFrame(1, `stdin:${b.toString()}`)));
    socket.on('end', () => socket.end());
    if (q.query.get('stdin') !== '1') setTimeout(() => socket.end(), 20);
  });
});
after(async () => {
  await d.stop();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  d.requests.length = 0;
  startError = undefined;
});

interface Result {
  rawModes?: boolean[];
  code: number;
  out: string;
  err: string;
}

async function berth(args: string[], opts: { stdin?: string; stdoutTTY?: boolean; stdinTTY?: boolean } = {}): Promise<Result> {
  let out = '';
  let err = '';
  const stdout = Object.assign(new PassThrough(), { isTTY: opts.stdoutTTY ?? false });
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const rawModes: boolean[] = [];
  const stdin = Object.assign(Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]), {
    isTTY: opts.stdinTTY ?? false,
    setRawMode: (on: boolean) => rawModes.push(on),
  });
  const t = new Transport({ host: d.host, env: {} });
  const ctx: CliContext = {
    host: d.host,
    transport: async () => t,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    out: (s) => void (out += s),
    err: (s) => void (err += s),
  };
  const code = await main(args, ctx);
  t.close();
  return { code, out, err, rawModes };
}

const find = (method: string, suffix: string): SeenRequest | undefined => d.requests.find((r) => r.method === method && r.path.endsWith(suffix));
const createBody = (): Record<string, unknown> & { HostConfig: Record<string, unknown> } => JSON.parse(find('POST', '/containers/create')!.body.toString());

test('run -it --rm -e A=1 busybox sh -c x builds docker\'s create body and waits for removal', async () => {
  const r = await berth(['run', '-it', '--rm', '-e', 'A=1', 'busybox', 'sh', '-c', 'x'], { stdin: '', stdinTTY: true });
  assert.equal(r.code, 3);
  assert.deepEqual(r.rawModes, [true, false], 'raw mode set, then restored');
  const b = createBody();
  assert.equal(b.Image, 'busybox');
  assert.deepEqual(b.Cmd, ['sh', '-c', 'x']);
  assert.deepEqual(b.Env, ['A=1']);
  assert.equal(b.Tty, true);
  assert.equal(b.OpenStdin, true);
  assert.equal(b.AttachStdin, true);
  assert.equal(b.StdinOnce, true);
  assert.equal(b.HostConfig.AutoRemove, true);
  assert.equal(find('POST', '/wait')!.query.get('condition'), 'removed');
  const order = d.requests.map((x) => x.path.replace(ID, 'ID'));
  assert.ok(order.indexOf('/containers/ID/attach') < order.indexOf('/containers/ID/start'), 'attach before start');
});

const bodyCases: [string[], (b: ReturnType<typeof createBody>) => void][] = [
  [['run', 'busybox', 'ls', '-la'], (b) => assert.deepEqual(b.Cmd, ['ls', '-la'])],
  [['run', '--rm=false', 'busybox', 'true', '--rm'], (b) => {
    assert.equal(b.HostConfig.AutoRemove, false);
    assert.deepEqual(b.Cmd, ['true', '--rm']);
  }],
  [['create', '--name=web', '-p', '8080:80', '-p', '127.0.0.1:5353:53/udp', '-v', '/a:/b:ro', '-l', 'x=y', '--label', 'z', '-w', '/w', '-u', '1000', '-h', 'h1', 'busybox'], (b) => {
    assert.deepEqual(b.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] });
    assert.deepEqual(b.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
    assert.deepEqual(b.HostConfig.Binds, ['/a:/b:ro']);
    assert.deepEqual(b.Labels, { x: 'y', z: '' });
    assert.equal(b.WorkingDir, '/w');
    assert.equal(b.User, '1000');
    assert.equal(b.Hostname, 'h1');
    assert.equal(find('POST', '/containers/create')!.query.get('name'), 'web');
  }],
  [['create', '--entrypoint', '', '--init', '--net', 'none', '--stop-signal', 'SIGUSR1', '--stop-timeout', '5', '--restart', 'on-failure:3', '-m', '512m', '--cpus', '1.5', '--cpu-shares', '512', '--pids-limit', '100', 'busybox'], (b) => {
    assert.deepEqual(b.Entrypoint, ['']);
    assert.equal(b.HostConfig.Init, true);
    assert.equal(b.HostConfig.NetworkMode, 'none');
    assert.equal(b.StopSignal, 'SIGUSR1');
    assert.equal(b.StopTimeout, 5);
    assert.deepEqual(b.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.equal(b.HostConfig.Memory, 512 * 1024 * 1024);
    assert.equal(b.HostConfig.NanoCpus, 1.5e9);
    assert.equal(b.HostConfig.CpuShares, 512);
    assert.equal(b.HostConfig.PidsLimit, 100);
  }],
  [['create', '--cap-add', 'net_admin', '--cap-drop', 'ALL', '--privileged', '--read-only', '--security-opt', 'no-new-privileges', '--tmpfs', '/run:size=64m',
    '--mount', 'type=bind,source=/tmp,target=/x,readonly', '--mount', 'type=tmpfs,destination=/t,tmpfs-size=1m', '--ulimit', 'nofile=1024:2048', '--sysctl', 'net.ipv4.ip_forward=1', '--shm-size', '64m', 'busybox'], (b) => {
    const h = b.HostConfig;
    assert.deepEqual(h.CapAdd, ['CAP_NET_ADMIN']);
    assert.deepEqual(h.CapDrop, ['ALL']);
    assert.equal(h.Privileged, true);
    assert.equal(h.ReadonlyRootfs, true);
    assert.deepEqual(h.SecurityOpt, ['no-new-privileges']);
    assert.deepEqual(h.Tmpfs, { '/run': 'size=64m' });
    assert.deepEqual(h.Mounts, [{ Type: 'bind', Target: '/x', Source: '/tmp', ReadOnly: true }, { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 * 1024 } }]);
    assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    assert.deepEqual(h.Sysctls, { 'net.ipv4.ip_forward': '1' });
    assert.equal(h.ShmSize, 64 * 1024 * 1024);
  }],
  [['create', '-a', 'stdout', '-i', 'busybox'], (b) => {
    assert.equal(b.AttachStdin, true);
    assert.equal(b.AttachStdout, true);
    assert.equal(b.AttachStderr, false);
  }],
  [['create', 'busybox'], (b) => {
    assert.equal(b.AttachStdout, true);
    assert.equal(b.Env, null);
    assert.equal(b.Cmd, null);
    assert.equal(b.HostConfig.NetworkMode, 'default');
  }],
];

for (const [args, check] of bodyCases) {
  test(`flags: berth ${args.join(' ')}`, async () => {
    const r = await berth(args);
    assert.ok(r.code === 0 || r.code === 3, r.err);
    check(createBody());
  });
}

test('run -it without a terminal fails like docker', async () => {
  const r = await berth(['run', '-it', 'busybox']);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'the input device is not a TTY\n');
  assert.equal(find('POST', '/containers/create'), undefined);
});

test('run -dit prints the full id and does not attach', async () => {
  const r = await berth(['run', '-dit', 'busybox']);
  assert.equal(r.code, 0);
  assert.equal(r.out, `${ID}\n`);
  const b = createBody();
  assert.equal(b.Tty, true);
  assert.equal(b.OpenStdin, true);
  assert.equal(b.AttachStdin, false);
  assert.equal(find('POST', '/attach'), undefined);
});

test('env: bare names come from the environment, env files are read', async () => {
  const file = path.join(tmp, 'env');
  writeFileSync(file, '# comment\nFROM_FILE=1\n\n');
  process.env.BERTH_TEST_VAR = 'v';
  try {
    await berth(['create', '--env-file', file, '-e', 'BERTH_TEST_VAR', '-e', 'BERTH_UNSET_VAR', 'busybox']);
  } finally {
    delete process.env.BERTH_TEST_VAR;
  }
  assert.deepEqual(createBody().Env, ['FROM_FILE=1', 'BERTH_TEST_VAR=v', 'BERTH_UNSET_VAR']);
});

test('run -i pipes stdin and half-closes; output is demultiplexed', async () => {
  const r = await berth(['run', '-i', 'busybox', 'cat'], { stdin: 'abc\n' });
  assert.equal(r.code, 3);
  assert.match(r.out, /from container\n/);
  assert.match(r.out, /stdin:abc\n/);
});

test('run with a missing image tries to pull and fails like docker', async () => {
  const r = await berth(['run', 'missing']);
  assert.equal(r.code, 125);
  assert.equal(
    r.err,
    "Unable to find image 'missing:latest' locally\nberth: Error response from daemon: pull access denied for missing, repository does not exist or may require 'docker login'\n\nRun 'berth run --help' for more information\n",
  );
});

test('run maps start failures to 127 / 126', async () => {
  startError = 'failed to create task: exec: "nope": executable file not found in $PATH';
  assert.equal((await berth(['run', 'busybox', 'nope'])).code, 127);
  startError = 'exec /etc: permission denied';
  const r = await berth(['run', 'busybox', '/etc']);
  assert.equal(r.code, 126);
  assert.match(r.err, /^berth: Error response from daemon: exec \/etc: permission denied\n/);
});

test('stop continues past failures and exits 1', async () => {
  const r = await berth(['stop', '-t', '1', 'a', 'nope', 'b']);
  assert.equal(r.code, 1);
  assert.equal(r.out, 'a\nb\n');
  assert.equal(r.err, 'Error response from daemon: No such container: nope\n');
  assert.equal(find('POST', '/a/stop')!.query.get('t'), '1');
});

test('inspect: JSON array with 4-space indent; missing objects', async () => {
  const ok = await berth(['inspect', 'web']);
  assert.equal(ok.code, 0);
  assert.ok(ok.out.startsWith('[\n    {\n        "Id": '));
  const f = await berth(['inspect', '-f', '{{.Name}} {{.State.Status}}', 'web']);
  assert.equal(f.out, '/web running\n');
  const missing = await berth(['inspect', 'nope']);
  assert.equal(missing.code, 1);
  assert.equal(missing.out, '[]\n');
  assert.equal(missing.err, 'Error: No such object: nope\n');
});

test('logs demultiplexes stdout and stderr', async () => {
  let out = '';
  let err = '';
  const stdout = new PassThrough().on('data', (c: Buffer) => (out += c));
  const stderr = new PassThrough().on('data', (c: Buffer) => (err += c));
  const t = new Transport({ host: d.host, env: {} });
  const ctx = { host: d.host, transport: async () => t, stdout, stderr, stdin: process.stdin, out: () => undefined, err: () => undefined } as unknown as CliContext;
  assert.equal(await main(['logs', '--tail', '5', 'web'], ctx), 0);
  t.close();
  assert.equal(out, 'o1\n');
  assert.equal(err, 'e1\n');
  assert.equal(find('GET', '/logs')!.query.get('tail'), '5');
});

test('save refuses to write to a terminal', async () => {
  const r = await berth(['save', 'busybox'], { stdoutTTY: true });
  assert.equal(r.code, 1);
  assert.equal(r.err, 'Cowardly refusing to save to a terminal. Use the -o flag or redirect\n');
});

test('usage errors look like docker\'s', async () => {
  const unknown = await berth(['ps', '--bogus']);
  assert.equal(unknown.code, 125);
  assert.equal(unknown.err, "unknown flag: --bogus\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n");
  const arity = await berth(['container', 'stop']);
  assert.equal(arity.code, 1);
  assert.match(arity.err, /^berth: 'berth container stop' requires at least 1 argument\n/);
  const cmd = await berth(['frob']);
  assert.equal(cmd.code, 1);
  assert.equal(cmd.err, "berth: unknown command: berth frob\n\nRun 'berth --help' for more information\n");
  const v = await berth(['--version']);
  assert.match(v.out, /^berth version \d+\.\d+\.\d+, build /);
  const help = await berth(['run', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage:  berth run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]\n/);
  assert.match(help.out, /\n {2}-h, --hostname string +Container host name\n/);
});

test('ps and container ls reach the same endpoint with docker\'s query', async () => {
  const r = await berth(['container', 'ls', '-a', '-n', '2', '--filter', 'status=exited']);
  assert.equal(r.code, 0);
  assert.equal(r.out, 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
  const q = find('GET', '/containers/json')!.query;
  assert.equal(q.get('all'), '1');
  assert.equal(q.get('limit'), '2');
  assert.equal(q.get('filters'), '{"status":["exited"]}');
});

test('detach keys parse like docker\'s', async () => {
  const { parseDetachKeys } = await import('./commands/container/attach-session.js');
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(parseDetachKeys('ctrl-a,x'), [1, 120]);
  assert.deepEqual(parseDetachKeys('ctrl-@'), [0]);
  assert.throws(() => parseDetachKeys('ctrl-pp'), /Invalid detach keys/);
});

test('logs --since accepts RFC3339 and relative durations', async () => {
  const { toUnix } = await import('./commands/container/logs.js');
  assert.equal(toUnix('1700000000'), '1700000000');
  assert.equal(toUnix('2023-11-14T22:13:20Z'), '1700000000.000000000');
  assert.equal(toUnix('10m', 1_700_000_000_000), '1699999400', 'durations count whole seconds, as docker');
  assert.throws(() => toUnix('yesterday', Date.now(), 'since'), /invalid value for "since": failed to parse value as time or duration: "yesterday"/);
});
