import type { ContainerConfig } from '../../api/types.js';
import type { Instruction } from '../dockerfile/types.js';
import { expandWord, expandWords, type Env } from '../dockerfile/shell-words.js';
import { invalid } from '../../shared/errors.js';
import { setEnv } from './build-args.js';

/** A metadata step's effect: the new config and the history comment Docker writes (`CMD ["sh"]`). */
export interface MetadataResult {
  config: ContainerConfig;
  comment: string;
}

/** Go's `%q` of a string slice: `["/bin/sh" "-c" "echo hi"]`. */
export function goQuoteList(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** Shell or exec form to the command list Docker stores. */
export function commandList(cmd: { form: 'exec'; args: string[] } | { form: 'shell'; command: string }, shell: string[]): string[] {
  return cmd.form === 'exec' ? [...cmd.args] : [...shell, cmd.command];
}

type MetadataInstruction = Extract<
  Instruction,
  { kind: 'CMD' | 'ENTRYPOINT' | 'ENV' | 'LABEL' | 'EXPOSE' | 'VOLUME' | 'USER' | 'STOPSIGNAL' | 'HEALTHCHECK' | 'SHELL' | 'MAINTAINER' | 'ONBUILD' }
>;

export const METADATA_KINDS = new Set<string>(['CMD', 'ENTRYPOINT', 'ENV', 'LABEL', 'EXPOSE', 'VOLUME', 'USER', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER', 'ONBUILD']);

export function isMetadata(ins: Instruction): ins is MetadataInstruction {
  return METADATA_KINDS.has(ins.kind);
}

const SIGNALS = /^(SIG)?[A-Z0-9+-]+$/;

/**
 * Applies one metadata instruction to a stage's config, with Docker's semantics: ENV
 * chains expand against the env as it grows, CMD after ENTRYPOINT is kept but an
 * ENTRYPOINT resets an inherited CMD, EXPOSE adds `port/proto` keys, and so on.
 *
 * @example applyMetadata({ Env: [] }, envIns, ['/bin/sh', '-c'], {}).config.Env // ['A=b']
 */
export function applyMetadata(
  base: ContainerConfig,
  ins: MetadataInstruction,
  shell: string[],
  env: Env,
  state: { cmdSet: boolean; escape: '\\' | '`' },
): MetadataResult & { maintainer?: string } {
  const c: ContainerConfig = structuredClone(base);
  const lex = { escape: state.escape };
  switch (ins.kind) {
    case 'CMD': {
      c.Cmd = commandList(ins.command, shell);
      state.cmdSet = true;
      return { config: c, comment: `CMD ${goQuoteList(c.Cmd)}` };
    }
    case 'ENTRYPOINT': {
      c.Entrypoint = ins.command.form === 'shell' && ins.command.command === '' ? null : commandList(ins.command, shell);
      if (!state.cmdSet) c.Cmd = null;
      return { config: c, comment: `ENTRYPOINT ${goQuoteList(c.Entrypoint ?? [])}` };
    }
    case 'ENV': {
      let list = [...(c.Env ?? [])];
      const parts: string[] = [];
      for (const kv of ins.env) {
        const key = expandWord(kv.key, env, lex);
        const value = expandWord(kv.value, env, lex);
        list = setEnv(list, key, value);
        parts.push(`${key}=${value}`);
      }
      c.Env = list;
      return { config: c, comment: `ENV ${parts.join(' ')}` };
    }
    case 'LABEL': {
      const labels = { ...(c.Labels ?? {}) };
      const parts: string[] = [];
      for (const kv of ins.labels) {
        const key = expandWord(kv.key, env, lex);
        const value = expandWord(kv.value, env, lex);
        labels[key] = value;
        parts.push(`${key}=${value}`);
      }
      c.Labels = labels;
      return { config: c, comment: `LABEL ${parts.join(' ')}` };
    }
    case 'EXPOSE': {
      const ports = { ...(c.ExposedPorts ?? {}) };
      const raws = ins.ports.flatMap((p) => expandWords(p, env, lex));
      for (const raw of raws) {
        const [port, proto = 'tcp'] = raw.split('/');
        if (!port || !/^\d+(-\d+)?$/.test(port)) throw invalid(`Invalid containerPort: ${raw}`);
        const key = `${port}/${proto.toLowerCase()}`;
        ports[key] = {};
      }
      c.ExposedPorts = ports;
      return { config: c, comment: `EXPOSE ${[...raws].sort().join(' ')}` };
    }
    case 'VOLUME': {
      const vols = { ...(c.Volumes ?? {}) };
      const paths = ins.paths.map((p) => expandWord(p, env, lex));
      for (const p of paths) {
        if (!p.trim()) throw invalid('VOLUME specified can not be an empty string');
        vols[p] = {};
      }
      c.Volumes = vols;
      return { config: c, comment: `VOLUME ${goQuoteList(paths).replace(/"/g, '')}` };
    }
    case 'USER': {
      c.User = expandWord(ins.user, env, lex);
      return { config: c, comment: `USER ${c.User}` };
    }
    case 'STOPSIGNAL': {
      const sig = expandWord(ins.signal, env, lex);
      if (!SIGNALS.test(sig)) throw invalid(`Invalid signal: ${sig}`);
      c.StopSignal = sig;
      return { config: c, comment: `STOPSIGNAL ${sig}` };
    }
    case 'HEALTHCHECK': {
      const h = ins.health;
      if (h.test[0] === 'NONE') c.Healthcheck = { Test: ['NONE'] };
      else {
        c.Healthcheck = { Test: h.test };
        if (h.interval) c.Healthcheck.Interval = h.interval;
        if (h.timeout) c.Healthcheck.Timeout = h.timeout;
        if (h.startPeriod) c.Healthcheck.StartPeriod = h.startPeriod;
        if (h.retries) c.Healthcheck.Retries = h.retries;
      }
      const d = (ns: number): string => JSON.stringify(goDuration(ns));
      return { config: c, comment: `HEALTHCHECK &{${goQuoteList(h.test)} ${d(h.interval)} ${d(h.timeout)} ${d(h.startPeriod)} ${goQuoteRune(h.retries)}}` };
    }
    case 'SHELL': {
      c.Shell = [...ins.shell];
      return { config: c, comment: `SHELL ${goQuoteList(ins.shell).replace(/"/g, '')}` };
    }
    case 'MAINTAINER': {
      return { config: c, comment: `MAINTAINER ${ins.maintainer}`, maintainer: ins.maintainer };
    }
    case 'ONBUILD': {
      c.OnBuild = [...(c.OnBuild ?? []), ins.expression];
      return { config: c, comment: `ONBUILD ${ins.expression}` };
    }
  }
}

/** Go's time.Duration.String(): `5s`, `1m30s`, `500ms`, `0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(ns);
  let out: string;
  if (n < 1e3) out = `${n}ns`;
  else if (n < 1e6) out = `${trim(n / 1e3)}µs`;
  else if (n < 1e9) out = `${trim(n / 1e6)}ms`;
  else {
    const h = Math.floor(n / 3.6e12);
    n -= h * 3.6e12;
    const m = Math.floor(n / 6e10);
    n -= m * 6e10;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trim(n / 1e9)}s`;
  }
  return neg ? `-${out}` : out;
}

function trim(v: number): string {
  return String(Number(v.toFixed(9)));
}

/** Go's `%q` of an int (a rune literal): `'\x00'`, `'A'`. */
export function goQuoteRune(n: number): string {
  if (n >= 0x20 && n < 0x7f) return n === 0x27 || n === 0x5c ? `'\\${String.fromCharCode(n)}'` : `'${String.fromCharCode(n)}'`;
  if (n < 0x100) return `'\\x${n.toString(16).padStart(2, '0')}'`;
  return `'\\u${n.toString(16).padStart(4, '0')}'`;
}
