import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { fakeBackends } from './fake-backends.js';
import { startTestServer, call } from './test-server.js';
import { deframe } from './stdcopy.js';
import { notFound } from '../shared/errors.js';
import type { ExecInspect } from '../api/types.js';
import type { OutputChunk } from '../containers/container-service.js';

/** Raw request; writes `stdin` after the response headers, then half-closes; collects until EOF. */
function rawExchange(socketPath: string, head: string, stdin?: string): Promise<{ headers: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ path: socketPath, allowHalfOpen: true });
    const parts: Buffer[] = [];
    let sent = false;
    sock.on('data', (d: Buffer) => {
      parts.push(d);
      if (!sent && Buffer.concat(parts).includes('\r\n\r\n')) {
        sent = true;
        if (stdin !== undefined) sock.write(stdin, () => sock.end());
        else sock.end();
      }
    });
    sock.on('end', () => {
      const all = Buffer.concat(parts);
      const i = all.indexOf('\r\n\r\n');
      resolve({ headers: all.subarray(0, i).toString(), body: all.subarray(i + 4) });
      sock.destroy();
    });
    sock.on('error', reject);
    sock.write(head);
  });
}

const upgradeWithBody = (path: string, body: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

function inspectOf(id: string, tty = false): ExecInspect {
  return {
    CanRemove: false, ContainerID: 'c1', DetachKeys: '', ExitCode: null, ID: id, OpenStderr: true, OpenStdin: true, OpenStdout: true,
    ProcessConfig: { arguments: [], entrypoint: 'cat', privileged: false, tty }, Running: false, Pid: 0,
  };
}

/** Exec backend fakes: `e1` echoes stdin as `got:<data>` after one stderr chunk; `bad` fails to start. */
function withExecs(): ReturnType<typeof fakeBackends> & { started: string[] } {
  const b = fakeBackends();
  const started: string[] = [];
  Object.assign(b.containers, {
    execCreate: async (_id: string, req: { Cmd?: string[] }) => ({ Id: req.Cmd?.[0] === 'bad' ? 'bad' : 'e1' }),
    execInspect: async (id: string) => {
      if (id !== 'e1' && id !== 'bad') throw notFound(`No such exec instance: ${id}`);
      return inspectOf(id);
    },
    execResize: async () => undefined,
    execStart: async (id: string, opts: { detach: boolean }) => {
      started.push(`${id}:${opts.detach}`);
      if (id === 'bad') return { error: 'OCI runtime exec failed: exec failed: boom: unknown' };
      if (opts.detach) return {};
      const stdin = new PassThrough();
      async function* output(): AsyncGenerator<OutputChunk> {
        yield { stream: 'stderr', data: Buffer.from('warn\n'), time: '' };
        for await (const d of stdin) yield { stream: 'stdout', data: Buffer.from(`got:${String(d)}`), time: '' };
      }
      return { stream: { tty: false, output: output(), stdin, detach: () => stdin.destroy() } };
    },
  });
  return Object.assign(b, { started });
}

test('exec create answers 201 {Id}; unknown exec is a 404 before any hijack', async () => {
  const srv = await startTestServer(withExecs());
  try {
    const c = await call(srv.socketPath, 'POST', '/v1.43/containers/c1/exec', JSON.stringify({ Cmd: ['cat'], AttachStdin: true }), { 'Content-Type': 'application/json' });
    assert.equal(c.status, 201);
    assert.deepEqual(JSON.parse(c.text), { Id: 'e1' });
    const r = await rawExchange(srv.socketPath, upgradeWithBody('/v1.43/exec/nope/start', '{"Detach":false,"Tty":false}'));
    assert.match(r.headers, /^HTTP\/1\.1 404 /);
    assert.match(r.body.toString(), /No such exec instance: nope/);
  } finally {
    await srv.close();
  }
});

test('exec start (upgrade + JSON body): 101, multiplexed frames, body is not stdin', async () => {
  const b = withExecs();
  const srv = await startTestServer(b);
  try {
    const r = await rawExchange(srv.socketPath, upgradeWithBody('/v1.43/exec/e1/start', '{"Detach":false,"Tty":false}'), 'hello');
    assert.match(r.headers, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    assert.match(r.headers, /Content-Type: application\/vnd\.docker\.multiplexed-stream/);
    assert.deepEqual([...deframe(r.body)].map((f) => [f.stream, f.data.toString()]), [
      [2, 'warn\n'],
      [1, 'got:hello'],
    ]);
    assert.deepEqual(b.started, ['e1:false']);
  } finally {
    await srv.close();
  }
});

test('exec start detached answers 200 with no body; a start failure is written into the stream', async () => {
  const srv = await startTestServer(withExecs());
  try {
    const d = await call(srv.socketPath, 'POST', '/v1.43/exec/e1/start', '{"Detach":true}', { 'Content-Type': 'application/json' });
    assert.equal(d.status, 200);
    assert.equal(d.text, '');
    const r = await rawExchange(srv.socketPath, upgradeWithBody('/v1.43/exec/bad/start', '{}'));
    assert.match(r.headers, /^HTTP\/1\.1 101 /);
    assert.deepEqual([...deframe(r.body)].map((f) => [f.stream, f.data.toString()]), [[1, 'OCI runtime exec failed: exec failed: boom: unknown\r\n']]);
  } finally {
    await srv.close();
  }
});

test('attach with a JSON request body (dockerode): the body is dropped, not sent to stdin', async () => {
  const b = fakeBackends();
  const srv = await startTestServer(b);
  try {
    const r = await rawExchange(srv.socketPath, upgradeWithBody('/v1.43/containers/c1/attach?stream=1&stdin=1&stdout=1&stderr=1', '{"stream":true,"stdin":true}'), 'hello');
    assert.match(r.headers, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    const frames = [...deframe(r.body)].map((f) => f.data.toString());
    assert.ok(frames.includes('got:hello'), JSON.stringify(frames));
    assert.ok(!frames.some((f) => f.includes('stream')), JSON.stringify(frames));
  } finally {
    await srv.close();
  }
});
