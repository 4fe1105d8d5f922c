import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import type { LogsOptions, WaitCondition } from '../../containers/container-service.js';
import { sendEmpty } from '../respond.js';
import { boolParam, intParam, strParam, timeParam } from '../query.js';
import { versionAtLeast } from '../api-version.js';
import { hijack } from '../hijack.js';
import { pumpAttach } from '../attach-pump.js';
import { encodeBatch, MULTIPLEXED_STREAM, RAW_STREAM } from '../stdcopy.js';
import { EngineError, invalid } from '../../shared/errors.js';

/** Non-TTY output is multiplexed; the content type says so from API 1.42 (older: raw-stream). */
function streamType(ctx: RequestContext, tty: boolean): string {
  return !tty && versionAtLeast(ctx.version, '1.42') ? MULTIPLEXED_STREAM : RAW_STREAM;
}

async function attach(ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const session = await ctx.backends.containers.attach(ctx.params.id, {
    stdin: boolParam(q, 'stdin'),
    stdout: boolParam(q, 'stdout'),
    stderr: boolParam(q, 'stderr'),
    logs: boolParam(q, 'logs'),
    stream: boolParam(q, 'stream'),
    detachKeys: strParam(q, 'detachKeys'),
  });
  const conn = hijack(ctx, streamType(ctx, session.tty));
  await pumpAttach(conn, session);
}

async function logs(ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const tailRaw = strParam(q, 'tail');
  const tail = tailRaw !== undefined && /^[0-9]+$/.test(tailRaw) ? parseInt(tailRaw, 10) : 'all';
  const timestamps = boolParam(q, 'timestamps');
  const opts: LogsOptions = {
    follow: boolParam(q, 'follow'),
    stdout: boolParam(q, 'stdout'),
    stderr: boolParam(q, 'stderr'),
    since: timeParam(q, 'since'),
    until: timeParam(q, 'until'),
    timestamps,
    tail,
  };
  if (!opts.stdout && !opts.stderr) throw invalid('Bad parameters: you must choose at least one stream');
  const { tty, batches } = await ctx.backends.containers.logs(ctx.params.id, opts);
  const { res } = ctx;
  res.writeHead(200, { 'Content-Type': streamType(ctx, tty) });
  res.flushHeaders();
  const it = batches[Symbol.asyncIterator]();
  ctx.signal.addEventListener('abort', () => void it.return?.().catch(() => {}));
  // A daemon shutdown ends a follow as the container's exit would: the response ends cleanly.
  let onClosing = (): void => {};
  const closing = new Promise<undefined>((r) => (onClosing = () => r(undefined)));
  if (ctx.closing?.aborted) onClosing();
  ctx.closing?.addEventListener('abort', onClosing, { once: true });
  try {
    // One write per batch (a block of the log), framed in runs; wait for the socket to drain.
    for (;;) {
      const next = await Promise.race([it.next(), closing]);
      if (!next || next.done || ctx.signal.aborted) break;
      if (!res.write(encodeBatch(next.value, { tty, timestamps }))) await drainOrClose(res);
    }
  } finally {
    ctx.closing?.removeEventListener('abort', onClosing);
  }
  if (!res.writableEnded) res.end();
  void it.return?.(undefined).catch(() => {});
}

function drainOrClose(res: RequestContext['res']): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

const CONDITIONS: Record<string, WaitCondition> = { 'not-running': 'not-running', 'next-exit': 'next-exit', removed: 'removed' };

/**
 * Like dockerd: validate, register the waiter, send headers at once (the CLI's
 * ContainerWait returns after headers, then starts the container), then the body on exit.
 */
async function wait(ctx: RequestContext): Promise<void> {
  const raw = versionAtLeast(ctx.version, '1.30') ? strParam(ctx.query, 'condition') : undefined;
  const condition = raw === undefined ? 'not-running' : CONDITIONS[raw];
  if (!condition) throw invalid(`invalid condition: ${JSON.stringify(raw)}`);
  const ac = new AbortController();
  ctx.signal.addEventListener('abort', () => ac.abort());
  let settled: { ok: boolean; err?: unknown } | undefined;
  const pending = ctx.backends.containers.wait(ctx.params.id, condition, ac.signal);
  pending.then(
    () => (settled = { ok: true }),
    (err) => (settled = { ok: false, err }),
  );
  await new Promise((r) => setImmediate(r));
  if (settled && !settled.ok) throw settled.err;
  const { res } = ctx;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  let body: { StatusCode: number; Error: { Message: string } | null };
  try {
    const r = await pending;
    body = { Error: r.Error ?? null, StatusCode: r.StatusCode };
  } catch (err) {
    body = { Error: { Message: err instanceof Error ? err.message : String(err) }, StatusCode: -1 };
  }
  if (!res.writableEnded && !res.destroyed) res.end(JSON.stringify(body) + '\n');
}

async function resize(ctx: RequestContext): Promise<void> {
  const h = intParam(ctx.query, 'h') ?? 0;
  const w = intParam(ctx.query, 'w') ?? 0;
  await ctx.backends.containers.resize(ctx.params.id, h, w);
  sendEmpty(ctx.res, 200);
}

/** `GET /containers/{id}/stats`: JSON objects, one per line (one object when stream=0). */
async function stats(ctx: RequestContext): Promise<void> {
  const c = ctx.backends.containers;
  if (!c.stats) throw new EngineError('not-implemented', 'stats is not implemented');
  const samples = await c.stats(ctx.params.id, { stream: boolParam(ctx.query, 'stream', true), oneShot: boolParam(ctx.query, 'one-shot'), signal: ctx.signal });
  const it = samples[Symbol.asyncIterator]();
  const first = await it.next();
  const { res } = ctx;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.signal.addEventListener('abort', () => void it.return?.(undefined).catch(() => {}));
  for (let next = first; !next.done && !ctx.signal.aborted; next = await it.next()) {
    if (!res.write(JSON.stringify(next.value) + '\n')) await drainOrClose(res);
  }
  if (!res.writableEnded) res.end();
}

/** Streaming container endpoints: attach (hijacked), logs, wait, resize. */
export const containerIoRoutes: Route[] = [
  { method: 'POST', path: '/containers/{id}/attach', handler: attach },
  { method: 'GET', path: '/containers/{id}/logs', handler: logs },
  { method: 'GET', path: '/containers/{id}/stats', handler: stats },
  { method: 'POST', path: '/containers/{id}/wait', handler: wait },
  { method: 'POST', path: '/containers/{id}/resize', handler: resize },
];
