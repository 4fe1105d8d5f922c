import { EngineError } from '../shared/errors.js';
import type { ContainerRecord } from './container-record.js';
import { cancelRestart } from './exit-handler.js';
import type { ServiceContext } from './service-context.js';
import { parseSignal, signalNumber } from './signals.js';

/** Resolves 'done' when `p` settles first, 'timeout' after `ms`; the timer is cleared either way. */
async function within(p: Promise<void>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
  });
  try {
    return await Promise.race([p.then(() => 'done' as const), t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Send a signal through the runtime (a `kill` event with its number, as dockerd); a container that is already gone is not an error. */
async function signal(ctx: ServiceContext, rec: ContainerRecord, sig: string): Promise<void> {
  try {
    await ctx.deps.runtime.kill(rec.id, sig);
  } catch (err) {
    if (EngineError.is(err, 'not-found') || /not running|no such process|stopped/i.test((err as Error).message)) return;
    throw err;
  }
  ctx.emit(rec, 'kill', { signal: String(signalNumber(sig)) });
  if (rec.state.status === 'paused') {
    await ctx.deps.runtime.resume(rec.id).catch(() => {});
  }
}

/** A restarting container (waiting for its backoff) simply becomes exited. */
async function stopRestarting(ctx: ServiceContext, rec: ContainerRecord): Promise<boolean> {
  if (!cancelRestart(ctx, rec)) return false;
  rec.state.manuallyStopped = true;
  await ctx.save(rec);
  return true;
}

/**
 * Docker's stop: StopSignal (or the override), wait `timeout` seconds (-1 = forever;
 * default StopTimeout or 10), then SIGKILL; returns once the exit has been processed.
 * Caller holds the lock and has checked the transition.
 */
export async function stopContainer(ctx: ServiceContext, rec: ContainerRecord, opts: { timeout?: number; signal?: string }): Promise<void> {
  if (await stopRestarting(ctx, rec)) return;
  const run = ctx.runs.get(rec.id);
  if (!run) return;
  const sig = parseSignal(opts.signal || rec.config.StopSignal, 'SIGTERM');
  const timeout = opts.timeout ?? rec.config.StopTimeout ?? 10;
  run.stopping = true;
  rec.state.manuallyStopped = true;
  await signal(ctx, rec, sig);
  if (timeout < 0) return run.exited;
  if ((await within(run.exited, timeout * 1000)) === 'done') return;
  await signal(ctx, rec, 'SIGKILL');
  await forceExit(ctx, rec, run.exited);
}

/** After SIGKILL the monitor reports quickly; if it doesn't within 30 s something is wrong. */
async function forceExit(ctx: ServiceContext, rec: ContainerRecord, exited: Promise<void>): Promise<void> {
  if ((await within(exited, 30_000)) === 'timeout') {
    throw new EngineError('internal', `failed to stop container ${rec.id}: container did not exit after SIGKILL`);
  }
}

/** `docker kill -s SIG`; KILL and the stop signal mark it manually stopped (no restart). */
export async function killContainer(ctx: ServiceContext, rec: ContainerRecord, rawSignal: string | undefined): Promise<void> {
  const sig = parseSignal(rawSignal, 'SIGKILL');
  if (await stopRestarting(ctx, rec)) return;
  const run = ctx.runs.get(rec.id);
  const stopSig = parseSignal(rec.config.StopSignal, 'SIGTERM');
  if (run && (sig === 'SIGKILL' || sig === stopSig)) {
    run.stopping = true;
    rec.state.manuallyStopped = true;
  }
  await signal(ctx, rec, sig);
  if (run && sig === 'SIGKILL') await forceExit(ctx, rec, run.exited);
}

/** Kill with SIGKILL and wait for the exit (rm -f). */
export async function killForRemoval(ctx: ServiceContext, rec: ContainerRecord): Promise<void> {
  if (cancelRestart(ctx, rec)) return;
  const run = ctx.runs.get(rec.id);
  if (!run) return;
  run.stopping = true;
  run.removing = true;
  await signal(ctx, rec, 'SIGKILL');
  await forceExit(ctx, rec, run.exited);
}

export async function pauseContainer(ctx: ServiceContext, rec: ContainerRecord): Promise<void> {
  await ctx.deps.runtime.pause(rec.id);
  rec.state.status = 'paused';
  await ctx.save(rec);
  ctx.emit(rec, 'pause');
}

export async function unpauseContainer(ctx: ServiceContext, rec: ContainerRecord): Promise<void> {
  await ctx.deps.runtime.resume(rec.id);
  rec.state.status = 'running';
  await ctx.save(rec);
  ctx.emit(rec, 'unpause');
}
