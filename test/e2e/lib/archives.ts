import { createHash } from 'node:crypto';
import tar from 'tar-stream';

/** One tar entry for {@link tarBuffer}. */
export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  body?: string | Buffer;
  linkname?: string;
  mode?: number;
}

/** Build an (uncompressed) tar in memory, entries in the given order, names taken verbatim. */
export async function tarBuffer(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res, rej) => {
    pack.on('end', () => res());
    pack.on('error', rej);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = e.body === undefined ? undefined : Buffer.isBuffer(e.body) ? e.body : Buffer.from(e.body);
    const mode = e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644);
    const header = { name: e.name, type, mode, mtime: new Date(0), uid: 0, gid: 0, linkname: e.linkname, size: type === 'file' ? body?.length ?? 0 : 0 };
    await new Promise<void>((res, rej) => {
      const cb = (err?: Error | null) => (err ? rej(err) : res());
      if (type === 'file') pack.entry(header, body ?? Buffer.alloc(0), cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * A `docker save`-format archive holding one image with one layer made of `layerEntries`
 * (written verbatim, so it can carry `../` names and hostile links), tagged `repoTag`.
 */
export async function dockerArchive(repoTag: string, layerEntries: TarEntry[]): Promise<Buffer> {
  const layer = await tarBuffer(layerEntries);
  const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: 'berth e2e' }],
    }),
  );
  const configHex = createHash('sha256').update(config).digest('hex');
  const layerDir = diffId.slice(7);
  const manifest = JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [repoTag], Layers: [`${layerDir}/layer.tar`] }]);
  return tarBuffer([
    { name: `${layerDir}/`, type: 'directory' },
    { name: `${layerDir}/layer.tar`, body: layer },
    { name: `${configHex}.json`, body: config },
    { name: 'manifest.json', body: manifest },
  ]);
}
