import type { ContainerBackend, ImageBackend } from '../server/backends.js';
import type { EventBus } from '../events/event-bus.js';

/**
 * Publishes Docker events for API-driven container operations until the container
 * service publishes them itself (then drop this decorator in compose.ts). Exits not
 * caused by the API (`die` on its own) are the service's to publish.
 */
export function publishingContainers<T extends ContainerBackend>(svc: T, bus: EventBus): T {
  const emit = async (ref: string, Action: string, extra: Record<string, string> = {}): Promise<void> => {
    try {
      const c = await svc.inspect(ref);
      const labels = c.Config?.Labels ?? {};
      bus.publish({ Type: 'container', Action, Actor: { ID: c.Id, Attributes: { ...labels, image: c.Config?.Image ?? '', name: c.Name.replace(/^\//, ''), ...extra } } });
    } catch {
      // gone already: nothing to attribute
    }
  };
  const after =
    <A extends unknown[], R>(fn: (ref: string, ...a: A) => Promise<R>, action: string, extra?: (...a: A) => Record<string, string>) =>
    async (ref: string, ...a: A): Promise<R> => {
      const r = await fn.call(svc, ref, ...a);
      await emit(ref, action, extra?.(...a));
      return r;
    };
  const wrapped: ContainerBackend = {
    ...bindAll(svc),
    create: async (req, opts) => {
      const r = await svc.create(req, opts);
      await emit(r.Id, 'create');
      return r;
    },
    start: after(svc.start, 'start'),
    stop: after(svc.stop, 'stop'),
    restart: after(svc.restart, 'restart'),
    kill: after(svc.kill, 'kill', (signal?: string) => ({ signal: signal ?? 'SIGKILL' })),
    rename: async (ref, name) => {
      const before = await svc.inspect(ref).catch(() => undefined);
      await svc.rename(ref, name);
      await emit(before?.Id ?? name, 'rename', { oldName: before?.Name ?? '' });
    },
    remove: async (ref, opts) => {
      const before = await svc.inspect(ref).catch(() => undefined);
      await svc.remove(ref, opts);
      if (before) {
        bus.publish({ Type: 'container', Action: 'destroy', Actor: { ID: before.Id, Attributes: { ...(before.Config?.Labels ?? {}), image: before.Config?.Image ?? '', name: before.Name.replace(/^\//, '') } } });
      }
    },
  };
  if (svc.commit) {
    const commit = svc.commit.bind(svc);
    wrapped.commit = async (ref, opts) => {
      const r = await commit(ref, opts);
      if (r.imageRef) bus.publish({ Type: 'image', Action: 'tag', Actor: { ID: r.id, Attributes: { name: r.imageRef } } });
      await emit(ref, 'commit', { comment: opts.comment ?? '', imageID: r.id, imageRef: r.imageRef });
      return r;
    };
  }
  if (svc.exportContainer) wrapped.exportContainer = after(svc.exportContainer, 'export');
  if (svc.pause) wrapped.pause = after(svc.pause, 'pause');
  if (svc.unpause) wrapped.unpause = after(svc.unpause, 'unpause');
  return wrapped as T;
}

/** Image events for API-driven operations (tag, untag/delete, import). */
export function publishingImages<T extends ImageBackend>(svc: T, bus: EventBus): T {
  const wrapped: ImageBackend = {
    ...bindAll(svc),
    tag: async (source, repo, tag) => {
      await svc.tag(source, repo, tag);
      const img = await svc.inspect(source).catch(() => undefined);
      bus.publish({ Type: 'image', Action: 'tag', Actor: { ID: img?.Id ?? source, Attributes: { name: `${repo}:${tag ?? 'latest'}` } } });
    },
    remove: async (ref, opts) => {
      const items = await svc.remove(ref, opts);
      for (const it of items) {
        if ('Untagged' in it) bus.publish({ Type: 'image', Action: 'untag', Actor: { ID: it.Untagged, Attributes: { name: it.Untagged } } });
        else bus.publish({ Type: 'image', Action: 'delete', Actor: { ID: it.Deleted, Attributes: { name: it.Deleted } } });
      }
      return items;
    },
    importRootfs: async (src, opts, progress) => {
      const id = await svc.importRootfs(src, opts, progress);
      bus.publish({ Type: 'image', Action: 'import', Actor: { ID: id, Attributes: { name: id } } });
      return id;
    },
  };
  return wrapped as T;
}

/** Own and prototype methods of a class instance, bound, as a plain object. */
function bindAll<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (let p: object | null = obj; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      const v = (obj as Record<string, unknown>)[k];
      if (k !== 'constructor' && typeof v === 'function' && !(k in out)) out[k] = (v as (...a: unknown[]) => unknown).bind(obj);
    }
  }
  return out as T;
}
