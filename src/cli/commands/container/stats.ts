import type { Command } from 'commander';
import { containerStats } from '../../../api-client/container-stats.js';
import { containerList } from '../../../api-client/containers.js';
import { events } from '../../../api-client/system.js';
import type { Transport } from '../../../api-client/transport.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { parseFormat, renderFormat } from '../../format/formatter.js';
import { STATS_TABLE, STATS_TABLE_WINDOWS, type StatsEntry, emptyEntry, entryFromSample, statsContext, statsHeaders } from '../../format/stats-context.js';
import { describeError } from '../for-each-target.js';

/** Flags of `stats` after parsing. */
export interface StatsFlags {
  all?: boolean;
  stream: boolean;
  trunc: boolean;
  format?: string;
}

const TICK_MS = 500;
const STALE_MS = 2000;

/**
 * `berth stats [-a] [--no-stream] [--no-trunc] [--format F] [CONTAINER...]`, as docker's
 * RunStats: one collector per container (a stats stream, values reset after 2 s of silence),
 * the list kept current from container events when no names are given, and every 500 ms the
 * table redrawn in place (cursor home, erase to end of line, erase below).
 */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('stats')
    .description('Display a live stream of container(s) resource usage statistics')
    .usage('[OPTIONS] [CONTAINER...]')
    .argument('[containers...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--format <string>', "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates")
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', 'Do not truncate output')
    .action(async (names: string[], f: StatsFlags) => {
      await runStats(ctx, await ctx.transport(), names, f);
    });
}

/** One container's collector (docker's `Stats`): the latest entry and the last error. */
class Collector {
  entry: StatsEntry;
  error: unknown;
  private readonly abort = new AbortController();

  constructor(readonly container: string) {
    this.entry = emptyEntry(container);
  }

  /** Starts collecting; resolves once the first sample (or error, or 2 s timeout) is in. */
  start(t: Transport, stream: boolean, os: { type: string }): Promise<void> {
    let first!: () => void;
    const firstIn = new Promise<void>((resolve) => (first = resolve));
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.setErrorAndReset(new Error('timeout waiting for stats'));
        first();
        if (stream) arm();
      }, STALE_MS);
      timer.unref();
    };
    arm();
    void (async () => {
      try {
        const r = await containerStats(t, this.container, { stream, signal: this.abort.signal });
        os.type = r.osType;
        for await (const sample of r.samples) {
          this.entry = entryFromSample(this.container, sample, r.osType);
          this.error = undefined;
          first();
          if (!stream) break;
          arm();
        }
        if (stream) this.setError(new Error('EOF'));
      } catch (e) {
        if (!this.abort.signal.aborted) this.setError(e);
      } finally {
        if (!stream) clearTimeout(timer);
        first();
      }
    })();
    return firstIn;
  }

  stop(): void {
    this.abort.abort();
  }

  private setError(e: unknown): void {
    this.error = e;
    if (e) this.entry = { ...this.entry, isInvalid: true };
  }

  private setErrorAndReset(e: unknown): void {
    this.error = e;
    this.entry = { ...emptyEntry(this.entry.container), name: this.entry.name, id: this.entry.id, isInvalid: true };
  }
}

/** The stats loop; returns when `--no-stream` has printed once (or the named containers are gone). */
export async function runStats(ctx: CliContext, t: Transport, names: string[], f: StatsFlags): Promise<void> {
  const stream = f.stream !== false;
  const os = { type: '' };
  const collectors: Collector[] = [];
  const pending: Promise<void>[] = [];
  const add = (container: string): void => {
    if (collectors.some((c) => c.container === container)) return;
    const c = new Collector(container);
    collectors.push(c);
    pending.push(c.start(t, stream, os));
  };
  const remove = (container: string): void => {
    const i = collectors.findIndex((c) => c.container === container);
    if (i >= 0) collectors.splice(i, 1)[0]!.stop();
  };
  const showAll = names.length === 0;
  const watch = new AbortController();
  let watchError: unknown;
  try {
    if (showAll) {
      const feed = await events(t, { filters: { type: ['container'] }, signal: watch.signal });
      void (async () => {
        try {
          for await (const e of feed) {
            const id = (e.Actor?.ID ?? e.id ?? '').slice(0, 12);
            if (e.Action === 'start' || (f.all && e.Action === 'create')) add(id);
            else if (!f.all && e.Action === 'die') remove(id);
          }
        } catch (e) {
          if (!watch.signal.aborted) watchError = e;
        }
      })();
      const list = await containerList(t, { all: f.all });
      for (const c of list) add(c.Id.slice(0, 12));
      await Promise.all(pending);
    } else {
      for (const n of names) add(n);
      await Promise.all(pending);
    }
    for (let tick = 0; ; tick++) {
      await new Promise((r) => setTimeout(r, TICK_MS));
      if (tick === 0 && !showAll) {
        // docker fails on any named container's error, an ended stream ("EOF") included; the
        // check comes one tick later here so the end that follows a last sample is seen too
        const errors = await Promise.all(collectors.filter((c) => c.error).map((c) => describeError(c.error)));
        if (errors.length) throw new CliError(1, errors.join('\n'));
      }
      if (!os.type) os.type = 'linux';
      const fmt = parseFormat(f.format, os.type === 'windows' ? STATS_TABLE_WINDOWS : STATS_TABLE);
      const headers = statsHeaders(os.type);
      const rows = collectors.map((c) => statsContext(c.entry, os.type, f.trunc !== false));
      const text = renderFormat(fmt, rows, headers, { typeName: '*container.statsContext' });
      ctx.out(stream ? redraw(text) : text);
      if (collectors.length === 0 && !showAll) break;
      if (!stream) break;
      if (watchError) throw watchError;
    }
  } finally {
    watch.abort();
    for (const c of collectors) c.stop();
  }
}

/**
 * docker 28's in-place frame, byte for byte: cursor home and the table, then (its buffer being
 * appended to while split) every line again with erase-to-end-of-line, then erase below.
 */
export function redraw(text: string): string {
  const first = `\x1b[H${text}`;
  return `${first}${first.split('\n').map((l) => `${l} \x1b[K\n`).join('')}\x1b[J`;
}
