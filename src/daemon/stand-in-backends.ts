import { EngineError } from '../shared/errors.js';
import type { ContainerBackend, ImageBackend } from '../server/backends.js';

const unavailable = (what: string) => async (): Promise<never> => {
  throw new EngineError('not-implemented', `${what} are not available in this build of berthd`);
};

/**
 * Stand-ins used by compose.ts while a service module is not wired yet: lists are empty
 * (so `/info`, `docker ps`, `docker images` work) and everything else is a 501.
 */
export function standInImages(): ImageBackend {
  const no = unavailable('images');
  return { list: async () => [], inspect: no, history: no, tag: no, remove: no, load: no, save: no, importRootfs: no, prune: no };
}

export function standInContainers(): ContainerBackend {
  const no = unavailable('containers');
  return {
    list: async () => [],
    create: no,
    start: no,
    stop: no,
    restart: no,
    kill: no,
    wait: no,
    remove: no,
    rename: no,
    inspect: no,
    logs: no,
    attach: no,
    resize: no,
  };
}
