import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeFrame } from '../../../api-client/stdcopy.js';
import { FakeDaemon, type SeenRequest } from '../../../api-client/testing/fake-daemon.js';
import { CliRunner, asBerth, hasDockerCli } from '../../testing/cli-runner.js';
import { confirmationMessage } from './prune.js';

const hex = (c: string): string => c.repeat(64);

const DF = {
  LayersSize: 123_456_789,
  Images: [
    { Id: `sha256:${hex('1')}`, ParentId: '', RepoTags: ['app:v1', 'app:latest'], RepoDigests: [], Created: 1_500_000_000, Size: 5_000_000, SharedSize: 1_000_000, VirtualSize: 5_000_000, Labels: {}, Containers: 2 },
    { Id: `sha256:${hex('2')}`, ParentId: '', RepoTags: [], RepoDigests: [], Created: 1_600_000_000, Size: 70_000_000, SharedSize: -1, VirtualSize: 70_000_000, Labels: {}, Containers: 0 },
    { Id: `sha256:${hex('3')}`, ParentId: '', RepoTags: ['docker.io/library/busybox:latest'], RepoDigests: ['busybox@sha256:' + hex('9')], Created: 1_600_000_000, Size: 2_000_000, SharedSize: 0, VirtualSize: 2_000_000, Labels: {}, Containers: 0 },
    { Id: `sha256:${hex('4')}`, ParentId: '', RepoTags: ['localhost:5000/team/tool:2.0'], RepoDigests: [], Created: 1_600_000_000, Size: 900, SharedSize: -1, VirtualSize: 900, Labels: {}, Containers: -1 },
    { Id: `sha256:${hex('5')}`, ParentId: '', RepoTags: ['Bad/Name:x'], RepoDigests: [], Created: 1_600_000_000, Size: 1, SharedSize: -1, VirtualSize: 1, Labels: {}, Containers: 0 },
  ],
  Containers: [
    { Id: hex('a'), Names: ['/web'], Image: 'app:v1', ImageID: `sha256:${hex('1')}`, Command: 'nginx -g \'daemon off;\' > /dev/null', Created: 1_600_000_000, Ports: [], SizeRw: 1_000, SizeRootFs: 5_001_000, Labels: {}, State: 'running', Status: 'Up 2 hours', HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { Networks: {} }, Mounts: [{ Type: 'volume', Name: 'data', Source: '/v', Destination: '/d', Driver: 'local', Mode: '', RW: true, Propagation: '' }] },
    { Id: hex('b'), Names: ['/old'], Image: 'app:v1', ImageID: `sha256:${hex('1')}`, Command: 'true', Created: 1_600_000_000, Ports: [], SizeRw: 5_000, SizeRootFs: 5_005_000, Labels: {}, State: 'exited', Status: 'Exited (0) 2 hours ago', HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { Networks: {} }, Mounts: [] },
  ],
  Volumes: [
    { Name: 'data', Driver: 'local', Mountpoint: '/var/lib/berth/volumes/data/_data', Labels: {}, Scope: 'local', Options: {}, CreatedAt: '2020-01-01T00:00:00Z', UsageData: { Size: 1234, RefCount: 1 } },
    { Name: hex('7'), Driver: 'local', Mountpoint: '/m', Labels: { a: 'b' }, Scope: 'local', Options: {}, CreatedAt: '2020-01-01T00:00:00Z', UsageData: { Size: 99_999, RefCount: 0 } },
    { Name: 'remote', Driver: 'other', Mountpoint: '', Labels: {}, Scope: 'local', Options: {}, CreatedAt: '2020-01-01T00:00:00Z', UsageData: { Size: -1, RefCount: 0 } },
  ],
  BuildCache: [
    { ID: 'zzz111222333444', Parents: null, Type: 'regular', Description: 'mount / from exec /bin/sh -c echo', InUse: false, Shared: false, Size: 51_000, CreatedAt: '2020-01-01T00:00:00Z', LastUsedAt: '2021-01-01T00:00:00Z', UsageCount: 3 },
    { ID: 'aaa111222333444', Parent: 'zzz111222333444', Parents: ['zzz111222333444'], Type: 'source.local', Description: 'local source for context', InUse: true, Shared: false, Size: 2_000, CreatedAt: '2020-01-01T00:00:00Z', LastUsedAt: null, UsageCount: 1 },
    { ID: 'mmm111222333444', Parents: [], Type: 'internal', Description: 'shared', InUse: false, Shared: true, Size: 7_000_000, CreatedAt: '2020-01-01T00:00:00Z', LastUsedAt: '2021-01-01T00:00:00Z', UsageCount: 9 },
  ],
};

