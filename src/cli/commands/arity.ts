import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { findCommand } from '../registry.js';

/** How many positional arguments a command takes (docker's cobra validators). */
export type Arity = { exact: number } | { min: number; max?: number } | { max: number } | 'none';

/**
 * Checks the positional count and throws docker's message (exit 1) when it is off, e.g.
 * `berth: 'berth network create' requires 1 argument` + usage + hint.
 *
 * @example requireArgs(cmd, args, { exact: 2 })
 */
export function requireArgs(cmd: Command, args: string[], arity: Arity): void {
  const n = args.length;
  if (arity === 'none' ? n === 0 : 'exact' in arity ? n === arity.exact : n >= ('min' in arity ? arity.min : 0) && n <= (arity.max ?? Infinity)) return;
  throw new CliError(1, arityMessage(commandPath(cmd), cmd.usage(), arity));
}

/** The text docker prints for a wrong argument count (cobra validators in docker/cli `cli/required.go`). */
export function arityMessage(path: string, usageArgs: string, arity: Arity): string {
  const name = `berth ${path}`;
  const usage = `Usage:  ${name} ${usageArgs}`.trimEnd();
  const plural = (n: number): string => (n === 1 ? 'argument' : 'arguments');
  let what: string;
  let hint = 'Run';
  if (arity === 'none') what = 'accepts no arguments';
  else if ('exact' in arity) what = `requires ${arity.exact} ${plural(arity.exact)}`;
  else if ('min' in arity && arity.max !== undefined) what = `requires at least ${arity.min} and at most ${arity.max} ${plural(arity.max)}`;
  else if ('min' in arity) {
    what = `requires at least ${arity.min} ${plural(arity.min)}`;
    hint = 'See';
  } else {
    what = `requires at most ${arity.max} ${plural(arity.max)}`;
    hint = 'SRun';
  }
  return `berth: '${name}' ${what}\n\n${usage}\n\n${hint} '${name} --help' for more information`;
}

/** The arity a command's declared arguments imply (`<a>` required, `[b]` optional, `<c...>` variadic). */
export function arityOf(cmd: Command): Arity {
  const args = cmd.registeredArguments;
  if (args.length === 0) return 'none';
  const min = args.filter((a) => a.required).length;
  if (args.some((a) => a.variadic)) return { min };
  if (min === args.length) return { exact: min };
  return min === 0 ? { max: args.length } : { min, max: args.length };
}

/** `network ls` for `berth network list`, `port` for `berth port`: the command's own name, as cobra prints it. */
function commandPath(cmd: Command): string {
  const parent = cmd.parent?.name();
  const words = parent && parent !== 'berth' ? [parent, cmd.name()] : [cmd.name()];
  const found = findCommand(words);
  if (found && words.length === 2 && found.entry.group) return `${found.entry.group.noun} ${found.entry.group.verbs[0]}`;
  return words.join(' ');
}
