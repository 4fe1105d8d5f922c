import { GoTemplate } from './go-template.js';
import { tabwrite } from './tabwriter.js';

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

/**
 * Renders items with a template; in table mode a header line (the template run against
 * `headers`) comes first and columns are aligned with tabwriter.
 *
 * @example renderFormat(parseFormat('table {{.ID}}\t{{.Names}}', ''), rows, { ID: 'CONTAINER ID', Names: 'NAMES' })
 */
export function renderFormat(fmt: ParsedFormat, items: unknown[], headers: Record<string, string>): string {
  const tmpl = new GoTemplate(fmt.template);
  let out = '';
  if (fmt.table) out += `${new GoTemplate(fmt.template, HEADER_FUNCS).execute(headerContext(headers))}\n`;
  for (const item of items) out += `${tmpl.execute(item)}\n`;
  return fmt.table ? tabwrite(out) : out;
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
