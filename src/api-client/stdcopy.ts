import { Writable } from 'node:stream';

/** Stream ids of Docker's multiplexed frames: `[stream, 0, 0, 0, size(uint32 BE)]`. */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

/**
 * A writable that splits Docker's 8-byte framed stream into stdout and stderr payloads.
 * A system-error frame (stream 3) makes the writable fail with its text.
 *
 * @example
 *   res.pipe(new FrameDemuxer((b) => process.stdout.write(b), (b) => process.stderr.write(b)));
 */
export class FrameDemuxer extends Writable {
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly onStdout: (chunk: Buffer) => void,
    private readonly onStderr: (chunk: Buffer) => void,
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      this.drainFrames();
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _final(done: (err?: Error | null) => void): void {
    done(this.buf.length ? new Error(`failed to demultiplex stream: ${this.buf.length} trailing bytes`) : null);
  }

  private drainFrames(): void {
    while (this.buf.length >= 8) {
      const kind = this.buf[0]!;
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) return;
      const payload = this.buf.subarray(8, 8 + size);
      this.buf = this.buf.subarray(8 + size);
      if (kind === STDOUT || kind === STDIN) this.onStdout(payload);
      else if (kind === STDERR) this.onStderr(payload);
      else if (kind === SYSTEMERR) throw new Error(payload.toString('utf8'));
      else throw new Error(`failed to demultiplex stream: unrecognized stream id ${kind}`);
    }
  }
}

/** Builds one frame (used by tests and fakes). */
export function encodeFrame(stream: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}
