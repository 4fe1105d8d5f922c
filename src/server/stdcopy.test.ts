import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deframe, encodeBatch } from './stdcopy.js';

const batch = (chunks: [1 | 2, string, string][]) => {
  const src = Buffer.from(chunks.map((c) => c[1]).join(''));
  let off = 0;
  const b = { length: chunks.length, sources: [src], source: [] as number[], start: [] as number[], end: [] as number[], stream: [] as number[], time: [] as string[] };
  for (const [stream, data, time] of chunks) {
    b.source.push(0);
    b.start.push(off);
    b.end.push((off += Buffer.byteLength(data)));
    b.stream.push(stream);
    b.time.push(time);
  }
  return b;
};

test('encodeBatch: one frame per run of a stream, timestamps per chunk, raw for a tty', () => {
  const b = batch([
    [1, 'a\n', 'T1'],
    [1, 'bb\n', 'T2'],
    [2, 'e\n', 'T3'],
    [1, 'c\n', 'T4'],
  ]);
  const frames = [...deframe(encodeBatch(b, { tty: false, timestamps: false }))].map((f) => [f.stream, f.data.toString()]);
  assert.deepEqual(frames, [[1, 'a\nbb\n'], [2, 'e\n'], [1, 'c\n']]);
  const stamped = [...deframe(encodeBatch(b, { tty: false, timestamps: true }))].map((f) => f.data.toString());
  assert.deepEqual(stamped, ['T1 a\nT2 bb\n', 'T3 e\n', 'T4 c\n']);
  assert.equal(encodeBatch(b, { tty: true, timestamps: false }).toString(), 'a\nbb\ne\nc\n');
  assert.equal(encodeBatch(batch([]), { tty: false, timestamps: false }).length, 0);
});
