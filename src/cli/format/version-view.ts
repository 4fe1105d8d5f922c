import type { VersionResult } from '../../api-client/system.js';
import { type GoField, goSliceOf, goStruct } from './go-struct.js';

/** The berth client's half of `version` (docker's `clientVersion`). */
export interface ClientVersion {
  Version: string;
  ApiVersion: string;
  DefaultAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  BuildTime: string;
  Context: string;
}

const s = (name: string, omitEmpty = false, json?: string): GoField => ({ name, kind: 'string', omitEmpty, ...(json ? { json } : {}) });

const CLIENT: GoField[] = [
  { name: 'Platform', kind: 'struct', omitEmpty: true },
  s('Version', true),
  s('APIVersion', true, 'ApiVersion'),
  s('DefaultAPIVersion', true),
  s('GitCommit', true),
  s('GoVersion', true),
  s('Os', true),
  s('Arch', true),
  s('BuildTime', true),
  s('Context'),
];

const SERVER: GoField[] = [
  { name: 'Platform', kind: 'struct' },
  { name: 'Components', kind: 'slice', omitEmpty: true },
  s('Version'),
  s('APIVersion', false, 'ApiVersion'),
  s('MinAPIVersion', true),
  s('GitCommit'),
  s('GoVersion'),
  s('Os'),
  s('Arch'),
  s('KernelVersion', true),
  { name: 'Experimental', kind: 'bool', omitEmpty: true },
  s('BuildTime', true),
];

const COMPONENT: GoField[] = [s('Name'), s('Version'), { name: 'Details', kind: 'map', omitEmpty: true }];

/**
 * What `version --format` templates see: docker's `versionInfo` with Go field names
 * (`{{.Server.APIVersion}}`), JSON keys as docker marshals them, the Engine's build time
 * reformatted like docker's (`Thu Dec  3 13:31:12 2026`).
 */
export function versionView(client: ClientVersion, server: VersionResult | undefined): { Client: unknown; Server: unknown } {
  const c = goStruct(CLIENT, { ...client, BuildTime: reformatDate(client.BuildTime) } as unknown as Record<string, unknown>, {}, 'system.clientVersion');
  if (!server) return { Client: c, Server: null };
  const components = (server.Components ?? []).map((x) =>
    x.Name === 'Engine' && x.Details?.BuildTime !== undefined ? { ...x, Details: { ...x.Details, BuildTime: reformatDate(x.Details.BuildTime) } } : x,
  );
  const v = goStruct(SERVER, { ...server, Components: components } as unknown as Record<string, unknown>, {
    Platform: (p) => goStruct([s('Name')], (p ?? {}) as Record<string, unknown>),
    Components: goSliceOf((x) => goStruct(COMPONENT, x as Record<string, unknown>)),
  }, '*types.Version');
  return { Client: c, Server: v };
}

/** docker's reformatDate: an RFC 3339 time as Go's ANSIC layout (`Mon Jan _2 15:04:05 2006`), else as is. */
export function reformatDate(text: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, se] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][date.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(mo) - 1];
  return `${day} ${month} ${String(Number(d)).padStart(2, ' ')} ${h}:${mi}:${se} ${y}`;
}
