import type { Command } from 'commander';
import { containerLogs, copyOutput } from '../../../api-client/container-logs.js';
import { containerInspect } from '../../../api-client/containers.js';
import type { CliContext } from '../../context.js';
import { getTimestamp } from '../../opts/timestamp.js';

/** `berth logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('logs')
    .description('Fetch the logs of a container')
    .usage('[OPTIONS] CONTAINER')
    .argument('<container>')
    .option('--details', 'Show extra details provided to logs')
    .option('-f, --follow', 'Follow log output')
    .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs', 'all')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--until <string>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .action(async (name: string, o: { follow?: boolean; since?: string; tail: string; timestamps?: boolean; until?: string }) => {
      const t = await ctx.transport();
      const c = await containerInspect(t, name);
      const res = await containerLogs(t, c.Id, { follow: o.follow, since: toUnix(o.since, Date.now(), 'since'), until: toUnix(o.until, Date.now(), 'until'), tail: o.tail, timestamps: o.timestamps });
      await copyOutput(res, !!c.Config.Tty, ctx.stdout, ctx.stderr);
    });
}

/** docker sends since/until as unix seconds: RFC3339 or relative (`42m`) become numbers (docker's GetTimestamp). */
export function toUnix(v: string | undefined, now = Date.now(), flag?: 'since' | 'until'): string | undefined {
  if (v === undefined || v === '') return undefined;
  try {
    return getTimestamp(v, now);
  } catch (e) {
    throw new Error(flag ? `invalid value for "${flag}": ${(e as Error).message}` : (e as Error).message);
  }
}
