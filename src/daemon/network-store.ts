import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NetworkResource } from '../api/types.js';
import { conflict, EngineError, invalid, notFound } from '../shared/errors.js';
import { checkFilterNames, matchLabels, type Filters } from '../shared/filters.js';
import { newId } from '../shared/ids.js';

/** `POST /networks/create` body (the fields berth stores). */
export interface NetworkCreateRequest {
  Name?: string;
  CheckDuplicate?: boolean;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string> | null; Config?: Array<Record<string, string>> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** Looks up a container's id, name and whether it runs (to attach it to a network record). */
export type ContainerLookup = (ref: string) => Promise<{ id: string; name: string; running?: boolean }>;

const PREDEFINED: Array<[string, string]> = [
  ['bridge', 'bridge'],
  ['host', 'host'],
  ['none', 'null'],
];

/**
 * Network records answering Docker's network API. Bridge networking is not implemented yet:
 * user networks are stored (create/list/inspect/connect/disconnect/remove/prune) and containers
 * on them run like `--network none` (loopback only). Predefined: bridge, host, none.
 */
export class NetworkStore {
  private readonly nets = new Map<string, NetworkResource>();

  constructor(private readonly file: string, private readonly lookup: ContainerLookup) {
    for (const [name, driver] of PREDEFINED) this.nets.set(name, record(predefinedId(name), name, driver, {}));
    try {
      for (const n of JSON.parse(readFileSync(file, 'utf8')) as NetworkResource[]) this.nets.set(n.Id, n);
    } catch {
      // no file yet
    }
  }

