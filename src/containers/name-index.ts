import { EngineError, conflict, invalid, notFound } from '../shared/errors.js';
import { validateName } from '../shared/ids.js';
import { generateName } from './name-generator.js';

/**
 * Names (`/name`) and ids of containers, with Docker's lookup order: full id, then name,
 * then unique id prefix.
 *
 * @example
 *   const ix = new NameIndex(); ix.reserve('/web', id); ix.lookup('web') // id
 */
export class NameIndex {
  private readonly byName = new Map<string, string>();
  private readonly ids = new Set<string>();

  addId(id: string): void {
    this.ids.add(id);
  }

  /** Reserve `name` (with or without slash) for `id`; throws Docker's conflict when taken. */
  reserve(name: string, id: string): string {
    const full = validateName(name);
    const owner = this.byName.get(full);
    if (owner !== undefined && owner !== id) {
      throw conflict(
        `Conflict. The container name "${full}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    this.byName.set(full, id);
    return full;
  }

  /** A fresh generated name, reserved for `id`. */
  reserveGenerated(id: string, pick?: (n: number) => number): string {
    for (let retry = 0; retry < 12; retry++) {
      const name = `/${generateName(retry, pick)}`;
      if (!this.byName.has(name)) {
        this.byName.set(name, id);
        return name;
      }
    }
    throw new EngineError('internal', 'failed to generate a unique container name');
  }

  release(name: string): void {
    this.byName.delete(name.startsWith('/') ? name : `/${name}`);
  }

  forget(id: string, name: string): void {
    this.ids.delete(id);
    if (this.byName.get(name) === id) this.byName.delete(name);
  }

  /** Resolve a reference to an id; throws `No such container: x` or the ambiguous-prefix error. */
  lookup(ref: string): string {
    const found = this.find(ref);
    if (found === undefined) throw notFound(`No such container: ${ref}`);
    return found;
  }

  /** Like lookup() but returns undefined when nothing matches (still throws when ambiguous). */
  find(ref: string): string | undefined {
    if (!ref) return undefined;
    if (this.ids.has(ref)) return ref;
    const byName = this.byName.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (byName !== undefined) return byName;
    if (!/^[a-f0-9]+$/.test(ref)) return undefined;
    let match: string | undefined;
    for (const id of this.ids) {
      if (!id.startsWith(ref)) continue;
      if (match !== undefined) throw invalid(`multiple IDs found with provided prefix: ${ref}`);
      match = id;
    }
    return match;
  }
}
