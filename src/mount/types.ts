/**
 * A mount described as data. Snapshotters return these; only src/mount performs them.
 * @example { type: 'overlay', source: 'overlay', options: ['lowerdir=/a:/b', 'upperdir=/u', 'workdir=/w'] }
 */
export interface Mount {
  type: string; // 'overlay' | 'bind' | 'tmpfs' | ...
  source: string;
  options: string[];
}