const VERSION = {
  Platform: { Name: 'berth' },
  Components: [
    { Name: 'Engine', Version: '24.0.0-berth', Details: { ApiVersion: '1.43', Arch: 'amd64', BuildTime: '2026-01-02T03:04:05.123Z', Experimental: 'false', GitCommit: 'abc', GoVersion: 'node v20', KernelVersion: '6.1', MinAPIVersion: '1.24', Os: 'linux' } },
    { Name: 'crun', Version: '1.8.1', Details: { GitCommit: 'f00' } },
  ],
  Version: '24.0.0-berth',
  ApiVersion: '1.43',
  MinAPIVersion: '1.24',
  GitCommit: 'abc',
  GoVersion: 'node v20',
  Os: 'linux',
  Arch: 'amd64',
  KernelVersion: '6.1',
  BuildTime: '2026-01-02T03:04:05.123Z',
};

let d: FakeDaemon;
let runner: CliRunner;
let buildPrune = true;

before(async () => {
  d = await FakeDaemon.start('1.43');
  d.on('GET /system/df', (_q, res) => d.json(res, 200, DF));
  d.on('GET /version', (_q, res) => d.json(res, 200, VERSION));
  d.on('POST /containers/prune', (_q, res) => d.json(res, 200, { ContainersDeleted: [hex('b'), hex('c')], SpaceReclaimed: 5_000 }));
  d.on('POST /networks/prune', (_q, res) => d.json(res, 200, { NetworksDeleted: ['n1'] }));
  d.on('POST /volumes/prune', (_q, res) => d.json(res, 200, { VolumesDeleted: [hex('7')], SpaceReclaimed: 99_999 }));
  d.on('POST /images/prune', (q, res) =>
    d.json(res, 200, q.query.get('filters')?.includes('"false"') || q.query.get('filters')?.includes('"false":true')
      ? { ImagesDeleted: [{ Untagged: 'app:v1' }, { Deleted: `sha256:${hex('1')}` }], SpaceReclaimed: 5_000_000 }
      : { ImagesDeleted: null, SpaceReclaimed: 0 }),
  );
  d.on('POST /build/prune', (_q, res) => (buildPrune ? d.json(res, 200, { CachesDeleted: ['zzz111222333444'], SpaceReclaimed: 51_000 }) : d.error(res, 404, 'page not found')));
  d.on('POST /containers/:id/stop', (q, res) => {
    if (q.path.includes('nope')) return d.error(res, 404, 'No such container: nope');
    res.writeHead(q.path.includes('stopped') ? 304 : 204).end();
  });
  d.on('POST /containers/:id/start', (q, res) => void res.writeHead(q.path.includes('stopped') ? 204 : 304).end());
  d.on('GET /containers/:id/json', (_q, res) => d.json(res, 200, { Id: hex('a'), Name: '/web', Config: { Tty: false }, State: { Running: true } }));
  d.on('GET /containers/:id/logs', (_q, res) => {
    res.writeHead(200);
    res.end(encodeFrame(1, 'line\n'));
  });
  runner = new CliRunner(d);
});
after(async () => {
  runner.close();
  await d.stop();
});

/** Calls with their queries (filters compared as sets, in either of Go's two forms). */
function calls(rs: SeenRequest[]): string[] {
  const norm = (v: string): string => {
    const f = JSON.parse(v) as Record<string, string[] | Record<string, boolean>>;
    return JSON.stringify(Object.fromEntries(Object.entries(f).sort().map(([k, x]) => [k, (Array.isArray(x) ? x : Object.keys(x)).sort()])));
  };
  return rs.filter((r) => r.path !== '/_ping').map((r) => `${r.method} ${r.path}?${[...r.query].map(([k, v]) => `${k}=${k === 'filters' && v ? norm(v) : v}`).sort().join('&')}`);
}

