import type { ContainerConfig } from '../api/types.js';
import { splitRepoTag } from './images.js';
import type { Transport } from './transport.js';

/** `docker commit` options. */
export interface CommitOptions {
  /** `REPOSITORY[:TAG]` for the new image. */
  reference?: string;
  comment?: string;
  author?: string;
  /** Dockerfile lines (`CMD ["x"]`, `ENV A=b`). */
  changes?: string[];
  /** Pause the container during the commit (the daemon's default is true). */
  pause?: boolean;
  /** A config replacing the container's as the base of the image's. */
  config?: ContainerConfig;
}

/**
 * `POST /commit`: the container's changes as a new image; resolves to its ID.
 * @example const id = await containerCommit(t, 'web', { reference: 'web:snap', changes: ['CMD ["x"]'] })
 */
export async function containerCommit(t: Transport, container: string, opts: CommitOptions = {}): Promise<string> {
  const { repo, tag } = opts.reference ? splitRepoTag(opts.reference) : { repo: undefined, tag: undefined };
  const r = await t.json<{ Id: string }>('/commit', {
    method: 'POST',
    query: { container, repo, tag, comment: opts.comment, author: opts.author, changes: opts.changes, pause: opts.pause === false ? '0' : undefined },
    body: opts.config,
  });
  return r.Id;
}
