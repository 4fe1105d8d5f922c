/**
 * berth's extension for incremental build contexts (Docker's API has no such route; the
 * docker CLI never calls it). Two requests:
 *
 *   1. `POST /berth/build/context` with a ContextSyncRequest (JSON): the client's stable
 *      context id and a manifest of what it would send (the walk after `.dockerignore`, in
 *      walk order, with stat metadata). berthd answers a ContextSyncResponse: a one-use
 *      session and the indices of the manifest's files whose content it lacks for that id
 *      (files whose stat metadata matches what it holds are reused, content hash included).
 *      The client may first send the manifest's digest alone: when berthd's last manifest for
 *      the id has that digest, nothing changed (a session with nothing to send), else it
 *      answers without a session and the client sends the manifest.
 *   2. `POST /build?...&berthcontext=<session>`: the body is a plain tar of exactly the
 *      needed files, in `need` order, named by their manifest path. berthd assembles the
 *      context from its cached files plus this delta and builds as usual.
 *
 * A client that gets 404 for (1) (another engine, an older berthd), or 409 for (2) (the
 * session expired, berthd restarted), sends the whole context as a plain tar instead.
 */

/** The route of step 1 (below any `/v1.xx` prefix). */
export const CONTEXT_SYNC_PATH = '/berth/build/context';
/** The `POST /build` query parameter of step 2. */
export const CONTEXT_SESSION_PARAM = 'berthcontext';

/** `f` file, `d` directory, `l` symlink. */
export type ManifestKind = 'f' | 'd' | 'l';

/**
 * One path of the context: [path, kind, mode (permission bits), size, mtime (ns, decimal),
 * uid, gid, inode (decimal), ctime (ns, decimal), symlink target]. The path is relative to
 * the context root, clean (no `.`/`..` components, no leading or doubled `/`).
 */
export type ManifestEntry = [path: string, kind: ManifestKind, mode: number, size: number, mtimeNs: string, uid: number, gid: number, ino: string, ctimeNs: string, linkname?: string];

export interface ContextSyncRequest {
  /** Chosen by the client, stable for one context directory (e.g. a hash of host and absolute path). */
  id: string;
  /**
   * `sha256:` + hex of `JSON.stringify(entries)`. Sent alone (no `entries`) first: when it is
   * the manifest berthd last assembled for this id, nothing changed and it answers a session
   * at once; otherwise it answers without one and the client sends the entries.
   */
  digest?: string;
  entries?: ManifestEntry[];
}

export interface ContextSyncResponse {
  /** Pass as `berthcontext` to `POST /build`; one use, expires after a minute. Absent: send the entries. */
  session?: string;
  /** Indices into `entries` of the files to send, ascending. */
  need?: number[];
}
