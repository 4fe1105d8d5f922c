import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkResource } from '../../api/types.js';
import { GoTemplate } from './go-template.js';
import { compactJson, indentJson } from './json-indent.js';
import { naturalCompare, naturalLess } from './natural-sort.js';
import { NETWORKS_HEADERS, NETWORKS_TABLE, goTimeText, networkContext } from './network-context.js';
import { networkView } from './network-view.js';
import { parseFormat, renderFormat } from './formatter.js';

test('natural order: numbers by value, digits before letters, fewer zeros first', () => {
  assert.deepEqual(['net10', 'net9', 'net09', 'net', 'net-a', 'Net1'].sort(naturalCompare), ['Net1', 'net', 'net9', 'net09', 'net10', 'net-a']);
  assert.deepEqual(['443/tcp -> 0.0.0.0:9443', '80/tcp -> 0.0.0.0:8080', '443/tcp -> 0.0.0.0:8443'].sort(naturalCompare), [
    '80/tcp -> 0.0.0.0:8080',
    '443/tcp -> 0.0.0.0:8443',
    '443/tcp -> 0.0.0.0:9443',
  ]);
  assert.equal(naturalLess('a1b', 'a1'), false);
  assert.equal(naturalLess('1', 'a'), true);
});

test('json.Indent / json.Compact keep the text of strings and numbers', () => {
  const raw = '{"a":"x\\u003cy","n":1.50,"e":{},"l":[ ],"o":{"k":[1,{"z":null}]}}\n';
  assert.equal(indentJson(raw, '  '), '{\n  "a": "x\\u003cy",\n  "n": 1.50,\n  "e": {},\n  "l": [],\n  "o": {\n    "k": [\n      1,\n      {\n        "z": null\n      }\n    ]\n  }\n}');
  assert.equal(compactJson('[ {"a" : "b c"} ,\n 2 ]'), '[{"a":"b c"},2]');
  assert.equal(indentJson('{"s":"a\\"}{,:"}', '    '), '{\n    "s": "a\\"}{,:"\n}');
});

test('Go time text keeps nanoseconds and zones', () => {
  assert.equal(goTimeText('2026-01-02T03:04:05.123456789Z'), '2026-01-02 03:04:05.123456789 +0000 UTC');
  assert.equal(goTimeText('2026-01-02T03:04:05.100Z'), '2026-01-02 03:04:05.1 +0000 UTC');
  assert.equal(goTimeText('2026-01-02T03:04:05Z'), '2026-01-02 03:04:05 +0000 UTC');
  assert.equal(goTimeText('2026-01-02T03:04:05+02:00'), '2026-01-02 03:04:05 +0200 +0200');
});

const NET = {
  Name: 'n1', Id: 'a'.repeat(64), Created: '2026-01-02T03:04:05.5Z', Scope: 'local', Driver: 'bridge', EnableIPv6: false,
  IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }] },
  Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
  Containers: { c1: { Name: 'web', EndpointID: 'e', MacAddress: 'm', IPv4Address: '10.0.0.2/24', IPv6Address: '' } },
  Options: { b: '2', a: '1' }, Labels: { 'x.y': '<v>' },
} as NetworkResource;

test('network ls rows: docker columns, JSON keys in Go order, escaped like json.Marshal', () => {
  const row = networkContext(NET, { trunc: true });
  assert.equal(renderFormat(parseFormat(undefined, NETWORKS_TABLE), [row], NETWORKS_HEADERS), 'NETWORK ID     NAME      DRIVER    SCOPE\naaaaaaaaaaaa   n1        bridge    local\n');
  assert.equal(
    renderFormat(parseFormat('json', NETWORKS_TABLE), [row], NETWORKS_HEADERS),
    '{"CreatedAt":"2026-01-02 03:04:05.5 +0000 UTC","Driver":"bridge","ID":"aaaaaaaaaaaa","IPv4":"false","IPv6":"false","Internal":"false","Labels":"x.y=\\u003cv\\u003e","Name":"n1","Scope":"local"}\n',
  );
  assert.equal(renderFormat(parseFormat('table {{.Label "x.y"}}\t{{json .Name}}', ''), [row], NETWORKS_HEADERS), 'y         NAME\n<v>       "n1"\n');
});

test('network inspect templates see the typed value: Go names, struct printing, Go time', () => {
  const t = (src: string): string => new GoTemplate(src).execute(networkView(NET));
  assert.equal(t('{{.ID}}'), 'a'.repeat(64));
  assert.throws(() => t('{{.Id}}'), /can't evaluate field Id/);
  assert.equal(t('{{.Created}}'), '2026-01-02 03:04:05.5 +0000 UTC');
  assert.equal(t('{{.IPAM}}'), '{default map[] [{10.0.0.0/24  10.0.0.1 map[]}]}');
  assert.equal(t('{{.Containers}}'), 'map[c1:{web e m 10.0.0.2/24 }]');
  assert.equal(t('{{json .IPAM}}'), '{"Driver":"default","Options":null,"Config":[{"Subnet":"10.0.0.0/24","Gateway":"10.0.0.1"}]}');
  assert.equal(t('{{json .Options}}'), '{"a":"1","b":"2"}');
  assert.equal(t('{{json .Labels}}'), '{"x.y":"<v>"}');
  assert.match(t('{{json .}}'), /^\{"Name":"n1","Id":"a+","Created":"2026-01-02T03:04:05.5Z","Scope":"local","Driver":"bridge","EnableIPv4":false,"EnableIPv6":false,/);
  assert.equal(new GoTemplate('{{json .IPAM}}', {}, { jsonSortKeys: true }).execute(JSON.parse(JSON.stringify(NET))), '{"Config":[{"Gateway":"10.0.0.1","Subnet":"10.0.0.0/24"}],"Driver":"default","Options":null}');
  assert.throws(() => new GoTemplate('{{.Peers}}', {}, { missingKeyError: true }).execute({}), /map has no entry for key "Peers"/);
});
