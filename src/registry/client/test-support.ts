import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { JSONMessage } from '../../api/types.js';
import { busyboxLayers, configFor, dockerArchive, readable, tempService } from '../../images/test-fixtures.js';
import { ClientState } from './client-state.js';
import type { FakeRegistry } from './fake-registry.js';
import { MEDIA } from './media-types.js';
import { RegistryPuller } from './registry-puller.js';
import { RegistryPusher } from './registry-pusher.js';

/** Test-only: a temp image store with a puller and pusher over it. */
export async function tempClient(dirs: string[], opts: { retryDelayMs?: number } = {}) {
  const t = await tempService();
  dirs.push(t.dir);
  const state = await ClientState.open(path.join(t.dir, 'registry-client'));
  const deps = { content: t.content, images: t.svc, state, retryDelayMs: opts.retryDelayMs ?? 10 };
  return { ...t, state, puller: new RegistryPuller(deps), pusher: new RegistryPusher(deps) };
}

/** Test-only: collects progress messages. */
export function sink(): { msgs: JSONMessage[]; fn: (m: JSONMessage) => void; statuses: () => string[] } {
  const msgs: JSONMessage[] = [];
  return { msgs, fn: (m) => msgs.push(m), statuses: () => msgs.filter((m) => m.status).map((m) => (m.id ? `${m.id}: ${m.status}` : m.status!)) };
}

/** Test-only: loads the two-layer busybox fixture tagged `tag` into a store. */
export async function loadFixture(svc: { load: (r: ReturnType<typeof readable>, p: (m: JSONMessage) => void) => Promise<void> }, tag: string): Promise<void> {
  const layers = await busyboxLayers();
  await svc.load(readable(await dockerArchive(layers, configFor(layers), [tag])), () => undefined);
}

/** Test-only: publishes the busybox fixture in a fake registry (gzip layers); returns descriptors. */
export async function publishFixture(reg: FakeRegistry, repo: string, tag: string, asIndex = false) {
  const layers = await busyboxLayers();
  const cfg = configFor(layers);
  const config = reg.blob(cfg, MEDIA.dockerConfig);
  const gz = layers.map((l) => reg.blob(gzipSync(l), MEDIA.dockerLayerGzip));
  const man = reg.manifest({ schemaVersion: 2, mediaType: MEDIA.dockerManifest, config, layers: gz }, MEDIA.dockerManifest, asIndex ? [] : [tag]);
  let top = man;
  if (asIndex) {
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    const other = reg.manifest({ schemaVersion: 2, mediaType: MEDIA.dockerManifest, config, layers: [] }, MEDIA.dockerManifest);
    top = reg.manifest(
      {
        schemaVersion: 2,
        mediaType: MEDIA.ociIndex,
        manifests: [
          { ...other, platform: { os: 'linux', architecture: 's390x' } },
          { ...man, platform: { os: 'linux', architecture: arch } },
        ],
      },
      MEDIA.ociIndex,
      [tag],
    );
  }
  void repo;
  return { config, layers: gz, manifest: man, top };
}

/** Test-only: every file under a directory (to check nothing half-written is left). */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let ents;
    try {
      ents = await fsp.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(p);
    }
  };
  await walk(dir);
  return out;
}
