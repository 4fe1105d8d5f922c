import { Readable } from 'node:stream';
import tarStream from 'tar-stream';

/** A tar entry for test fixtures (tar-stream writes it, so berth's reader is checked against another writer). */
export interface FixtureEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  body?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  mtime?: Date;
  pax?: Record<string, string>;
  devmajor?: number;
  devminor?: number;
}

/** Build a tar (as a Buffer) from entries, in order. Test-only helper. */
export async function buildTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const mode = e.mode ?? (type === 'directory' ? 0o755 : 0o644);
    await new Promise<void>((resolve, reject) => {
      const header = { ...e, type, mode, mtime: e.mtime ?? new Date(1_600_000_000_000) };
      delete (header as { body?: unknown }).body;
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, e.body ?? '', cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function tarStreamOf(buf: Buffer): Readable {
  return Readable.from([buf.subarray(0, 700), buf.subarray(700)], { objectMode: false });
}
