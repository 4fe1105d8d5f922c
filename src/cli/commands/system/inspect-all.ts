import { ApiError } from '../../../api-client/api-error.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { GoTemplate } from '../../format/go-template.js';

/**
 * docker's inspect output: a JSON array indented 4 spaces, or one template line per object.
 * Missing objects print `Error: No such object: x` (or the `notFound` wording) and exit 1
 * after the found ones are printed.
 */
export async function inspectAll(
  ctx: CliContext,
  names: string[],
  format: string | undefined,
  get: (name: string) => Promise<unknown>,
  notFound = 'Error: No such object',
): Promise<void> {
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const n of names) {
    try {
      found.push(await get(n));
    } catch (e) {
      if (ApiError.isNotFound(e)) errors.push(notFound === 'No such container' || notFound === 'No such image' ? `Error response from daemon: ${e.message}` : `${notFound}: ${n}`);
      else if (e instanceof ApiError) errors.push(`Error response from daemon: ${e.message}`);
      else throw e;
    }
  }
  if (format && format !== 'json') {
    const tmpl = new GoTemplate(format.replace(/\\t/g, '\t').replace(/\\n/g, '\n'));
    ctx.out(found.map((x) => `${tmpl.execute(x)}\n`).join(''));
  } else {
    ctx.out(`${found.length ? JSON.stringify(found, null, 4) : '[]'}\n`);
  }
  if (errors.length) throw new CliError(1, errors.join('\n'));
}
