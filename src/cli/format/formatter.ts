import { CliError } from '../cli-error.js';
import { GoTemplate, TemplateError } from './go-template.js';
import { tabwrite } from './tabwriter.js';

/** docker's `--format` help for listings (table, json or a template). */
export const FORMAT_HELP_TABLE =
  "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates";

/** docker's `--format` help for inspect, version, info and events (json or a template). */
export const FORMAT_HELP_JSON =
  "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates";

/** A `--format` value resolved: `table` layout or raw lines, and the template text. */
export interface ParsedFormat {
  table: boolean;
  template: string;
}

/**
 * Resolves `--format` the way docker does: empty/`table` → the default table, `json` →
 * `{{json .}}`, `table X` → table with template X, anything else → a raw template.
 * `\t` and `\n` typed literally are turned into tab and newline.
 */
export function parseFormat(format: string | undefined, defaultTable: string): ParsedFormat {
  const f = (format ?? '').trim() === '' ? 'table' : format!;
  if (f === 'table') return { table: true, template: defaultTable };
  if (f === 'json') return { table: false, template: '{{json .}}' };
  const unescape = (s: string): string => s.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  if (f.startsWith('table')) return { table: true, template: unescape(f.slice(5)) };
  return { table: false, template: unescape(f) };
}

/** How a listing names its rows' Go type and words its template errors. */
export interface RenderOptions {
  /** The Go type of a row in error texts (`*formatter.ContainerContext`). */
  typeName?: string;
  /** `ps` says "failed to parse template: " / "failed to execute template: "; the others "template parsing error: ". */
  psErrors?: boolean;
}

/**
 * Renders items with a template; in table mode a header line (the template run against
 * `headers`) comes first and columns are aligned with tabwriter. A template that does not
 * parse or run ends the command with docker's message (exit status 1).
 *
 * @example renderFormat(parseFormat('table {{.ID}}\t{{.Names}}', ''), rows, { ID: 'CONTAINER ID', Names: 'NAMES' })
 */
export function renderFormat(fmt: ParsedFormat, items: unknown[], headers: Record<string, string>, opts: RenderOptions = {}): string {
  try {
    const tmpl = new GoTemplate(fmt.template, {}, { typeName: opts.typeName });
    let out = '';
    if (fmt.table) out += `${new GoTemplate(fmt.template, HEADER_FUNCS).execute(headerContext(headers))}\n`;
    for (const item of items) out += `${tmpl.execute(item)}\n`;
    return fmt.table ? tabwrite(out) : out;
  } catch (e) {
    throw templateFailure(e, opts.psErrors ? { parse: 'failed to parse template: ', exec: 'failed to execute template: ' } : undefined);
  }
}

/** A TemplateError as the command's exit (status 1, docker's prefix); anything else unchanged. */
export function templateFailure(e: unknown, prefix = { parse: 'template parsing error: ', exec: 'template parsing error: ' }): unknown {
  if (!(e instanceof TemplateError)) return e;
  return new CliError(1, `${prefix[e.kind]}${e.message}`);
}

/** docker's header functions: the ones that would change a column name pass it through. */
const HEADER_FUNCS: Record<string, (...a: unknown[]) => unknown> = {
  json: (v) => v,
  split: (v) => v,
  join: (v) => v,
  title: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  truncate: (v) => v,
};

function headerContext(headers: Record<string, string>): Record<string, unknown> {
  const ctx: Record<string, unknown> = { ...headers };
  ctx.Label = (name: string) => String(name).split('.').pop()!.replace(/[-_]/g, ' ');
  return ctx;
}
