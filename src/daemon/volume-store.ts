import type { Volume } from '../api/types.js';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, invalid, notFound } from '../shared/errors.js';
import { checkFilterNames, matchLabels, type Filters } from '../shared/filters.js';
import { newId } from '../shared/ids.js';


const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * Local volume records under `<root>/<name>/{_data,volume.json}` answering Docker's volume API
 * (list/create/inspect/remove/prune). Mounting named volumes into containers is not wired yet.
 */
export class VolumeStore {
  constructor(private readonly root: string) {}

  list(filters: Filters = new Map()): { Volumes: Volume[]; Warnings: null } {
    checkFilterNames(filters, ['dangling', 'driver', 'label', 'name']);
    const vols = this.all().filter((v) => {
      const names = filters.get('name');
      if (names?.length && !names.some((n) => v.Name.includes(n))) return false;
      const drivers = filters.get('driver');
      if (drivers?.length && !drivers.includes(v.Driver)) return false;
      return matchLabels(filters.get('label'), v.Labels);
    });
    return { Volumes: vols, Warnings: null };
  }

  create(req: { Name?: string; Driver?: string; DriverOpts?: Record<string, string> | null; Labels?: Record<string, string> | null }): Volume {
    const name = req.Name || newId();
    if (!NAME_RE.test(name)) throw invalid(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    const driver = req.Driver || 'local';
    if (driver !== 'local') throw notFound(`create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const existing = this.read(name);
    if (existing) return existing;
    const dir = join(this.root, name);
    mkdirSync(join(dir, '_data'), { recursive: true });
    const v: Volume = {
      CreatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      Driver: 'local',
      Labels: req.Name ? (req.Labels ?? {}) : { 'com.docker.volume.anonymous': '', ...(req.Labels ?? {}) },
      Mountpoint: join(dir, '_data'),
      Name: name,
      Options: req.DriverOpts ?? {},
      Scope: 'local',
    };
    writeFileSync(join(dir, 'volume.json'), JSON.stringify(v));
    return v;
  }

  inspect(name: string): Volume {
    const v = this.read(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  /** `inUse` says whether a container still references the volume. */
  remove(name: string, opts: { force?: boolean; inUse?: boolean } = {}): void {
    const v = this.read(name);
    if (!v) {
      if (opts.force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    if (opts.inUse) throw conflict(`remove ${name}: volume is in use`);
    rmSync(join(this.root, name), { recursive: true, force: true });
  }

  prune(filters: Filters = new Map(), inUse: (name: string) => boolean = () => false): { VolumesDeleted: string[] | null; SpaceReclaimed: number } {
    checkFilterNames(filters, ['label', 'label!', 'all']);
    const deleted: string[] = [];
    const all = ['1', 'true'].includes(filters.get('all')?.[0] ?? '');
    for (const v of this.all()) {
      if (!all && !('com.docker.volume.anonymous' in v.Labels)) continue;
      if (inUse(v.Name) || !matchLabels(filters.get('label'), v.Labels)) continue;
      rmSync(join(this.root, v.Name), { recursive: true, force: true });
      deleted.push(v.Name);
    }
    return { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: 0 };
  }

  private all(): Volume[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names.map((n) => this.read(n)).filter((v): v is Volume => v !== undefined);
  }

  private read(name: string): Volume | undefined {
    if (!NAME_RE.test(name)) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.root, name, 'volume.json'), 'utf8')) as Volume;
    } catch {
      return undefined;
    }
  }
}
