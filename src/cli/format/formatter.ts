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
  const unescape = (s: string): string => s.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  if (f.startsWith('table ')) return { table: true, template: unescape(f.slice(6)) };
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
  if (fmt.table) out += `${tmpl.execute(headerContext(headers))}\n`;
  for (const item of items) out += `${tmpl.execute(item)}\n`;
  return fmt.table ? tabwrite(out) : out;
}

function headerContext(headers: Record<string, string>): Record<string, unknown> {
  const ctx: Record<string, unknown> = { ...headers };
  ctx.Label = () => 'LABEL';
  return ctx;
}
