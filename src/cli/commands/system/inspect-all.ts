import { ApiError } from '../../../api-client/api-error.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { GoTemplate, MAP_ZERO, STRICT, TemplateError } from '../../format/go-template.js';

/**
 * docker's inspect output: a JSON array indented 4 spaces, or one template line per object.
 * Missing objects print `Error: No such object: x` (or the `notFound` wording; 'daemon': the
 * daemon's own message) and exit 1
 * after the found ones are printed. A template runs first on the typed view docker decodes
 * into (Go field names such as `ID`; structs where an unknown field is an error, maps where a
 * missing key is `<no value>`), then on the raw JSON with missing keys as errors; a template
 * that fails both prints docker's "template parsing error" for the second (exit status 1), one
 * that does not parse exits 64.
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
      if (ApiError.isNotFound(e)) errors.push(notFound === 'No such container' || notFound === 'No such image' || notFound === 'daemon' ? `Error response from daemon: ${e.message}` : `${notFound}: ${n}`);
      else if (e instanceof ApiError) errors.push(`Error response from daemon: ${e.message}`);
      else throw e;
    }
  }
  if (format && format !== 'json') {
    const src = format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
    let typed: GoTemplate;
    let raw: GoTemplate;
    try {
      typed = new GoTemplate(src);
      raw = new GoTemplate(src, {}, { missingKeyError: true, jsonSortKeys: true });
    } catch (e) {
      throw e instanceof TemplateError ? new CliError(64, `template parsing error: ${e.message}`) : e;
    }
    const lines: string[] = [];
    for (const x of found) {
      try {
        lines.push(typed.execute(typedView(x)));
      } catch {
        try {
          lines.push(raw.execute(x));
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
          errors.push(`template parsing error: ${e.message}`);
        }
      }
    }
    ctx.out(lines.length ? lines.map((l) => `${l}\n`).join('') : '\n');
  } else {
    ctx.out(`${found.length ? JSON.stringify(found, null, 4) : '[]'}\n`);
  }
  if (errors.length) throw new CliError(1, errors.join('\n'));
}

/** A `map[string]string`: `index` of a missing key is "" (the zero value), not `<no value>`. */
function withZero(m: Record<string, unknown> | null, zero: unknown): Record<string, unknown> {
  const c = { ...m };
  Object.defineProperty(c, MAP_ZERO, { value: zero, enumerable: false });
  // a nil map: `.x` is <no value>, `{{json}}` is null
  if (!m) Object.defineProperty(c, 'toJSON', { value: () => null, enumerable: false });
  return c;
}

/** Members of a container's or image's inspect reply that are Go structs (the rest of the objects are maps). */
const STRUCTS = new Set(['State', 'Health', 'Config', 'ContainerConfig', 'HostConfig', 'NetworkSettings', 'GraphDriver', 'RootFS', 'Metadata', 'LogConfig', 'RestartPolicy']);

/**
 * The reply as docker's typed value: struct members strict, maps as they are (not mutated).
 * Go names its id field `ID`, so `Id` only works in the raw pass (and `{{.ID}} {{.Id}}` fails
 * both: the raw reply has no `ID`). `{{json .}}` is the reply.
 */
function typedView(x: unknown): unknown {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return x;
  const src = x as Record<string, unknown>;
  const view: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'Id') continue;
    view[k] = STRUCTS.has(k) && v && typeof v === 'object' && !Array.isArray(v) ? strictCopy(v as Record<string, unknown>) : v;
  }
  if ('Id' in src) Object.defineProperty(view, 'ID', { value: src.Id, enumerable: false });
  Object.defineProperty(view, 'toJSON', { value: () => src, enumerable: false });
  Object.defineProperty(view, STRICT, { value: 'RepoTags' in src ? 'image.InspectResponse' : 'container.InspectResponse', enumerable: false });
  return view;
}

function strictCopy(o: Record<string, unknown>): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (STRUCTS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) c[k] = strictCopy(v as Record<string, unknown>);
    else if (k === 'Labels') c[k] = withZero((v ?? null) as Record<string, unknown> | null, '');
    else c[k] = v;
  }
  // a container config's Labels is a field even when the reply leaves it out
  if (('Cmd' in o || 'Env' in o) && !('Labels' in o)) c.Labels = withZero(null, '');
  // pointers docker leaves out of the JSON when nil (`{{.State.Health}}` is <nil>)
  if ('Status' in o && 'Pid' in o && !('Health' in o)) c.Health = null;
  Object.defineProperty(c, STRICT, { value: true, enumerable: false });
  return c;
}
