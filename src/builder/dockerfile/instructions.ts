import { InstructionFlags } from './flags.js';
import { heredocFromWord } from './heredoc.js';
import { parseHealthcheck } from './healthcheck.js';
import { goQuote } from './node-args.js';
import {
  atLeastOneArgument,
  blankNames,
  exactlyOneArgument,
  InstructionError,
  noDestination,
} from './parse-error.js';
import type { AstNode } from './read-lines.js';
import type {
  AddInstruction,
  ArgDefinition,
  CommandLine,
  CopyInstruction,
  InlineSource,
  Instruction,
  KeyValue,
} from './types.js';

/** What one instruction's parser gets: the line node plus its flags, ready to declare. */
export interface ParseRequest {
  node: AstNode;
  args: string[];
  flags: InstructionFlags;
}

type Base = Pick<Instruction, 'original' | 'location'>;
type Parser = (req: ParseRequest, base: Base) => Instruction;

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

function commandLine(args: string[], json: boolean): CommandLine {
  return json ? { form: 'exec', args } : { form: 'shell', command: args.join(' ') };
}

function keyValues(args: string[], cmd: string): KeyValue[] {
  if (args.length === 0) throw atLeastOneArgument(cmd);
  if (args.length % 2 !== 0) throw new InstructionError(`Bad input to ${cmd}, too many arguments`);
  const out: KeyValue[] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '') throw blankNames(cmd);
    out.push({ key: args[i]!, value: args[i + 1]! });
  }
  return out;
}

function single(req: ParseRequest, cmd: string): string {
  req.flags.parse();
  if (req.args.length !== 1) throw exactlyOneArgument(cmd);
  return req.args[0]!;
}

/** COPY/ADD sources, destination and the sources given as here-documents. */
function sourcesAndDest(req: ParseRequest, cmd: string): Pick<CopyInstruction, 'sources' | 'inline' | 'dest' | 'json'> {
  const { args, node } = req;
  const dest = args[args.length - 1]!;
  const sources: string[] = [];
  const inline: InlineSource[] = [];
  if (!node.json && heredocFromWord(dest)) throw new InstructionError(`${cmd} cannot accept a heredoc as a destination`);
  for (const src of args.slice(0, -1)) {
    const doc = node.json ? undefined : heredocFromWord(src);
    if (!doc) {
      sources.push(src);
      continue;
    }
    const body = node.heredocs.find((h) => h.name === doc.name);
    inline.push({ name: doc.name, content: body?.content ?? '', expand: doc.expand });
  }
  return { sources, inline, dest, json: node.json };
}

