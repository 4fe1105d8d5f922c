import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, constants as fsc, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rotateLogs } from './log-rotation.js';
import { readLog } from './log-reader.js';
import { keptLogFiles } from './log-files.js';
import { monitorPaths } from './monitor-paths.js';

const stamp = (i: number): string => `${new Date(1_700_000_000_000 + i).toISOString().slice(0, 23)}000000+00:00`;
const line = (i: number): string => `${stamp(i)} stdout F line-${i}\n`;

/**
 * A stand-in for conmon's k8s-file writer: appends to the fd it opened; on "2 0 0" from the
 * ctl FIFO it does what conmon's reopen_k8s_file does (close, create `<log>.tmp`, rename
 * over `<log>`).
 */
class FakeConmon {
  private fd: number;
  private readonly ctl: number;
  private readonly buf = Buffer.alloc(256);
  private readonly timer: NodeJS.Timeout;
  reopens = 0;
  constructor(private readonly logPath: string, ctlFifo: string) {
    this.fd = openSync(logPath, 'a');
    this.ctl = openSync(ctlFifo, fsc.O_RDWR | fsc.O_NONBLOCK); // RDWR: never EOF between writers
    this.timer = setInterval(() => this.poll(), 1);
  }
  /** Like conmon's main loop: ctl messages are handled between writes. */
  private poll(): void {
    let n = 0;
    try {
      n = readSync(this.ctl, this.buf);
    } catch {
      return; // EAGAIN
    }
    for (const msg of this.buf.toString('latin1', 0, n).split('\n')) if (msg === '2 0 0') this.reopen();
  }
  write(s: string): void {
    this.poll();
    writeSync(this.fd, s);
  }
  private reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(`${this.logPath}.tmp`, 'w');
    renameSync(`${this.logPath}.tmp`, this.logPath);
    this.reopens++;
  }
  close(): void {
    clearInterval(this.timer);
    closeSync(this.fd);
    closeSync(this.ctl);
  }
}

function setup(): { dir: string; logPath: string; stateDir: string; conmon: FakeConmon } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rot-'));
  const logPath = join(dir, 'container.log');
  const stateDir = join(dir, 'state');
  mkdirSync(monitorPaths(stateDir).ioDir, { recursive: true });
  execFileSync('mkfifo', [monitorPaths(stateDir).ctlFifo]);
  return { dir, logPath, stateDir, conmon: new FakeConmon(logPath, monitorPaths(stateDir).ctlFifo) };
}

const tick = (ms = 2): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A set-up with a fake conmon, a rotation stopper and a follower's end, all undone after the test. */
function withFollower(t: { after(fn: () => void): void }): { s: ReturnType<typeof setup>; stop: AbortController; until: Promise<void>; end: () => void } {
  const s = setup();
  const stop = new AbortController();
  let end!: () => void;
  const until = new Promise<void>((r) => (end = r));
  t.after(() => {
    stop.abort();
    end();
    s.conmon.close();
    rmSync(s.dir, { recursive: true, force: true });
  });
  return { s, stop, until, end };
}

async function collect(logPath: string, opts: Parameters<typeof readLog>[1] = {}, until?: Promise<void>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of readLog(logPath, opts, { until })) out.push(c.data.toString());
  return out;
}

test('rotation keeps max-file files of about max-size; logs reads them oldest first, a contiguous tail', async (t) => {
  const s = setup();
  const stop = new AbortController();
  t.after(() => {
    stop.abort();
    s.conmon.close();
    rmSync(s.dir, { recursive: true, force: true });
  });
  rotateLogs({ logPath: s.logPath, stateDir: s.stateDir, maxSize: 2000, maxFiles: 3, signal: stop.signal, onError: (e) => assert.fail(String(e)) });
  const N = 2000;
  for (let i = 1; i <= N; i++) {
    s.conmon.write(line(i));
    if (i % 10 === 0) await tick();
  }
  await tick(50);
  assert.ok(s.conmon.reopens >= 10, `only ${s.conmon.reopens} rotations`);
  s.conmon.write(line(N + 1)); // a rotation may have just left the live file empty
  await tick(50);
  const files = keptLogFiles(s.logPath);
  assert.deepEqual(files, [`${s.logPath}.2`, `${s.logPath}.1`, s.logPath]);
  assert.ok(!existsSync(`${s.logPath}.3`));
  const got = await collect(s.logPath);
  const first = Number(/line-(\d+)/.exec(got[0]!)![1]);
  assert.ok(first > 1, 'old lines were dropped');
  assert.deepEqual(got, Array.from({ length: N + 1 - first + 1 }, (_, k) => `line-${first + k}\n`));
  // tail and since span the files
  assert.deepEqual(await collect(s.logPath, { tail: 3 }), [`line-${N - 1}\n`, `line-${N}\n`, `line-${N + 1}\n`]);
  const since = (1_700_000_000_000 + first + 5) / 1000;
  assert.deepEqual((await collect(s.logPath, { since }))[0], `line-${first + 5}\n`);
});

test('max-file 1: the rotated file goes once conmon has reopened', async (t) => {
  const s = setup();
  const stop = new AbortController();
  t.after(() => {
    stop.abort();
    s.conmon.close();
    rmSync(s.dir, { recursive: true, force: true });
  });
  rotateLogs({ logPath: s.logPath, stateDir: s.stateDir, maxSize: 500, maxFiles: 1, signal: stop.signal });
  for (let i = 1; i <= 40; i++) {
    s.conmon.write(line(i));
    await tick();
  }
  await tick(50);
  const files = keptLogFiles(s.logPath);
  assert.ok(files.length === 1 || (files.length === 2 && files[0] === `${s.logPath}.1`), files.join());
  s.conmon.write(line(41));
  await tick(50);
  assert.deepEqual(keptLogFiles(s.logPath), [s.logPath]);
  const got = await collect(s.logPath);
  assert.ok(got.length > 0 && got.length < 41, `${got.length} lines`);
  assert.equal(got[got.length - 1], 'line-41\n');
});