const CASES: { args: string[]; input?: string }[] = [
  { args: ['system', 'df'] },
  { args: ['system', 'df', '-v'] },
  { args: ['system', 'df', '--format', 'json'] },
  { args: ['system', 'df', '-v', '--format', 'json'] },
  { args: ['system', 'df', '--format', '{{.Type}}: {{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}}'] },
  { args: ['system', 'df', '--format', 'table {{.Type}}\\t{{.Reclaimable}}'] },
  { args: ['system', 'df', '--format', 'raw'] },
  { args: ['system', 'df', '-v', '--format', '{{range .Images}}{{.Repository}}:{{.Tag}} {{end}}|{{range .Containers}}{{.Names}} {{.Size}} {{end}}|{{range .BuildCache}}{{.ID}} {{.Parent}} {{end}}'] },
  { args: ['system', 'df', 'extra'] },
  { args: ['system', 'prune', '-f'] },
  { args: ['system', 'prune', '-a', '--volumes', '-f', '--filter', 'label=a=b'] },
  { args: ['system', 'prune'], input: 'y\n' },
  { args: ['system', 'prune', '--volumes', '--filter', 'label!=keep', '--filter', 'until=24h', '--filter', 'label=a'], input: 'n\n' },
  { args: ['system', 'prune', '-a'], input: 'no\n' },
  { args: ['system', 'prune'] },
  { args: ['system', 'prune', '--volumes', '--filter', 'until=1h'] },
  { args: ['system', 'prune', '--filter', 'nokey'] },
  { args: ['version', '--format', '{{.Server.APIVersion}}'] },
  { args: ['version', '--format', '{{json .Server}}'] },
  { args: ['version', '--format', '{{.Server.Platform.Name}} {{range .Server.Components}}{{.Name}}={{.Version}} {{end}}{{.Server.KernelVersion}}|{{.Server.MinAPIVersion}}|{{.Server.Experimental}}|{{.Server.BuildTime}}'] },
  { args: ['version', '--format', '{{(index .Server.Components 0).Details.BuildTime}} {{.Client.Context}}'] },
  { args: ['stop', 'stopped'] },
  { args: ['stop', 'web', 'stopped', 'nope'] },
  { args: ['start', 'web'] },
  { args: ['logs', '--until', '2023-11-14T22:13:20Z', '--since', '2023-11-14T22:13:20.5+01:00', 'web'] },
  { args: ['logs', '--until', '2023-11-14', 'web'] },
  { args: ['logs', '--until', '2023-11-14T22:13', '--since', '2023-11-14T22', 'web'] },
  { args: ['logs', '--until', '1700000000.5', 'web'] },
  { args: ['logs', '--until', 'yesterday', 'web'] },
  { args: ['logs', '--since', '2023-13-01', 'web'] },
  { args: ['logs', '--since', '2023-02-29T10:00:00Z', 'web'] },
];

for (const c of CASES) {
  test(`same as docker: ${c.args.join(' ')}${c.input ? ` <<< ${JSON.stringify(c.input)}` : ''}`, { skip: !hasDockerCli() && 'no docker CLI to compare with' }, async () => {
    const want = await runner.docker(c.args, c.input);
    const got = await runner.berth(c.args, c.input);
    assert.equal(got.out, want.out, 'stdout');
    assert.equal(got.err, asBerth(want.err), 'stderr');
    assert.equal(got.code, want.code, 'exit code');
    // docker stops containers in parallel: compare those calls as a set
    const order = (x: string[]): string[] => (c.args[0] === 'stop' ? [...x].sort() : x);
    assert.deepEqual(order(calls(got.requests)), order(calls(want.requests)), 'requests');
  });
}

test('system prune without a build cache endpoint still reports the total (docker fails on the 404)', async () => {
  buildPrune = false;
  try {
    const r = await runner.berth(['system', 'prune', '-f']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Deleted Networks:\nn1\n\nTotal reclaimed space: 5kB\n$/);
  } finally {
    buildPrune = true;
  }
});

test('system prune confirmation text', () => {
  assert.equal(
    confirmationMessage({ volumes: true, all: true, filter: { until: ['1h'], label: ['b', 'a=1'] } }),
    'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all anonymous volumes not used by at least one container\n  - all images without at least one container associated to them\n  - all build cache\n\n  Items to be pruned will be filtered with:\n  - label=a=1\n  - label=b\n  - until=1h\n\nAre you sure you want to continue?',
  );
});