const PARSERS: Record<string, Parser> = {
  from(req, base) {
    const { args } = req;
    let stageName: string | undefined;
    if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
      stageName = args[2]!.toLowerCase();
      if (!STAGE_NAME.test(stageName)) {
        throw new InstructionError(
          `invalid name for build stage: ${goQuote(args[2]!)}, name can't start with a number or contain symbols`,
        );
      }
    } else if (args.length !== 1) {
      throw new InstructionError('FROM requires either one or three arguments');
    }
    const platform = req.flags.string('platform');
    req.flags.parse();
    return { kind: 'FROM', ...base, image: args[0]!, stageName, platform: platform.value || undefined };
  },

  run(req, base) {
    const mounts = req.flags.strings('mount');
    const network = req.flags.string('network');
    const security = req.flags.string('security');
    req.flags.parse();
    return {
      kind: 'RUN',
      ...base,
      command: commandLine(req.args, req.node.json),
      heredocs: req.node.heredocs,
      mounts: [...mounts.values],
      network: network.value,
      security: security.value,
    };
  },

  cmd(req, base) {
    req.flags.parse();
    return { kind: 'CMD', ...base, command: commandLine(req.args, req.node.json) };
  },

  entrypoint(req, base) {
    req.flags.parse();
    return { kind: 'ENTRYPOINT', ...base, command: commandLine(req.args, req.node.json) };
  },

  shell(req, base) {
    req.flags.parse();
    if (req.args.length === 0) throw atLeastOneArgument('SHELL');
    if (!req.node.json) throw new InstructionError('SHELL requires the arguments to be in JSON form');
    return { kind: 'SHELL', ...base, shell: req.args };
  },

  label(req, base) {
    req.flags.parse();
    return { kind: 'LABEL', ...base, labels: keyValues(req.args, 'LABEL') };
  },

  env(req, base) {
    req.flags.parse();
    return { kind: 'ENV', ...base, env: keyValues(req.args, 'ENV') };
  },

  expose(req, base) {
    if (req.args.length === 0) throw atLeastOneArgument('EXPOSE');
    req.flags.parse();
    return { kind: 'EXPOSE', ...base, ports: req.args };
  },

  copy(req, base) {
    if (req.args.length < 2) throw noDestination('COPY');
    const from = req.flags.string('from');
    const chown = req.flags.string('chown');
    const chmod = req.flags.string('chmod');
    const link = req.flags.bool('link');
    const parents = req.flags.bool('parents');
    const exclude = req.flags.strings('exclude');
    req.flags.parse();
    const out: CopyInstruction = {
      kind: 'COPY',
      ...base,
      ...sourcesAndDest(req, 'COPY'),
      from: from.value,
      chown: chown.value,
      chmod: chmod.value,
      link: link.value,
      parents: parents.value,
      exclude: [...exclude.values],
    };
    return out;
  },

  add(req, base) {
    if (req.args.length < 2) throw noDestination('ADD');
    const chown = req.flags.string('chown');
    const chmod = req.flags.string('chmod');
    const link = req.flags.bool('link');
    const keepGitDir = req.flags.bool('keep-git-dir');
    const checksum = req.flags.string('checksum');
    const exclude = req.flags.strings('exclude');
    req.flags.parse();
    const out: AddInstruction = {
      kind: 'ADD',
      ...base,
      ...sourcesAndDest(req, 'ADD'),
      chown: chown.value,
      chmod: chmod.value,
      link: link.value,
      keepGitDir: keepGitDir.value,
      checksum: checksum.value,
      exclude: [...exclude.values],
    };
    return out;
  },

  volume(req, base) {
    req.flags.parse();
    if (req.args.length === 0) throw atLeastOneArgument('VOLUME');
    const paths = req.args.map((v) => v.trim());
    if (paths.some((p) => p === '')) throw new InstructionError('VOLUME specified can not be an empty string');
    return { kind: 'VOLUME', ...base, paths };
  },

  user: (req, base) => ({ kind: 'USER', ...base, user: single(req, 'USER') }),
  workdir: (req, base) => ({ kind: 'WORKDIR', ...base, path: single(req, 'WORKDIR') }),
  stopsignal: (req, base) => ({ kind: 'STOPSIGNAL', ...base, signal: single(req, 'STOPSIGNAL') }),
  maintainer: (req, base) => ({ kind: 'MAINTAINER', ...base, maintainer: single(req, 'MAINTAINER') }),

  arg(req, base) {
    // Docker's classic builder never checks ARG's flags: `ARG --x a` declares `a`.
    if (req.args.length === 0) throw atLeastOneArgument('ARG');
    const args: ArgDefinition[] = req.args.map((a) => {
      const eq = a.indexOf('=');
      if (eq < 0) return { name: a };
      if (eq === 0) throw blankNames('ARG');
      return { name: a.slice(0, eq), value: a.slice(eq + 1) };
    });
    return { kind: 'ARG', ...base, args };
  },

  onbuild(req, base) {
    if (req.args.length === 0) throw atLeastOneArgument('ONBUILD');
    req.flags.parse();
    const trigger = req.args[0]!.trim().toUpperCase();
    if (trigger === 'ONBUILD') throw new InstructionError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
    if (trigger === 'MAINTAINER' || trigger === 'FROM') {
      throw new InstructionError(`${trigger} isn't allowed as an ONBUILD trigger`);
    }
    const expression = base.original.replace(/^\s*ONBUILD\s*/i, '');
    return { kind: 'ONBUILD', ...base, trigger, expression };
  },

  healthcheck: (req, base) => ({ kind: 'HEALTHCHECK', ...base, health: parseHealthcheck(req) }),
};

/** Every keyword Docker knows, upper-cased. */
export const INSTRUCTION_NAMES = Object.keys(PARSERS).map((k) => k.toUpperCase());

/** Turn one line node into its typed instruction; throws InstructionError with Docker's wording. */
export function parseInstruction(node: AstNode): Instruction {
  const parse = PARSERS[node.cmd];
  if (!parse) throw new InstructionError(`unknown instruction: ${node.cmd.toUpperCase()}`);
  return parse({ node, args: node.args, flags: new InstructionFlags(node.flags) }, {
    original: node.original,
    location: node.location,
  });
}
