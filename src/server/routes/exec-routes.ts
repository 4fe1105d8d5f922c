import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import type { ExecCreateRequest } from '../../api/types.js';
import type { ContainerBackend } from '../backends.js';
import { sendEmpty, sendJson } from '../respond.js';
import { intParam } from '../query.js';
import { JSON_SHAPES } from '../../api/json-shapes.js';
import { readJson, readUpgradeJson } from '../body.js';
import { versionAtLeast } from '../api-version.js';
import { hijack } from '../hijack.js';
import { pumpAttach } from '../attach-pump.js';
import { frame, MULTIPLEXED_STREAM, RAW_STREAM } from '../stdcopy.js';
import { EngineError, invalid } from '../../shared/errors.js';

type ExecBackend = Required<Pick<ContainerBackend, 'execCreate' | 'execStart' | 'execInspect' | 'execResize'>>;

function execs(ctx: RequestContext): ExecBackend {
  const c = ctx.backends.containers;
  if (!c.execCreate || !c.execStart || !c.execInspect || !c.execResize) throw new EngineError('not-implemented', 'exec is not implemented');
  return c as ExecBackend;
}

async function create(ctx: RequestContext): Promise<void> {
  const body = await readJson<ExecCreateRequest>(ctx.req, JSON_SHAPES.execCreate);
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('No exec command specified');
  sendJson(ctx.res, 201, await execs(ctx).execCreate(ctx.params.id, body));
}

/**
 * Like dockerd: 404 before the hijack for an unknown exec; detached starts answer 200 with no
 * body; attached starts stream stdio (multiplexed unless TTY) until the process exited. A process
 * that cannot be started gets the error text written raw into the stream (exit code 126).
 */
async function start(ctx: RequestContext): Promise<void> {
  const body = ctx.upgrade
    ? await readUpgradeJson<{ Detach?: boolean; Tty?: boolean }>(ctx.req, ctx.upgrade, JSON_SHAPES.execStart)
    : await readJson<{ Detach?: boolean; Tty?: boolean }>(ctx.req, JSON_SHAPES.execStart);
  const svc = execs(ctx);
  const info = await svc.execInspect(ctx.params.id);
  const detach = Boolean(body?.Detach);
  const tty = body?.Tty ?? info.ProcessConfig.tty;
  if (detach) {
    await svc.execStart(ctx.params.id, { detach, tty });
    return sendEmpty(ctx.res, 200);
  }
  // Headers go out before the process starts (as dockerd does), so a client never reads
  // them in the same packet as the first output.
  const type = !tty && versionAtLeast(ctx.version, '1.42') ? MULTIPLEXED_STREAM : RAW_STREAM;
  const conn = hijack(ctx, type);
  let result: Awaited<ReturnType<ExecBackend['execStart']>>;
  try {
    result = await svc.execStart(ctx.params.id, { detach, tty });
  } catch (err) {
    result = { error: err instanceof Error ? err.message : String(err) };
  }
  if (!result.stream) {
    conn.input.resume();
    const text = Buffer.from(`${result.error ?? 'exec failed'}\r\n`);
    conn.output.write(tty ? text : frame('stdout', text));
    conn.end();
    return;
  }
  await pumpAttach(conn, result.stream);
}

async function inspect(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, await execs(ctx).execInspect(ctx.params.id));
}

async function resize(ctx: RequestContext): Promise<void> {
  const h = intParam(ctx.query, 'h');
  const w = intParam(ctx.query, 'w');
  if (h === undefined || w === undefined) throw invalid('invalid resize parameters');
  await execs(ctx).execResize(ctx.params.id, h, w);
  sendEmpty(ctx.res, 200);
}

/** `docker exec`: create, start (hijacked), inspect, resize. */
export const execRoutes: Route[] = [
  { method: 'POST', path: '/containers/{id}/exec', handler: create },
  { method: 'POST', path: '/exec/{id}/start', handler: start },
  { method: 'GET', path: '/exec/{id}/json', handler: inspect },
  { method: 'POST', path: '/exec/{id}/resize', handler: resize },
];
