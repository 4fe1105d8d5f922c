import { ApiError } from '../../../api-client/api-error.js';
import { containerCreate } from '../../../api-client/containers.js';
import { imagePull } from '../../../api-client/images.js';
import { registryAuthFor } from '../registry/docker-config.js';
import type { Transport } from '../../../api-client/transport.js';
import type { CliContext } from '../../context.js';
import type { CreatePlan } from './create-flags.js';

/** `busybox` → `busybox:latest`; references with a tag or digest stay as they are. */
export function withDefaultTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const slash = ref.lastIndexOf('/');
  return ref.lastIndexOf(':') > slash ? ref : `${ref}:latest`;
}

/** Pulls an image, writing docker-style progress lines to stderr. */
export async function pullImage(ctx: CliContext, t: Transport, ref: string, platform?: string): Promise<void> {
  for await (const m of await imagePull(t, ref, { platform, registryAuth: registryAuthFor(ref) })) {
    if (m.error) throw new Error(m.errorDetail?.message ?? m.error);
    if (m.status && !m.progressDetail?.current) ctx.err(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
  }
}

/**
 * POST /containers/create with docker's pull policy: on `No such image` (and `--pull missing`)
 * print `Unable to find image 'x:latest' locally`, pull, and create again.
 */
export async function createContainer(ctx: CliContext, t: Transport, plan: CreatePlan, pull = 'missing'): Promise<string> {
  const image = plan.body.Image ?? '';
  if (pull === 'always') await pullImage(ctx, t, image, plan.platform);
  let res;
  try {
    res = await containerCreate(t, plan.body, { name: plan.name, platform: plan.platform });
  } catch (e) {
    if (!(ApiError.isNotFound(e) && /^No such image/.test(e.message)) || pull === 'never') throw e;
    ctx.err(`Unable to find image '${withDefaultTag(image)}' locally\n`);
    await pullImage(ctx, t, image, plan.platform);
    res = await containerCreate(t, plan.body, { name: plan.name, platform: plan.platform });
  }
  for (const w of res.Warnings ?? []) ctx.err(`WARNING: ${w}\n`);
  return res.Id;
}
