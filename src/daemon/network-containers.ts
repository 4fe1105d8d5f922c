import type { ContainerBackend } from '../server/backends.js';
import type { NetworkStore } from './network-store.js';

const BUILTIN = new Set(['', 'default', 'bridge', 'host', 'none']);

/**
 * Containers joined to user network records: create checks `HostConfig.NetworkMode` names an
 * existing network (Docker's 404 `network x not found`) and records the endpoint; remove drops
 * it. The container itself runs like `--network none` until bridge networking lands.
 */
export function withNetworkRecords<T extends ContainerBackend>(svc: T, nets: NetworkStore): T {
  const create = svc.create.bind(svc);
  const remove = svc.remove.bind(svc);
  svc.create = async (req, opts) => {
    const mode = req.HostConfig?.NetworkMode ?? '';
    const user = !BUILTIN.has(mode) && !mode.startsWith('container:');
    if (user) nets.inspect(mode);
    const r = await create(req, opts);
    if (user) {
      const c = await svc.inspect(r.Id);
      await nets.attachOnCreate(mode, r.Id, c.Name);
    }
    return r;
  };
  svc.remove = async (ref, opts) => {
    const id = (await svc.inspect(ref).catch(() => undefined))?.Id;
    await remove(ref, opts);
    if (id) nets.detachAll(id);
  };
  return svc;
}
