import type { Command } from 'commander';
import { containerAttach } from '../../../api-client/container-attach.js';
import { containerInspect, containerWait } from '../../../api-client/containers.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { checkTty, startSession } from './attach-session.js';

/** `berth attach [--no-stdin] [--sig-proxy] [--detach-keys K] CONTAINER` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('attach')
    .description('Attach local standard input, output, and error streams to a running container')
    .usage('[OPTIONS] CONTAINER')
    .argument('<container>')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--sig-proxy', 'Proxy all received signals to the process', true)
    .option('--no-sig-proxy', 'Do not proxy signals')
    .action(async (name: string, o: { stdin?: boolean; sigProxy?: boolean; detachKeys?: string }) => {
      const t = await ctx.transport();
      const c = await containerInspect(t, name);
      if (!c.State.Running) throw new CliError(1, 'You cannot attach to a stopped container, start it first');
      if (c.State.Paused) throw new CliError(1, 'You cannot attach to a paused container, unpause it first');
      const tty = !!c.Config.Tty;
      const stdin = o.stdin !== false && !!c.Config.OpenStdin;
      checkTty(ctx, o.stdin !== false, tty);
      const conn = await containerAttach(t, c.Id, { stdin, stdout: true, stderr: true, detachKeys: o.detachKeys });
      const session = startSession(ctx, t, c.Id, conn, { tty, stdin, detachKeys: o.detachKeys, sigProxy: o.sigProxy !== false });
      try {
        await session.resize();
        const { detached } = await session.done;
        if (detached) return;
        const r = await containerWait(t, c.Id);
        if (r.StatusCode !== 0) throw new CliError(r.StatusCode);
      } finally {
        session.close();
      }
    });
}
