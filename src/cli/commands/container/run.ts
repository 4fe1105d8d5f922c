import type { Command } from 'commander';
import { ApiError } from '../../../api-client/api-error.js';
import { containerAttach } from '../../../api-client/container-attach.js';
import { containerStart, containerWait } from '../../../api-client/containers.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { checkTty, startSession } from './attach-session.js';
import { createContainer } from './create-container.js';
import { type CreateFlags, addCreateFlags, buildCreateRequest } from './create-flags.js';

/**
 * `berth run`: create (pulling when missing), attach before start unless `-d`, start,
 * wait (`next-exit`, or `removed` with `--rm`) and exit with the container's code.
 */
export function register(parent: Command, ctx: CliContext): Command {
  const cmd = parent
    .command('run')
    .description('Create and run a new container from an image')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions()
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--sig-proxy', 'Proxy received signals to the process', true)
    .option('--no-sig-proxy', 'Do not proxy signals');
  return addCreateFlags(cmd).action(async (image: string, args: string[], f: CreateFlags) => {
    const plan = buildCreateRequest(image, args, f, !!f.detach);
    checkTty(ctx, !!plan.body.AttachStdin, !!plan.body.Tty);
    if (plan.body.Tty && ctx.stdout.isTTY && ctx.stdout.rows) (plan.body.HostConfig as Record<string, unknown>).ConsoleSize = [ctx.stdout.rows, ctx.stdout.columns];
    const t = await ctx.transport();
    const id = await createContainer(ctx, t, plan, f.pull, { quiet: f.quiet, cidfile: f.cidfile });
    if (f.detach) {
      await start(t, id);
      ctx.out(`${id}\n`);
      return;
    }
    const b = plan.body;
    const conn = await containerAttach(t, id, { stdin: b.AttachStdin, stdout: b.AttachStdout, stderr: b.AttachStderr, detachKeys: f.detachKeys });
    const waiting = containerWait(t, id, f.rm ? 'removed' : 'next-exit');
    waiting.catch(() => undefined);
    const session = startSession(ctx, t, id, conn, { tty: !!b.Tty, stdin: !!b.AttachStdin, detachKeys: f.detachKeys, sigProxy: f.sigProxy !== false });
    try {
      await start(t, id);
      await session.resize();
      const { detached } = await session.done;
      if (detached) return;
      const r = await waiting;
      if (r.Error?.Message) throw new CliError(125, r.Error.Message);
      if (r.StatusCode !== 0) throw new CliError(r.StatusCode);
    } finally {
      session.close();
    }
  });
}

/** Starts, mapping "not found"/"permission denied" start failures to 127/126 like docker. */
async function start(t: Awaited<ReturnType<CliContext['transport']>>, id: string): Promise<void> {
  try {
    await containerStart(t, id);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const msg = e.message;
    let status = 125;
    if (/executable file not found|no such file or directory/.test(msg)) status = 127;
    else if (/permission denied|is a directory/.test(msg)) status = 126;
    throw new CliError(status, `Error response from daemon: ${msg}`);
  }
}
