import { CliError } from '../cli-error.js';
import type { CliContext } from '../context.js';

/**
 * Runs `fn` for each name like docker's multi-target commands: prints what `fn` returns
 * (the name by default) on success, keeps going past failures, and ends with exit 1 and all
 * error lines when any failed (then `failedLine`'s summary of the failed names, if given).
 */
export async function forEachTarget(ctx: CliContext, names: string[], fn: (name: string) => Promise<string | void>, failedLine?: (failed: string[]) => string): Promise<void> {
  const errors: string[] = [];
  const failed: string[] = [];
  for (const name of names) {
    try {
      const shown = await fn(name);
      ctx.out(`${shown ?? name}\n`);
    } catch (e) {
      errors.push(await describeError(e));
      failed.push(name);
    }
  }
  if (errors.length) throw new CliError(1, [...errors, ...(failedLine ? [failedLine(failed)] : [])].join('\n'));
}

/** docker's text for an error: `Error response from daemon: ...` for daemon replies. */
export async function describeError(e: unknown): Promise<string> {
  const { ApiError } = await import('../../api-client/api-error.js');
  if (e instanceof ApiError) return `Error response from daemon: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
