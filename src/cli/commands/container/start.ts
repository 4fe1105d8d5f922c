import type { Command } from 'commander';
import { containerAttach } from '../../../api-client/container-attach.js';
import { containerInspect, containerStart, containerWait } from '../../../api-client/containers.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { forEachTarget } from '../for-each-target.js';
import { checkTty, startSession } from './attach-session.js';

/** `berth start [-a] [-i] CONTAINER...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('start')
    .description('Start one or more stopped containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('-i, --interactive', "Attach container's STDIN")
    .action(async (names: string[], o: { attach?: boolean; interactive?: boolean; detachKeys?: string }) => {
      const t = await ctx.transport();
      if (!o.attach && !o.interactive) {
        await forEachTarget(ctx, names, (n) => containerStart(t, n, { detachKeys: o.detachKeys }), (failed) => `Error: failed to start containers: ${failed.join(', ')}`);
        return;
      }
      if (names.length > 1) throw new CliError(1, 'you cannot start and attach multiple containers at once');
      const c = await containerInspect(t, names[0]!);
      const tty = !!c.Config.Tty;
      const stdin = !!o.interactive && !!c.Config.OpenStdin;
      checkTty(ctx, !!o.interactive, tty);
      const conn = await containerAttach(t, c.Id, { stdin, stdout: true, stderr: true, detachKeys: o.detachKeys });
      const waiting = containerWait(t, c.Id, 'next-exit');
      waiting.catch(() => undefined);
      const session = startSession(ctx, t, c.Id, conn, { tty, stdin, detachKeys: o.detachKeys, sigProxy: true });
      try {
        await containerStart(t, c.Id, { detachKeys: o.detachKeys });
        await session.resize();
        const { detached } = await session.done;
        if (detached) return;
        const r = await waiting;
        if (r.StatusCode !== 0) throw new CliError(r.StatusCode);
      } finally {
        session.close();
      }
    });
}
