import type { ContainerBackend, ImageBackend } from '../server/backends.js';
import type { EventBus } from '../events/event-bus.js';
import { familiarName, familiarString, parseReference, withDefaultTag } from '../images/reference.js';

/**
 * Publishes the container events of operations the container service does not publish
 * itself yet (commit, export); the service publishes every other container event.
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
  const wrapped: ContainerBackend = bindAll(svc);
  if (svc.commit) {
    const commit = svc.commit.bind(svc);
    wrapped.commit = async (ref, opts) => {
      const r = await commit(ref, opts);
      if (r.imageRef) bus.publish({ Type: 'image', Action: 'tag', Actor: { ID: r.id, Attributes: { name: familiar(r.imageRef) } } });
      await emit(ref, 'commit', { comment: opts.comment ?? '', imageID: r.id, imageRef: r.imageRef });
      return r;
    };
  }
  if (svc.exportContainer) wrapped.exportContainer = after(svc.exportContainer, 'export');
  return wrapped as T;
}

/** `app:v1` as dockerd names it in events (reference.FamiliarString): never `docker.io/library/...`. */
export function familiar(ref: string): string {
  try {
    return familiarString(parseReference(ref));
  } catch {
    return ref;
  }
}

/** The repository part of a familiar name (`app` for `app:v1`), the `name` attribute of pull/push. */
export function familiarRepo(ref: string): string {
  try {
    return familiarName(parseReference(ref));
  } catch {
    return ref;
  }
}

/**
 * Image events as dockerd emits them: `tag` (name = the new familiar reference), `untag`
 * and `delete` (name = the image ID), `import` (after a `tag` when a repository is given),
 * `load` and `save` once per image (name = the image ID). The actor is always the image ID.
 */
export function publishingImages<T extends ImageBackend>(svc: T, bus: EventBus): T {
  const publish = (Action: string, id: string, name = id): void => {
    bus.publish({ Type: 'image', Action, Actor: { ID: id, Attributes: { name } } });
  };
  const idOf = async (ref: string): Promise<string | undefined> => (await svc.inspect(ref).catch(() => undefined))?.Id;
  const wrapped: ImageBackend = {
    ...bindAll(svc),
    tag: async (source, repo, tag) => {
      await svc.tag(source, repo, tag);
      const id = (await idOf(source)) ?? source;
      const ref = parseReference(repo);
      if (tag) ref.tag = tag;
      publish('tag', id, familiarString(withDefaultTag(ref)));
    },
    remove: async (ref, opts) => {
      const id = await idOf(ref);
      const items = await svc.remove(ref, opts);
      for (const it of items) {
        if ('Untagged' in it) publish('untag', id ?? it.Untagged);
        else publish('delete', it.Deleted);
      }
      return items;
    },
    importRootfs: async (src, opts, progress) => {
      const id = await svc.importRootfs(src, opts, progress);
      if (opts.repo) publish('tag', id, familiar(opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo));
      publish('import', id);
      return id;
    },
    load: async (tar, progress) => {
      const loaded: string[] = [];
      await svc.load(tar, (m) => {
        const line = /^Loaded image(?: ID)?: (.+)$/.exec((m.stream ?? '').trim());
        if (line) loaded.push(line[1]);
        progress(m);
      });
      const ids = new Set<string>();
      for (const ref of loaded) ids.add((await idOf(ref)) ?? ref);
      for (const id of ids) publish('load', id);
    },
    save: async (refs) => {
      const out = await svc.save(refs);
      const ids = new Set<string>();
      for (const ref of refs) {
        const id = await idOf(ref);
        if (id) ids.add(id);
      }
      for (const id of ids) publish('save', id);
      return out;
    },
    prune: async (opts) => {
      const r = await svc.prune(opts);
      for (const it of r.ImagesDeleted ?? []) {
        if ('Deleted' in it) publish('delete', it.Deleted);
      }
      bus.publish({ Type: 'image', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(r.SpaceReclaimed) } } });
      return r;
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
