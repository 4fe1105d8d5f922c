import type { JSONMessage } from '../../api/types.js';
import type { ProgressSink } from '../../images/image-service.js';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** go-units HumanSize: 4 significant digits, decimal units (`1.234MB`). */
export function humanSize(n: number): string {
  let i = 0;
  while (n >= 1000 && i < UNITS.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(4))}${UNITS[i]}`;
}

/** The `progress` bar string dockerd sends beside `progressDetail`. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize(current).padStart(8);
  const pct = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${'='.repeat(pct)}${pct < 50 ? '>' : ''}${' '.repeat(Math.max(0, 50 - pct - 1))}] `;
  return `${bar}${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

/** The 12-hex id Docker shows for a digest. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * Per-item progress for one id, with `Downloading`/`Pushing` updates throttled
 * (at most one per 100 ms, plus the final one).
 */
export class ItemProgress {
  private last = 0;

  constructor(
    private readonly sink: ProgressSink,
    readonly id: string,
  ) {}

  status(status: string): void {
    this.sink({ status, progressDetail: {}, id: this.id } as JSONMessage);
  }

  bytes(status: string, current: number, total: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    this.sink({ status, progressDetail: { current, total }, progress: progressBar(current, total), id: this.id } as JSONMessage);
  }
}
