import { EngineError } from '../../shared/errors.js';
import type { SpecMutator } from './spec-input.js';
import { containerEnv } from './env.js';
import { parseSecurityOpts } from './security-opts.js';

/** In-container path of the --init binary (Docker's). */
export const INIT_PATH = '/sbin/docker-init';

/**
 * args = Entrypoint + Cmd (with --init prepended), env, cwd, terminal, user,
 * noNewPrivileges (SecurityOpt), oomScoreAdj.
 */
export const withProcess: SpecMutator = (spec, input) => {
  const { config, hostConfig } = input;
  const args = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (args.length === 0) throw new EngineError('invalid-argument', 'No command specified');
  const tty = config.Tty === true;
  spec.process.args = input.init ? [INIT_PATH, '--', ...args] : args;
  spec.process.env = containerEnv(input.hostname, tty, config.Env);
  spec.process.cwd = config.WorkingDir ? config.WorkingDir : '/';
  spec.process.terminal = tty;
  spec.process.user = {
    uid: input.user.uid,
    gid: input.user.gid,
    ...(input.user.additionalGids.length > 0 ? { additionalGids: [...input.user.additionalGids] } : {}),
  };
  spec.process.noNewPrivileges = parseSecurityOpts(hostConfig.SecurityOpt).noNewPrivileges;
  const adj = hostConfig.OomScoreAdj;
  if (adj !== undefined) {
    if (adj < -1000 || adj > 1000) {
      throw new EngineError('invalid-argument', `Invalid value ${adj}, range for oom score adj is [-1000, 1000]`);
    }
    spec.process.oomScoreAdj = adj;
  }
};
