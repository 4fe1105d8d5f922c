import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { encodeFrame } from '../../../api-client/stdcopy.js';
import { FakeDaemon, type SeenRequest } from '../../../api-client/testing/fake-daemon.js';
import { Transport } from '../../../api-client/transport.js';
import type { CliContext } from '../../context.js';
import { main } from '../../main.js';
import { CliRunner, asBerth, hasDockerCli } from '../../testing/cli-runner.js';
import { execBody } from './exec.js';

const hex = (c: string): string => c.repeat(64);
let d: FakeDaemon;
let runner: CliRunner;
let tmp: string;
const execs = new Map<string, Record<string, unknown>>();

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-exec-'));
  writeFileSync(path.join(tmp, 'env'), '\uFEFF# comment\n\n  A=from-file\nB=x y \nHOME\nUNSET_VAR_FOR_TEST\r\n');
  writeFileSync(path.join(tmp, 'bad.env'), 'A B=1\n');
  d = await FakeDaemon.start('1.43');
  d.on('GET /containers/:id/json', (q, res) => {
    const name = q.path.split('/')[2]!;
    if (name === 'nope') return d.error(res, 404, 'No such container: nope');
    d.json(res, 200, { Id: hex('c'), Name: `/${name}`, Config: { Tty: false }, State: { Running: name !== 'stopped' } });
  });
  d.on('POST /containers/:id/exec', (q, res) => {
    if (q.path.includes('stopped')) return d.error(res, 409, `Container ${hex('c')} is not running`);
    const body = JSON.parse(q.body.toString()) as Record<string, unknown>;
    const cmd = (body.Cmd as string[]).join(' ');
    const id = cmd.includes('exit3') ? hex('3') : cmd.includes('empty') ? '' : hex('e');
    execs.set(id, body);
    d.json(res, 201, { Id: id });
  });
  d.on('POST /exec/:id/start', (_q, res) => void res.writeHead(200).end());
  d.on('POST /exec/:id/resize', (_q, res) => void res.writeHead(200).end());
  d.on('GET /exec/:id/json', (q, res) => d.json(res, 200, { ID: q.path.split('/')[2], Running: false, ExitCode: q.path.includes(hex('3')) ? 3 : 0, Pid: 1 }));
  d.onUpgrade('/exec/:id/start', (q, socket) => {
    const body = execs.get(q.path.split('/')[2]!) ?? {};
    if (body.Tty) socket.write('tty out\r\n');
    else socket.write(Buffer.concat([encodeFrame(1, 'out\n'), encodeFrame(2, 'err\n')]));
    if (!body.AttachStdin) {
      socket.end();
      return;
    }
    let first = true;
    socket.on('data', (b: Buffer) => {
      // the start request's JSON body may reach us as the first bytes after the headers
      if (first && b.toString().startsWith('{"Detach"')) b = b.subarray(Number(q.headers['content-length'] ?? 0));
      first = false;
      if (b.length) socket.write(body.Tty ? b : encodeFrame(1, b));
    });
    socket.on('end', () => socket.end());
  });
  // for `run -i`: create, attach (echoing stdin as stdout frames), start, wait
  d.on('POST /containers/create', (_q, res) => d.json(res, 201, { Id: hex('r'), Warnings: [] }));
  d.on('POST /containers/:id/start', (_q, res) => void res.writeHead(204).end());
  d.on('POST /containers/:id/wait', (_q, res) => d.json(res, 200, { StatusCode: 0 }));
  d.onUpgrade('/containers/:id/attach', (_q, socket) => {
    socket.on('data', (b: Buffer) => socket.write(encodeFrame(1, b)));
    socket.on('end', () => socket.end());
  });
  runner = new CliRunner(d);
});
after(async () => {
  runner.close();
  await d.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A request as the daemon reads it: the call and its JSON body (docker's zero values dropped). */
function wire(r: SeenRequest): unknown {
  const body = r.body.length ? (JSON.parse(r.body.toString()) as Record<string, unknown>) : undefined;
  const q = Object.fromEntries(r.query);
  return { call: `${r.method} ${r.path}`, q, body: body && Object.fromEntries(Object.entries(body).filter(([, v]) => v !== '' && v !== false && v !== null && !(Array.isArray(v) && v.length === 0))) };
}
const requests = (rs: SeenRequest[]): unknown[] => rs.filter((r) => r.path !== '/_ping').map(wire);

const CASES: { args: string[]; input?: string }[] = [
  { args: ['exec', 'web', 'echo', 'hi'] },
  { args: ['exec', 'web', 'sh', '-c', 'exit3'] },
  { args: ['container', 'exec', '-u', '1000:1000', '-w', '/tmp', '--privileged', '-e', 'A=1', '-e', 'HOME', '--env', 'B=', 'web', 'env'] },
  { args: ['exec', '--env-file', '__TMP__/env', '-e', 'A=cli', 'web', 'env'] },
  { args: ['exec', '--env-file', '__TMP__/bad.env', 'web', 'env'] },
  { args: ['exec', '--env-file', '__TMP__/missing', 'web', 'env'] },
  { args: ['exec', '-e', '=x', 'web', 'env'] },
  { args: ['exec', '-d', 'web', 'sleep', '1'] },
  { args: ['exec', '-d', '-t', 'web', 'top'] },
  { args: ['exec', '-i', 'web', 'cat'], input: 'piped stdin\n' },
  { args: ['exec', '-t', 'web', 'ls'] },
  { args: ['exec', '-it', 'web', 'sh'] },
  { args: ['exec', '-i', '--detach-keys', 'ctrl-a', 'web', 'cat'], input: 'x' },
  { args: ['exec', 'web', 'empty'] },
  { args: ['exec', 'nope', 'ls'] },
  { args: ['exec', 'stopped', 'ls'] },
  { args: ['exec', 'web'] },
  { args: ['exec'] },
  { args: ['exec', '--bogus', 'web', 'ls'] },
  { args: ['exec', 'web', 'ls', '--bogus', '-x'] },
];

for (const c of CASES) {
  const args = c.args.map((a) => a.replace('__TMP__', tmp ?? ''));
  test(`same as docker: ${c.args.join(' ')}`, { skip: !hasDockerCli() && 'no docker CLI to compare with' }, async () => {
    const real = args.map((a) => a.replace('__TMP__', tmp));
    const want = await runner.docker(real, c.input);
    const got = await runner.berth(real, c.input);
    assert.equal(got.out, want.out, 'stdout');
    assert.equal(got.err, asBerth(want.err), 'stderr');
    assert.equal(got.code, want.code, 'exit code');
    assert.deepEqual(requests(got.requests), requests(want.requests), 'requests');
  });
}

test('execBody: -d attaches nothing, -i adds stdin, env files before -e', () => {
  const env = { HOME: '/root' };
  assert.deepEqual(execBody(['ls'], { detach: true, interactive: true, tty: true }, env), {
    User: '', Privileged: false, Tty: true, AttachStdin: false, AttachStderr: false, AttachStdout: false, Detach: true, DetachKeys: '', Env: [], WorkingDir: '', Cmd: ['ls'],
  });
  const b = execBody(['env'], { interactive: true, env: ['A=1'], envFile: [path.join(tmp, 'env')] }, env);
  assert.deepEqual([b.AttachStdin, b.AttachStdout, b.AttachStderr], [true, true, true]);
  assert.deepEqual(b.Env, ['A=from-file', 'B=x y ', 'HOME=/root', 'A=1']);
});

/** berth's main() with a binary stdin (the runner's input is text). */
async function berthBinary(args: string[], input: Buffer): Promise<{ code: number; out: Buffer; err: string }> {
  const chunks: Buffer[] = [];
  let err = '';
  const stdout = Object.assign(new PassThrough(), { isTTY: false });
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  const stdin = Object.assign(Readable.from([input.subarray(0, input.length >> 1), input.subarray(input.length >> 1)]), { isTTY: false });
  const t = new Transport({ host: d.host, env: {} });
  const ctx: CliContext = {
    host: d.host,
    transport: async () => t,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    out: (s) => void chunks.push(Buffer.from(s)),
    err: (s) => void (err += s),
  };
  const code = await main(args, ctx);
  t.close();
  return { code, out: Buffer.concat(chunks), err };
}

test('exec -i passes binary stdin through untouched, detach keys included (no TTY)', async () => {
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + (i >> 8)) & 0xff;
  data.set([0x10, 0x11], 1000);
  const r = await berthBinary(['exec', '-i', 'web', 'cat'], data);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.subarray(4).equals(data), 'echoed bytes equal the input');
});

test('run -i passes binary stdin through untouched (1.5 MB with ctrl-p,ctrl-q inside)', async () => {
  const data = Buffer.alloc(1_500_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  data.set([0x10, 0x11], 70_000);
  const r = await berthBinary(['run', '-i', '--rm', 'busybox', 'cat'], data);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.length, data.length);
  assert.ok(r.out.equals(data), 'echoed bytes equal the input');
});
