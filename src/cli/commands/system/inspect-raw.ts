import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { GoTemplate, TemplateError } from '../../format/go-template.js';
import { compactJson, indentJson } from '../../format/json-indent.js';
import { describeError } from '../for-each-target.js';

/**
 * docker's `inspect` writer (cli/command/inspect) over the daemon's raw replies:
 * no format → the replies as one JSON array indented 4 spaces, byte for byte what the
 * daemon sent; `json` → the same array compact; otherwise one template line per object,
 * run against `view(parsed)` (the typed value) and, when that fails, against the raw JSON
 * with missing keys as errors. Lookup and template errors are printed after the output,
 * joined by newlines, with exit status 1; a template that does not parse exits 64. With
 * `opts.noRaw` (volumes: docker keeps no raw reply) the typed pass's error is the one printed,
 * naming `opts.typeName`.
 *
 * @example await inspectRaw(ctx, ['net1'], undefined, (n) => networkInspectRaw(t, n), networkView)
 */
export async function inspectRaw(
  ctx: CliContext,
  names: string[],
  format: string | undefined,
  get: (name: string) => Promise<Buffer>,
  view: (parsed: unknown) => unknown = (x) => x,
  opts: { typeName?: string; noRaw?: boolean } = {},
): Promise<void> {
  const mode = !format ? 'indent' : format === 'json' ? 'json' : 'template';
  let typed: GoTemplate | undefined;
  let raw: GoTemplate | undefined;
  if (mode === 'template') {
    try {
      typed = new GoTemplate(format!, {}, { typeName: opts.typeName });
      raw = new GoTemplate(format!, {}, { missingKeyError: true, jsonSortKeys: true });
    } catch (e) {
      throw e instanceof TemplateError ? new CliError(64, `template parsing error: ${e.message}`) : e;
    }
  }
  const replies: string[] = [];
  const lines: string[] = [];
  const errors: string[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = (await get(name)).toString('utf8');
    } catch (e) {
      errors.push(await describeError(e));
      continue;
    }
    if (mode !== 'template') {
      replies.push(text);
      continue;
    }
    const parsed: unknown = JSON.parse(text);
    try {
      lines.push(typed!.execute(view(parsed)));
    } catch (typedError) {
      if (opts.noRaw) {
        errors.push(`template parsing error: ${(typedError as Error).message}`);
        continue;
      }
      try {
        lines.push(raw!.execute(parsed));
      } catch (e) {
        errors.push(`template parsing error: ${(e as Error).message}`);
      }
    }
  }
  if (mode === 'template') ctx.out(lines.length ? lines.map((l) => `${l}\n`).join('') : '\n');
  else if (replies.length === 0) ctx.out('[]\n');
  else {
    const all = `[${replies.join(',')}]`;
    ctx.out(`${mode === 'json' ? compactJson(all) : indentJson(all, '    ')}\n`);
  }
  if (errors.length) throw new CliError(1, errors.join('\n'));
}
