import tar from 'tar-stream';

/** One entry of a hand-made tar (tests only). */
export interface TarSpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
}

/**
 * Build a tar in memory, names taken verbatim (`../x`, `/abs` included), for tests of what
 * the context extractor accepts and refuses.
 *
 * @example const body = await makeTar([{ name: 'Dockerfile', content: 'FROM busybox\n' }]);
 */
export async function makeTar(specs: TarSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const s of specs) {
    const type = s.type ?? 'file';
    const header = {
      name: s.name,
      type,
      linkname: s.linkname,
      mode: s.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: s.uid ?? 0,
      gid: s.gid ?? 0,
      mtime: s.mtime ?? new Date(1_700_000_000_000),
    };
    if (type === 'file') pack.entry(header, typeof s.content === 'string' ? Buffer.from(s.content) : (s.content ?? Buffer.alloc(0)));
    else pack.entry(header);
  }
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
