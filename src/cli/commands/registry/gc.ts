import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { registryVerb } from './serve.js';

/** `berth registry gc --root DIR [--dry-run]` */
export function register(parent: Command, ctx: CliContext): Command {
  return registryVerb(parent, ctx, 'gc', 'Delete blobs no manifest references');
}
