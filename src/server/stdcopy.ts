/** Docker's stdcopy stream ids. */
export const STREAM_ID = { stdin: 0, stdout: 1, stderr: 2, systemerr: 3 } as const;

export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';
export const RAW_STREAM = 'application/vnd.docker.raw-stream';

/**
 * One stdcopy frame: 8-byte header `[stream, 0, 0, 0, size BE32]` then the payload.
 *
 * @example frame('stdout', Buffer.from('hi\n')) // <01 00 00 00 00 00 00 03 68 69 0a>
 */
export function frame(stream: keyof typeof STREAM_ID, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + data.length);
  out.writeUInt32BE(0, 0);
  out[0] = STREAM_ID[stream];
  out.writeUInt32BE(data.length, 4);
  data.copy(out, 8);
  return out;
}

/** Splits a multiplexed byte stream back into frames (used by tests and clients). */
export function* deframe(buf: Buffer): Generator<{ stream: number; data: Buffer }> {
  let off = 0;
  while (off + 8 <= buf.length) {
    const size = buf.readUInt32BE(off + 4);
    if (off + 8 + size > buf.length) return;
    yield { stream: buf[off], data: buf.subarray(off + 8, off + 8 + size) };
    off += 8 + size;
  }
}
