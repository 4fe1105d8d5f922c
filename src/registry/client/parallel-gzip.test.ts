import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GZIP_BLOCK, parallelGzip } from './parallel-gzip.js';

async function collect(src: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(c);
  return Buffer.concat(parts);
}

function* chunks(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** Compressible but not trivial: text lines with random numbers, plus a random tail. */
function sample(n: number): Buffer {
  const lines: string[] = [];
  let len = 0;
  while (len < n) {
    const l = `line ${len} value=${Math.floor(Math.random() * 1e6)} ${'abc'.repeat(len % 7)}\n`;
    lines.push(l);
    len += l.length;
  }
  return Buffer.concat([Buffer.from(lines.join('')).subarray(0, n - 4096), randomBytes(4096)]);
}

test('parallelGzip: one gzip member that node and gzip(1) decode to the input, across block edges', async () => {
  for (const n of [0, 1, GZIP_BLOCK - 1, GZIP_BLOCK, GZIP_BLOCK + 1, 3 * GZIP_BLOCK + 12345]) {
    const input = sample(Math.max(n, 4096)).subarray(0, n);
    const gz = await collect(parallelGzip(chunks(input, 65536)));
    assert.deepEqual(gz.subarray(0, 3), Buffer.from([0x1f, 0x8b, 0x08]));
    assert.ok(gunzipSync(gz).equals(input), `node gunzip, n=${n}`);
    assert.ok(execFileSync('gzip', ['-dc'], { input: gz, maxBuffer: 64 << 20 }).equals(input), `gzip -dc, n=${n}`);
  }
});

test('parallelGzip: output is the same whatever the input chunking and parallelism; it compresses', async () => {
  const input = sample(2 * GZIP_BLOCK + 777);
  const a = await collect(parallelGzip(chunks(input, 1000), { parallel: 1 }));
  const b = await collect(parallelGzip(chunks(input, 1 << 20), { parallel: 4 }));
  const c = await collect(parallelGzip([input.toString('latin1')].map((s) => Buffer.from(s, 'latin1'))));
  assert.ok(a.equals(b));
  assert.ok(a.equals(c));
  assert.ok(a.length < input.length / 2, `compressed ${a.length} of ${input.length}`);
});

test('parallelGzip: a failing source fails the stream', async () => {
  async function* bad(): AsyncGenerator<Buffer> {
    yield Buffer.alloc(10);
    throw new Error('boom');
  }
  await assert.rejects(collect(parallelGzip(bad())), /boom/);
});
