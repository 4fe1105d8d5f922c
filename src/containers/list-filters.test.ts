import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerStatus } from '../api/types.js';
import { initialState, type ContainerRecord } from './container-record.js';
import { selectContainers } from './list-filters.js';

function rec(id: string, name: string, status: ContainerStatus, created: string, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    schemaVersion: 1,
    id: id.repeat(64).slice(0, 64),
    name,
    created,
    image: { id: `sha256:${'ab'.repeat(32)}`, name: 'busybox' },
    path: 'sh',
    args: [],
    config: { Labels: {} },
    hostConfig: { NetworkMode: 'default' },
    networking: {},
    snapshotKey: id,
    runtime: 'crun',
    platform: 'linux',
    logPath: '',
    hostnamePath: '',
    hostsPath: '',
    resolvConfPath: '',
    state: { ...initialState(), status },
    ...extra,
  };
}

const recs = [
  rec('a', '/web', 'running', '2024-01-01T00:00:01.000000000Z', { config: { Labels: { tier: 'front' } } }),
  rec('b', '/db', 'exited', '2024-01-01T00:00:02.000000000Z', { state: { ...initialState(), status: 'exited', exitCode: 3 } }),
  rec('c', '/worker', 'created', '2024-01-01T00:00:03.000000000Z', { image: { id: `sha256:${'cd'.repeat(32)}`, name: 'alpine:3' } }),
];
const byRef = (ref: string): ContainerRecord => {
  const r = recs.find((x) => x.name === `/${ref}` || x.id.startsWith(ref));
  if (!r) throw new Error(`No such container: ${ref}`);
  return r;
};
const names = (opts: Parameters<typeof selectContainers>[1]): string[] => selectContainers(recs, opts, byRef).map((r) => r.name);
const f = (o: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(o));

test('default lists running only; all lists newest first', () => {
  assert.deepEqual(names({}), ['/web']);
  assert.deepEqual(names({ all: true }), ['/worker', '/db', '/web']);
});

test('limit implies all and takes the newest', () => {
  assert.deepEqual(names({ limit: 1 }), ['/worker']);
});

test('status filter implies all', () => {
  assert.deepEqual(names({ filters: f({ status: ['exited'] }) }), ['/db']);
  assert.throws(() => names({ filters: f({ status: ['sleeping'] }) }), { message: "invalid filter 'status=sleeping'" });
});

test('name regex, id prefix, label, ancestor, exited', () => {
  assert.deepEqual(names({ all: true, filters: f({ name: ['^/w'] }) }), ['/worker', '/web']);
  assert.deepEqual(names({ all: true, filters: f({ name: ['orke'] }) }), ['/worker']);
  assert.deepEqual(names({ all: true, filters: f({ id: ['bbb'] }) }), ['/db']);
  assert.deepEqual(names({ all: true, filters: f({ label: ['tier=front'] }) }), ['/web']);
  assert.deepEqual(names({ all: true, filters: f({ ancestor: ['busybox:latest'] }) }), ['/db', '/web']);
  assert.deepEqual(names({ all: true, filters: f({ ancestor: ['cdcd'] }) }), ['/worker']);
  assert.deepEqual(names({ all: true, filters: f({ exited: ['3'] }) }), ['/db']);
  assert.deepEqual(names({ all: true, filters: f({ exited: ['0'] }) }), []);
});

test('before/since', () => {
  assert.deepEqual(names({ all: true, filters: f({ before: ['worker'] }) }), ['/db', '/web']);
  assert.deepEqual(names({ all: true, filters: f({ since: ['web'] }) }), ['/worker', '/db']);
});

test('unknown filter is refused', () => {
  assert.throws(() => names({ filters: f({ colour: ['red'] }) }), { message: "invalid filter 'colour'" });
});