  list(filters: Filters = new Map()): NetworkResource[] {
    checkFilterNames(filters, ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
    return [...this.nets.values()].filter((n) => matches(n, filters)).map((n) => ({ ...n, Containers: {} }));
  }

  /** Exact id, exact name, then unique id prefix (Docker's order). */
  inspect(ref: string): NetworkResource {
    const byId = this.nets.get(ref);
    if (byId) return byId;
    const all = [...this.nets.values()];
    const byName = all.filter((n) => n.Name === ref);
    if (byName.length === 1) return byName[0];
    if (byName.length > 1) throw invalid(`network ${ref} is ambiguous (${byName.length} matches found based on name)`);
    const byPrefix = ref ? all.filter((n) => n.Id.startsWith(ref)) : [];
    if (byPrefix.length === 1) return byPrefix[0];
    if (byPrefix.length > 1) throw invalid(`network ${ref} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    throw notFound(`network ${ref} not found`);
  }

  create(req: NetworkCreateRequest): { Id: string; Warning: string } {
    const name = req.Name ?? '';
    if (!name) throw invalid('network name cannot be empty');
    if (PREDEFINED.some(([n]) => n === name)) throw new EngineError('forbidden', `${name} is a pre-defined network and cannot be created`);
    if ([...this.nets.values()].some((n) => n.Name === name)) throw conflict(`network with name ${name} already exists`);
    const driver = req.Driver || 'bridge';
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    const n = record(newId(), name, driver, req.Labels ?? {});
    n.Internal = Boolean(req.Internal);
    n.Attachable = Boolean(req.Attachable);
    n.EnableIPv6 = Boolean(req.EnableIPv6);
    n.Options = req.Options ?? {};
    n.IPAM = { Driver: req.IPAM?.Driver || 'default', Options: req.IPAM?.Options ?? {}, Config: req.IPAM?.Config ?? [] };
    this.nets.set(n.Id, n);
    this.save();
    return { Id: n.Id, Warning: '' };
  }

  /** Like Docker, only running containers are active endpoints; stopped ones are dropped from the record. */
  async remove(ref: string): Promise<void> {
    const n = this.inspect(ref);
    if (isPredefined(n)) throw new EngineError('forbidden', `${n.Name} is a pre-defined network and cannot be removed`);
    for (const id of Object.keys(n.Containers)) {
      const c = await this.lookup(id).catch(() => undefined);
      if (!c?.running) delete n.Containers[id];
    }
    if (Object.keys(n.Containers).length > 0) throw new EngineError('forbidden', `error while removing network: network ${n.Name} id ${n.Id} has active endpoints`);
    this.nets.delete(n.Id);
    this.save();
  }

  async connect(ref: string, container: string): Promise<void> {
    const n = this.inspect(ref);
    const c = await this.lookup(container);
    if (isPredefined(n)) throw new EngineError('forbidden', `container cannot be disconnected from host network or connected to host network`);
    if (n.Containers[c.id]) throw new EngineError('forbidden', `endpoint with name ${c.name.replace(/^\//, '')} already exists in network ${n.Name}`);
    n.Containers[c.id] = { Name: c.name.replace(/^\//, ''), EndpointID: newId(), MacAddress: '', IPv4Address: '', IPv6Address: '' };
    this.save();
  }

  async disconnect(ref: string, container: string, force: boolean): Promise<void> {
    const n = this.inspect(ref);
    const c = await this.lookup(container).catch((err) => {
      if (force) return { id: container, name: container };
      throw err;
    });
    if (!n.Containers[c.id]) {
      if (force) return;
      throw new EngineError('forbidden', `container ${c.id} is not connected to network ${n.Name}`);
    }
    delete n.Containers[c.id];
    this.save();
  }

  /** Joins a container created with `NetworkMode: <user network>` (throws 404 when it does not exist). */
  async attachOnCreate(mode: string, containerId: string, name: string): Promise<void> {
    const n = this.inspect(mode);
    if (isPredefined(n)) return;
    n.Containers[containerId] = { Name: name.replace(/^\//, ''), EndpointID: newId(), MacAddress: '', IPv4Address: '', IPv6Address: '' };
    this.save();
  }

  /** Forget a removed container everywhere. */
  detachAll(containerId: string): void {
    let changed = false;
    for (const n of this.nets.values()) {
      if (n.Containers[containerId]) {
        delete n.Containers[containerId];
        changed = true;
      }
    }
    if (changed) this.save();
  }

  prune(filters: Filters = new Map()): { NetworksDeleted: string[] | null } {
    checkFilterNames(filters, ['label', 'label!', 'until']);
    const deleted: string[] = [];
    for (const n of [...this.nets.values()]) {
      if (isPredefined(n) || Object.keys(n.Containers).length > 0) continue;
      if (!matchLabels(filters.get('label'), n.Labels)) continue;
      this.nets.delete(n.Id);
      deleted.push(n.Name);
    }
    if (deleted.length) this.save();
    return { NetworksDeleted: deleted.length ? deleted : null };
  }

  private save(): void {
    const user = [...this.nets.values()].filter((n) => !isPredefined(n));
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(user));
    renameSync(tmp, this.file);
  }
}

function isPredefined(n: NetworkResource): boolean {
  return PREDEFINED.some(([name]) => name === n.Name) && n.Id === predefinedId(n.Name);
}

/** Stable ids for the predefined networks (sha256-looking, fixed per name). */
function predefinedId(name: string): string {
  const hex = Buffer.from(`berth-network-${name}`).toString('hex');
  return (hex + hex + hex).slice(0, 64);
}

function record(id: string, name: string, driver: string, labels: Record<string, string>): NetworkResource {
  return {
    Name: name,
    Id: id,
    Created: new Date().toISOString(),
    Scope: 'local',
    Driver: driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: labels,
  };
}

function matches(n: NetworkResource, f: Filters): boolean {
  const any = (key: string, test: (v: string) => boolean): boolean => {
    const vals = f.get(key);
    return !vals || vals.length === 0 || vals.some(test);
  };
  if (!any('name', (v) => n.Name.includes(v))) return false;
  if (!any('id', (v) => n.Id.startsWith(v))) return false;
  if (!any('driver', (v) => n.Driver === v)) return false;
  if (!any('scope', (v) => n.Scope === v)) return false;
  if (!any('type', (v) => (v === 'builtin') === isPredefined(n))) return false;
  if (!any('dangling', (v) => (v === 'true' || v === '1') === (Object.keys(n.Containers).length === 0 && !isPredefined(n)))) return false;
  return matchLabels(f.get('label'), n.Labels);
}
