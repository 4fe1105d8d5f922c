import type { ContainerBackend } from '../server/backends.js';
import type { Filters } from '../shared/filters.js';
import { checkFilterNames } from '../shared/filters.js';
import type { EventInput } from '../events/event-types.js';

/**
 * `docker container prune` built from list + remove, for a container service without
 * its own prune: removes stopped (created/exited/dead) containers matching `label`/`until`.
 * SpaceReclaimed is the sum of their writable layers (SizeRw), as dockerd reports it.
 */
export function withContainerPrune<T extends ContainerBackend>(svc: T, publish?: (e: EventInput) => void): T {
  if (svc.prune) return svc;
  svc.prune = async (opts: { filters?: Filters }) => {
    const filters = opts.filters ?? new Map<string, string[]>();
    checkFilterNames(filters, ['label', 'label!', 'until']);
    const untilRaw = filters.get('until')?.[0];
    const until = untilRaw === undefined ? undefined : /^[0-9.]+$/.test(untilRaw) ? Number(untilRaw) : Date.parse(untilRaw) / 1000;
    const listFilters = new Map<string, string[]>();
    if (filters.has('label')) listFilters.set('label', filters.get('label')!);
    const all = await svc.list({ all: true, filters: listFilters });
    const notLabels = filters.get('label!') ?? [];
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const c of all) {
      if (c.State === 'running' || c.State === 'paused' || c.State === 'restarting' || c.State === 'removing') continue;
      if (until !== undefined && !(c.Created < until)) continue;
      if (notLabels.some((l) => matches(l, c.Labels))) continue;
      try {
        const size = (await svc.inspect(c.Id, { size: true }).catch(() => undefined))?.SizeRw ?? 0;
        await svc.remove(c.Id, { force: false });
        deleted.push(c.Id);
        reclaimed += size;
      } catch {
        // raced with a start or removal: skip, like dockerd
      }
    }
    publish?.({ Type: 'container', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(reclaimed) } } });
    return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  };
  return svc;
}

function matches(want: string, labels: Record<string, string> | null | undefined): boolean {
  const l = labels ?? {};
  const i = want.indexOf('=');
  return i < 0 ? want in l : l[want.slice(0, i)] === want.slice(i + 1);
}
