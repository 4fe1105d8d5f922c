import type { Command } from 'commander';
import { containerInspect } from '../../../api-client/containers.js';
import { type ExecCreateBody, execAttach, execCreate, execInspect, execResize, execStartDetached } from '../../../api-client/exec.js';
import { collect } from '../../argv.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { readEnvFiles, validateEnv } from '../../opts/env-file.js';
import { listFlag } from '../../opts/validators.js';
import { checkTty, startSession } from './attach-session.js';

/** Flags of `exec` after parsing. */
export interface ExecFlags {
  detach?: boolean;
  detachKeys?: string;
  env?: string[];
  envFile?: string[];
  interactive?: boolean;
  privileged?: boolean;
  tty?: boolean;
  user?: string;
  workdir?: string;
}

/**
 * `berth exec [OPTIONS] CONTAINER COMMAND [ARG...]`, as docker's RunExec: inspect first (so
 * "No such container" wins), check the TTY before creating the exec, create, then start it
 * detached or attached; an attached exec exits with the process's exit code.
 */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('exec')
    .description('Execute a command in a running container')
    .usage('[OPTIONS] CONTAINER COMMAND [ARG...]')
    .argument('<container>')
    .argument('<command...>')
    .passThroughOptions()
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('-e, --env <list>', 'Set environment variables', listFlag('-e, --env', (v) => validateEnv(v)))
    .option('--env-file <list>', 'Read in a file of environment variables', collect)
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--privileged', 'Give extended privileges to the command')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .action(async (container: string, command: string[], f: ExecFlags) => {
      const body = execBody(command, f);
      const t = await ctx.transport();
      await containerInspect(t, container);
      if (!f.detach) checkTty(ctx, !!body.AttachStdin, !!body.Tty);
      if (body.Tty) body.ConsoleSize = consoleSize(ctx);
      const id = await execCreate(t, container, body);
      if (!id) throw new CliError(1, 'exec ID empty');
      if (f.detach) {
        await execStartDetached(t, id, { Tty: body.Tty, ConsoleSize: body.ConsoleSize });
        return;
      }
      await interactive(ctx, t, id, body);
    });
}

/** docker's parseExec: the create body from flags (`-d` attaches nothing; `-i` adds stdin). */
export function execBody(command: string[], f: ExecFlags, env: NodeJS.ProcessEnv = process.env): ExecCreateBody {
  const attach = !f.detach;
  return {
    User: f.user ?? '',
    Privileged: !!f.privileged,
    Tty: !!f.tty,
    AttachStdin: attach && !!f.interactive,
    AttachStderr: attach,
    AttachStdout: attach,
    Detach: !!f.detach,
    DetachKeys: f.detachKeys ?? '',
    Env: readEnvFiles(f.envFile ?? [], f.env ?? [], env),
    WorkingDir: f.workdir ?? '',
    Cmd: command,
  };
}

/** `[rows, cols]` of our stdout, `[0, 0]` when it is not a terminal (docker's GetTtySize). */
function consoleSize(ctx: CliContext): [number, number] {
  const out = ctx.stdout;
  return out.isTTY && out.rows && out.columns ? [out.rows, out.columns] : [0, 0];
}

async function interactive(ctx: CliContext, t: Awaited<ReturnType<CliContext['transport']>>, id: string, body: ExecCreateBody): Promise<void> {
  const tty = !!body.Tty;
  const conn = await execAttach(t, id, { Tty: tty, ConsoleSize: body.ConsoleSize });
  const session = startSession(ctx, t, id, conn, {
    tty,
    stdin: !!body.AttachStdin,
    detachKeys: body.DetachKeys || undefined,
    sigProxy: false,
    resizeTo: (h, w) => execResize(t, id, h, w),
  });
  try {
    if (tty && ctx.stdin.isTTY) await session.resize();
    const { detached } = await session.done;
    if (detached) throw new CliError(1, 'read escape sequence');
  } finally {
    session.close();
  }
  const r = await execInspect(t, id);
  if (r.ExitCode) throw new CliError(r.ExitCode);
}