test('follow across rotations loses no line and repeats none', async (t) => {
  const { s, stop, until, end } = withFollower(t);
  rotateLogs({ logPath: s.logPath, stateDir: s.stateDir, maxSize: 1500, maxFiles: 2, signal: stop.signal });
  const following = collect(s.logPath, { follow: true }, until);
  const N = 3000;
  for (let i = 1; i <= N; i++) {
    s.conmon.write(line(i));
    if (i % 25 === 0) await tick(1);
  }
  await tick(100);
  end();
  const got = await following;
  assert.ok(s.conmon.reopens >= 20, `only ${s.conmon.reopens} rotations`);
  assert.equal(got.length, N);
  assert.deepEqual(got, Array.from({ length: N }, (_, k) => `line-${k + 1}\n`));
});

test('a follower sees lines conmon appends to the shifted file before it reopens', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'container.log');
  appendFileSync(log, line(1));
  let end!: () => void;
  const until = new Promise<void>((r) => (end = r));
  const following = collect(log, { follow: true }, until);
  await tick(50);
  renameSync(log, `${log}.1`); // berthd shifted; conmon still writes to the old file
  appendFileSync(`${log}.1`, line(2));
  await tick(50);
  appendFileSync(`${log}.tmp`, ''); // conmon reopens
  renameSync(`${log}.tmp`, log);
  appendFileSync(log, line(3));
  await tick(50);
  end();
  assert.deepEqual(await following, ['line-1\n', 'line-2\n', 'line-3\n']);
  assert.equal(readFileSync(`${log}.1`, 'utf8'), line(1) + line(2));
});

test('compress: rotated files from <log>.2 up become <log>.N.gz; logs, tail and since read through them; follow loses and repeats nothing', async (t) => {
  const { s, stop, until, end } = withFollower(t);
  // an interrupted compression of an earlier berthd is removed at start
  writeFileSync(`${s.logPath}.compressing-123`, 'half');
  rotateLogs({ logPath: s.logPath, stateDir: s.stateDir, maxSize: 3000, maxFiles: 4, compress: true, signal: stop.signal, onError: (e) => assert.fail(String(e)) });
  assert.ok(!existsSync(`${s.logPath}.compressing-123`));
  const following = collect(s.logPath, { follow: true }, until);
  const N = 3000;
  for (let i = 1; i <= N; i++) {
    s.conmon.write(line(i));
    if (i % 20 === 0) await tick(1);
  }
  await tick(100);
  s.conmon.write(line(N + 1));
  await tick(100);
  assert.ok(s.conmon.reopens >= 20, `only ${s.conmon.reopens} rotations`);
  const files = keptLogFiles(s.logPath);
  assert.deepEqual(files, [`${s.logPath}.3.gz`, `${s.logPath}.2.gz`, `${s.logPath}.1`, s.logPath]);
  assert.deepEqual(readdirSync(s.dir).filter((f) => f.includes('compressing') || f.includes('.read-')), []);
  const plain = gunzipSync(readFileSync(`${s.logPath}.2.gz`)).toString();
  assert.match(plain, /^\S+ stdout F line-\d+\n/);
  const got = await collect(s.logPath);
  const first = Number(/line-(\d+)/.exec(got[0]!)![1]);
  assert.ok(first > 1, 'old lines were dropped');
  assert.deepEqual(got, Array.from({ length: N + 1 - first + 1 }, (_, k) => `line-${first + k}\n`));
  assert.deepEqual(await collect(s.logPath, { tail: 2 }), [`line-${N}\n`, `line-${N + 1}\n`]);
  const tailSpan = N + 1 - first - 3;
  assert.equal((await collect(s.logPath, { tail: tailSpan }))[0], `line-${first + 4}\n`);
  const since = (1_700_000_000_000 + first + 7) / 1000;
  assert.deepEqual((await collect(s.logPath, { since }))[0], `line-${first + 7}\n`);
  end();
  const followed = await following;
  assert.equal(followed.length, N + 1);
  assert.deepEqual(followed, Array.from({ length: N + 1 }, (_, k) => `line-${k + 1}\n`));
});

test('compress under a burst: a compression whose file was pruned meanwhile never lands on a newer file (inode reuse)', async (t) => {
  // Rotations outpace gzip here, so files are pruned while being compressed; their inodes
  // are reused at once by the next files conmon creates (ext4 does).
  const { s, stop } = withFollower(t);
  rotateLogs({ logPath: s.logPath, stateDir: s.stateDir, maxSize: 600, maxFiles: 3, compress: true, signal: stop.signal, onError: (e) => assert.fail(String(e)) });
  const N = 6000;
  for (let i = 1; i <= N; i++) {
    s.conmon.write(line(i));
    if (i % 4 === 0) await new Promise((r) => setImmediate(r));
  }
  await tick(100);
  s.conmon.write(line(N + 1));
  await tick(200);
  const got = await collect(s.logPath);
  const first = Number(/line-(\d+)/.exec(got[0]!)![1]);
  assert.deepEqual(got, Array.from({ length: N + 1 - first + 1 }, (_, k) => `line-${first + k}\n`));
  assert.ok(s.conmon.reopens >= 100, `only ${s.conmon.reopens} rotations`);
});
