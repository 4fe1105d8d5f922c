import { closeSync, existsSync, openSync, unlinkSync, writeSync } from 'node:fs';
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

/** Pulls an image, writing docker-style progress lines to stderr (none with `quiet`). */
export async function pullImage(ctx: CliContext, t: Transport, ref: string, platform?: string, quiet = false): Promise<void> {
  for await (const m of await imagePull(t, ref, { platform, registryAuth: registryAuthFor(ref) })) {
    if (m.error) throw new Error(m.errorDetail?.message ?? m.error);
    if (m.status && !m.progressDetail?.current && !quiet) ctx.err(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
  }
}

/** `--cidfile`: refused when the file exists (docker's words), made before the create, removed if it fails. */
function openCidFile(path: string | undefined): { write: (id: string) => void; abandon: () => void } {
  if (!path) return { write: () => undefined, abandon: () => undefined };
  if (existsSync(path)) throw new Error(`container ID file found, make sure the other container isn't running or delete ${path}`);
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new Error(`failed to create the container ID file: ${(e as Error).message}`);
  }
  return {
    write: (id) => {
      writeSync(fd, id);
      closeSync(fd);
    },
    abandon: () => {
      closeSync(fd);
      unlinkSync(path);
    },
  };
}

/**
 * POST /containers/create with docker's pull policy: on `No such image` (and `--pull missing`)
 * print `Unable to find image 'x:latest' locally`, pull, and create again.
 */
export async function createContainer(ctx: CliContext, t: Transport, plan: CreatePlan, pull = 'missing', opts: { quiet?: boolean; cidfile?: string } = {}): Promise<string> {
  const image = plan.body.Image ?? '';
  const cid = openCidFile(opts.cidfile);
  let res;
  try {
    if (pull === 'always') await pullImage(ctx, t, image, plan.platform, opts.quiet);
    try {
      res = await containerCreate(t, plan.body, { name: plan.name, platform: plan.platform });
    } catch (e) {
      if (!(ApiError.isNotFound(e) && /^No such image/.test(e.message)) || pull === 'never') throw e;
      if (!opts.quiet) ctx.err(`Unable to find image '${withDefaultTag(image)}' locally\n`);
      await pullImage(ctx, t, image, plan.platform, opts.quiet);
      res = await containerCreate(t, plan.body, { name: plan.name, platform: plan.platform });
    }
  } catch (e) {
    cid.abandon();
    throw e;
  }
  cid.write(res.Id);
  for (const w of res.Warnings ?? []) ctx.err(`WARNING: ${w}\n`);
  return res.Id;
}
