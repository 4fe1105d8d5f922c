import { type GoField, goMapOf, goSliceOf, goStruct, goTime } from './go-struct.js';

const str = (name: string, extra: Partial<GoField> = {}): GoField => ({ name, kind: 'string', ...extra });
const bool = (name: string): GoField => ({ name, kind: 'bool' });

const IPAM_CONFIG: GoField[] = [
  str('Subnet', { omitEmpty: true }),
  str('IPRange', { omitEmpty: true }),
  str('Gateway', { omitEmpty: true }),
  { name: 'AuxAddress', json: 'AuxiliaryAddresses', kind: 'map', omitEmpty: true },
];
const IPAM: GoField[] = [str('Driver'), { name: 'Options', kind: 'map' }, { name: 'Config', kind: 'slice' }];
const ENDPOINT: GoField[] = [str('Name'), str('EndpointID'), str('MacAddress'), str('IPv4Address'), str('IPv6Address')];
const PEER: GoField[] = [str('Name'), str('IP')];
const CONFIG_FROM: GoField[] = [str('Network')];
const INSPECT: GoField[] = [
  str('Name'),
  str('ID', { json: 'Id' }),
  { name: 'Created', kind: 'struct' },
  str('Scope'),
  str('Driver'),
  bool('EnableIPv4'),
  bool('EnableIPv6'),
  { name: 'IPAM', kind: 'struct' },
  bool('Internal'),
  bool('Attachable'),
  bool('Ingress'),
  { name: 'ConfigFrom', kind: 'struct' },
  bool('ConfigOnly'),
  { name: 'Containers', kind: 'map' },
  { name: 'Options', kind: 'map' },
  { name: 'Labels', kind: 'map' },
  { name: 'Peers', kind: 'slice', omitEmpty: true },
  { name: 'Services', kind: 'map', omitEmpty: true },
];

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined => (v && typeof v === 'object' ? (v as Raw) : undefined);

/**
 * A network as `network inspect --format` templates see it in the docker CLI: the typed
 * `network.Inspect` (Go field names such as `.ID`, `.Created` printing as Go time,
 * `{{json .}}` with every field, `EnableIPv4` included).
 */
export function networkView(raw: unknown): Record<string, unknown> {
  return goStruct(INSPECT, obj(raw), {
    Created: goTime,
    IPAM: (v) => goStruct(IPAM, obj(v), { Config: goSliceOf((c) => goStruct(IPAM_CONFIG, obj(c))) }),
    ConfigFrom: (v) => goStruct(CONFIG_FROM, obj(v)),
    Containers: goMapOf((c) => goStruct(ENDPOINT, obj(c))),
    Peers: goSliceOf((p) => goStruct(PEER, obj(p))),
  });
}
