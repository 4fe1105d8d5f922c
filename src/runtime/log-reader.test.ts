import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogsOptions, OutputChunk } from './log-types.js';
import { readLog } from './log-reader.js';
import { parseTime } from './k8s-log-line.js';

function tmpLog(content: string): { path: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-log-'));
  const path = join(dir, 'container.log');
  writeFileSync(path, content);
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

async function all(path: string, opts: LogsOptions, until?: Promise<void>): Promise<OutputChunk[]> {
  const out: OutputChunk[] = [];
  for await (const c of readLog(path, opts, { until })) out.push(c);
  return out;
}

const text = (cs: OutputChunk[]): string => cs.map((c) => `${c.stream}:${c.data.toString()}`).join('');
const ts = (sec: number, nanos = 0): string => `${new Date(sec * 1000).toISOString().slice(0, 19)}.${String(nanos).padStart(9, '0')}+00:00`;

const SAMPLE = [
  `${ts(1000)} stdout F one`,
  `${ts(1001)} stderr F e1`,
  `${ts(1002)} stdout P tw`,
  `${ts(1002, 5)} stderr F e2`,
  `${ts(1002, 9)} stdout F o`,
  `${ts(1003)} stdout F `,
  `${ts(1004)} stdout F four`,
].join('\n') + '\n';

test('parses k8s-file lines, joins partial pieces, keeps streams apart', async () => {
  const f = tmpLog(SAMPLE);
  try {
    const cs = await all(f.path, { timestamps: true });
    assert.equal(text(cs), 'stdout:one\nstderr:e1\nstderr:e2\nstdout:two\nstdout:\nstdout:four\n');
    assert.equal(cs[0]!.time, '1970-01-01T00:16:40.000000000Z');
    assert.equal(cs[3]!.time, '1970-01-01T00:16:42.000000000Z'); // time of the first piece
    assert.equal(text(await all(f.path, { stderr: true })), 'stderr:e1\nstderr:e2\n');
    assert.equal(text(await all(f.path, { stdout: true, stderr: false })), 'stdout:one\nstdout:two\nstdout:\nstdout:four\n');
  } finally {
    f.done();
  }
});

test('tail counts whole chunks from the end', async () => {
  const f = tmpLog(SAMPLE);
  try {
    assert.equal(text(await all(f.path, { tail: 2 })), 'stdout:\nstdout:four\n');
    assert.equal(text(await all(f.path, { tail: 4 })), 'stderr:e2\nstdout:two\nstdout:\nstdout:four\n');
    assert.equal(text(await all(f.path, { tail: 3, stderr: true })), 'stderr:e1\nstderr:e2\n');
    assert.equal(text(await all(f.path, { tail: 0 })), '');
    assert.equal((await all(f.path, { tail: 100 })).length, 6);
    assert.equal((await all(f.path, { tail: 'all' })).length, 6);
  } finally {
    f.done();
  }
});

test('tail on a file much larger than one read block', async () => {
  const lines: string[] = [];
  for (let i = 0; i < 50_000; i++) lines.push(`${ts(2000 + i)} ${i % 2 ? 'stderr' : 'stdout'} F line-${i}`);
  const f = tmpLog(lines.join('\n') + '\n');
  try {
    const cs = await all(f.path, { tail: 3 });
    assert.equal(text(cs), 'stderr:line-49997\nstdout:line-49998\nstderr:line-49999\n');
    const so = await all(f.path, { tail: 2, stdout: true });
    assert.equal(text(so), 'stdout:line-49996\nstdout:line-49998\n');
    assert.equal((await all(f.path, { tail: 20_000 })).length, 20_000);
    assert.equal((await all(f.path, { tail: 20_000 }))[0]!.data.toString(), 'line-30000\n');
  } finally {
    f.done();
  }
});

test('since and until filter by timestamp (fractions included)', async () => {
  const f = tmpLog(SAMPLE);
  try {
    assert.equal(text(await all(f.path, { since: 1002 })), 'stderr:e2\nstdout:two\nstdout:\nstdout:four\n');
    assert.equal(text(await all(f.path, { since: 1002.000000007 })), 'stdout:two\nstdout:\nstdout:four\n');
    assert.equal(text(await all(f.path, { until: 1001 })), 'stdout:one\nstderr:e1\n');
    assert.equal(text(await all(f.path, { since: 1001, until: 1003 })), 'stderr:e1\nstderr:e2\nstdout:two\nstdout:\n');
  } finally {
    f.done();
  }
});

test('follow yields appended lines and drains to EOF once stopped', async () => {
  const f = tmpLog(`${ts(1)} stdout F first\n`);
  let stop!: () => void;
  const until = new Promise<void>((r) => (stop = r));
  try {
    const seen: string[] = [];
    const reading = (async () => {
      for await (const c of readLog(f.path, { follow: true, tail: 1 }, { until })) seen.push(c.data.toString());
    })();
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(f.path, `${ts(2)} stdout P sec`);
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(f.path, `ond\n${ts(2)} stdout F  half\n`);
    for (let i = 0; i < 40 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen, ['first\n', 'second half\n']);
    appendFileSync(f.path, `${ts(3)} stderr F last\n`);
    stop();
    await reading;
    assert.deepEqual(seen, ['first\n', 'second half\n', 'last\n']);
  } finally {
    stop();
    f.done();
  }
});

test('a missing log is empty', async () => {
  assert.deepEqual(await all('/nonexistent/berth/log', {}), []);
});

test('parseTime handles offsets and nanoseconds', () => {
  assert.deepEqual(parseTime('2026-11-23T21:33:26.749842765+01:00'), { time: '2026-11-23T20:33:26.749842765Z', seconds: Date.UTC(2026, 10, 23, 20, 33, 26) / 1000 + 0.749842765 });
  assert.equal(parseTime('2026-11-23T20:33:26Z')?.time, '2026-11-23T20:33:26.000000000Z');
  assert.equal(parseTime('garbage'), undefined);
});

test('tail never reads the file forward: lines after a 4 GiB hole come back at once', async () => {
  const f = tmpLog('');
  try {
    const fd = openSync(f.path, 'r+');
    const tailLines = `\n${ts(5000)} stdout F a\n${ts(5001)} stderr F b\n${ts(5002)} stdout F c\n`;
    writeSync(fd, tailLines, 4 * 1024 ** 3); // the hole before is one 4 GiB "line": a forward scan could not cope
    closeSync(fd);
    assert.equal(text(await all(f.path, { tail: 2 })), 'stderr:b\nstdout:c\n');
    assert.equal(text(await all(f.path, { tail: 1, stderr: true })), 'stderr:b\n');
  } finally {
    f.done();
  }
});

test('since finds its line by binary search in a large file, exact at the boundaries', async () => {
  const lines: string[] = [];
  for (let i = 0; i < 100_000; i++) lines.push(`${ts(10_000 + Math.floor(i / 3), (i % 3) * 100)} ${i % 5 ? 'stdout' : 'stderr'} F n${i}`);
  const f = tmpLog(lines.join('\n') + '\n');
  try {
    const first = async (since: number): Promise<string | undefined> => (await all(f.path, { since }))[0]?.data.toString();
    assert.equal(await first(10_000), 'n0\n');
    assert.equal(await first(1), 'n0\n');
    assert.equal(await first(10_000 + 20_000), 'n60000\n');
    assert.equal(await first(10_000 + 20_000 + 0.0000001), 'n60001\n'); // 100 ns later
    assert.equal(await first(10_000 + 33_333), 'n99999\n');
    assert.equal(await first(10_000 + 33_334), undefined);
    assert.equal((await all(f.path, { since: 10_000 + 30_000 })).length, 10_000);
    assert.equal(text(await all(f.path, { since: 10_000 + 30_000, tail: 1 })), 'stdout:n99999\n');
  } finally {
    f.done();
  }
});

test('bytes stay exact: NUL, CR, invalid UTF-8 and long partial runs', async () => {
  const bin = Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x80, 0x41]);
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61); // a 3 MiB line, split by conmon into P pieces
  const parts: Buffer[] = [Buffer.from(`${ts(1)} stdout F `), bin, Buffer.from('\n')];
  for (let off = 0; off < big.length; off += 8192) {
    parts.push(Buffer.from(`${ts(2)} stderr ${off + 8192 < big.length ? 'P' : 'F'} `), big.subarray(off, off + 8192), Buffer.from('\n'));
  }
  const f = tmpLog('');
  try {
    writeFileSync(f.path, Buffer.concat(parts));
    const cs = await all(f.path, {});
    assert.equal(cs.length, 2);
    assert.deepEqual(cs[0]!.data, Buffer.concat([bin, Buffer.from('\n')]));
    assert.equal(cs[1]!.stream, 'stderr');
    assert.deepEqual(cs[1]!.data, Buffer.concat([big, Buffer.from('\n')]));
  } finally {
    f.done();
  }
});

test('a last line that never ended is shown as it is once reading stops', async () => {
  const f = tmpLog(`${ts(1)} stdout F a\n${ts(2)} stdout P no-new\n${ts(2)} stdout P line\n`);
  try {
    assert.equal(text(await all(f.path, {})), 'stdout:a\nstdout:no-newline');
    assert.equal(text(await all(f.path, { tail: 1 })), 'stdout:no-newline');
    assert.equal(text(await all(f.path, { follow: true }, Promise.resolve())), 'stdout:a\nstdout:no-newline');
  } finally {
    f.done();
  }
});
