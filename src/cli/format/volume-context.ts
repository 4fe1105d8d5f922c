import type { VolumeSummary } from '../../api-client/volumes.js';
import { type GoField, goStruct } from './go-struct.js';
import { GO_FORMAT, STRICT } from './go-template.js';
import { humanSize } from './units.js';

/** Default `volume ls` table and its `-q` form. */
export const VOLUMES_TABLE = '{{.Driver}}\t{{.Name}}';
export const VOLUMES_QUIET = '{{.Name}}';
/** `--format raw` (docker's RawFormatKey). */
export const VOLUMES_RAW = 'name: {{.Name}}\\ndriver: {{.Driver}}\\n';
export const VOLUMES_RAW_QUIET = 'name: {{.Name}}';

/** Column headers of `volume ls`. */
export const VOLUMES_HEADERS: Record<string, string> = {
  ID: 'ID',
  Name: 'VOLUME NAME',
  Group: 'GROUP',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Availability: 'AVAILABILITY',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Status: 'STATUS',
};

/**
 * The values `volume ls --format` sees for one volume (docker's volumeContext); keys in the
 * order `{{json .}}` prints them. Labels are joined in key order (docker's map order varies).
 */
export function volumeContext(v: VolumeSummary): Record<string, unknown> {
  const labels = v.Labels ?? {};
  const ctx: Record<string, unknown> = {
    Availability: 'N/A',
    Driver: v.Driver,
    Group: 'N/A',
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Mountpoint: v.Mountpoint,
    Name: v.Name,
    Scope: v.Scope,
    Size: v.UsageData ? humanSize(v.UsageData.Size, 4) : 'N/A',
    Status: 'N/A',
  };
  Object.defineProperty(ctx, 'Label', { value: (k: string) => labels[k] ?? '', enumerable: false });
  Object.defineProperty(ctx, STRICT, { value: true, enumerable: false });
  return ctx;
}

const str = (name: string, omitEmpty = false): GoField => ({ name, kind: 'string', omitEmpty });

/** docker's `volume.Volume` as `volume inspect --format` templates see it. */
const VOLUME: GoField[] = [
  { name: 'ClusterVolume', kind: 'struct', omitEmpty: true },
  str('CreatedAt', true),
  str('Driver'),
  { name: 'Labels', kind: 'map' },
  str('Mountpoint'),
  str('Name'),
  { name: 'Options', kind: 'map' },
  str('Scope'),
  { name: 'Status', kind: 'map', omitEmpty: true },
  { name: 'UsageData', kind: 'struct', omitEmpty: true },
];

/** A Go nil map: prints `map[]`, marshals as `null`. */
const NIL_MAP = (): object => ({ [GO_FORMAT]: () => 'map[]', toJSON: () => null });

export function volumeView(raw: unknown): Record<string, unknown> {
  const view = goStruct(VOLUME, raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined);
  for (const k of ['Labels', 'Options']) if (view[k] === null) view[k] = NIL_MAP();
  return view;
}
