import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { ContentStore } from '../content/index.js';
import { applyLayer, decompress } from '../archive/index.js';
import { OverlaySnapshotter } from '../snapshots/index.js';
import { LocalImageService } from './local-image-service.js';
import type { ImageServiceDeps } from './deps.js';

/** One entry of a fixture tar. */
export interface FixtureEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'character-device';
  data?: Buffer | string;
  linkname?: string;
  mode?: number;
}

/** Builds an in-memory tar (test helper). */
export async function makeTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = e.data === undefined ? undefined : Buffer.from(e.data);
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      const mode = e.mode ?? (type === 'directory' ? 0o755 : 0o644);
      const header = { name: e.name, type, mode, mtime: new Date(1700000000000), uid: 0, gid: 0, linkname: e.linkname };
      if (type === 'file') pack.entry({ ...header, size: data?.length ?? 0 }, data ?? Buffer.alloc(0), cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const sha = (b: Buffer | string): `sha256:${string}` => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Two busybox layers: the second whites out /etc/removed.txt and adds /etc/hello.txt. */
export async function busyboxLayers(): Promise<Buffer[]> {
  const busybox = readFileSync('/usr/bin/busybox');
  const l1 = await makeTar([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', data: busybox, mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'bin/ls', type: 'symlink', linkname: 'busybox' },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n' },
    { name: 'etc/removed.txt', data: 'gone soon\n' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
  ]);
  const l2 = await makeTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/.wh.removed.txt', data: '' },
    { name: 'etc/hello.txt', data: 'hello\n' },
  ]);
  return [l1, l2];
}

/** Image config JSON for the given layers. */
export function configFor(layers: Buffer[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-02T03:04:05Z',
      config: { Cmd: ['sh'], Env: ['PATH=/bin'], Labels: { fixture: 'yes' } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l)) },
      history: [
        { created: '2024-01-01T00:00:00Z', created_by: 'ADD busybox /' },
        { created: '2024-01-01T00:00:01Z', created_by: 'ENV PATH=/bin', empty_layer: true },
        { created: '2024-01-02T03:04:05Z', created_by: 'RUN rm /etc/removed.txt', comment: 'second' },
      ],
      ...extra,
    }),
  );
}

/** A legacy docker-archive (`<id>.json`, `<n>/layer.tar`, manifest.json). */
export async function dockerArchive(layers: Buffer[], config: Buffer, repoTags: string[] | null): Promise<Buffer> {
  const id = sha(config).slice(7);
  const entries: FixtureEntry[] = [{ name: `${id}.json`, data: config }];
  const paths: string[] = [];
  layers.forEach((l, i) => {
    const dir = sha(Buffer.from(`layer${i}${sha(l)}`)).slice(7);
    entries.push({ name: `${dir}/`, type: 'directory' }, { name: `${dir}/VERSION`, data: '1.0' }, { name: `${dir}/layer.tar`, data: l });
    paths.push(`${dir}/layer.tar`);
  });
  entries.push({ name: 'manifest.json', data: JSON.stringify([{ Config: `${id}.json`, RepoTags: repoTags, Layers: paths }]) });
  return makeTar(entries);
}

/** An OCI image layout with gzip-compressed layers, named via io.containerd.image.name. */
export async function ociArchive(layers: Buffer[], config: Buffer, name?: string, nested = false): Promise<Buffer> {
  const gz = layers.map((l) => gzipSync(l));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: gz.map((g) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(g), size: g.length })),
    }),
  );
  const annotations = name ? { annotations: { 'io.containerd.image.name': name } } : {};
  let desc: Record<string, unknown> = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, ...annotations };
  const blobs = [config, manifest, ...gz];
  if (nested) {
    const host = process.arch === 'x64' ? 'amd64' : process.arch;
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('absent'), size: 6, platform: { os: 'linux', architecture: 's390x' } },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, platform: { os: 'linux', architecture: host } },
        ],
      }),
    );
    blobs.push(list);
    desc = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha(list), size: list.length, ...annotations };
  }
  const entries: FixtureEntry[] = [
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...blobs.map((b) => ({ name: `blobs/sha256/${sha(b).slice(7)}`, data: b })),
    { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [desc] }) },
  ];
  return makeTar(entries);
}

/** A fresh service over real content store + overlay snapshotter in a temp dir. */
export async function tempService(usage?: ImageServiceDeps['usage']): Promise<{ svc: LocalImageService; deps: ImageServiceDeps; dir: string; content: ContentStore; snapshotter: OverlaySnapshotter }> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-images-'));
  const content = new ContentStore(path.join(dir, 'content'));
  const snapshotter = new OverlaySnapshotter(path.join(dir, 'snapshots', 'overlay'));
  const deps: ImageServiceDeps = { root: path.join(dir, 'images'), content, snapshotter, archive: { decompress, applyLayer }, usage };
  return { svc: await LocalImageService.open(deps), deps, dir, content, snapshotter };
}

export const readable = (b: Buffer): Readable => Readable.from([b]);

export async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
