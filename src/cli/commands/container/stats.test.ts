import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeDaemon, type SeenRequest } from '../../../api-client/testing/fake-daemon.js';
import { entryFromSample, statsContext } from '../../format/stats-context.js';
import { CliRunner, asBerth, hasDockerCli } from '../../testing/cli-runner.js';
import { redraw } from './stats.js';
import { topTable } from './top.js';

const hex = (c: string): string => c.repeat(64);
const CONTAINERS = [
  { Id: hex('a'), Names: ['/web'], State: 'running' },
  { Id: hex('b'), Names: ['/idle'], State: 'exited' },
];

/** A running container's sample: 25% of 2 CPUs, 100 MiB used of 1 GiB (less 4 MiB inactive file), I/O counters. */
const RUNNING = {
  read: '2026-01-01T00:00:01Z',
  preread: '2026-01-01T00:00:00Z',
  name: '/web',
  id: hex('a'),
  pids_stats: { current: 7 },
  blkio_stats: { io_service_bytes_recursive: [{ major: 8, minor: 0, op: 'read', value: 1_234_567 }, { major: 8, minor: 0, op: 'write', value: 42_000 }, { major: 8, minor: 0, op: 'sync', value: 9 }] },
  cpu_stats: { cpu_usage: { total_usage: 600_000_000, percpu_usage: [1, 2] }, system_cpu_usage: 5_000_000_000, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: 350_000_000 }, system_cpu_usage: 3_000_000_000, online_cpus: 2 },
  memory_stats: { usage: 104_857_600 + 4_194_304, limit: 1_073_741_824, stats: { inactive_file: 4_194_304 } },
  networks: { eth0: { rx_bytes: 1_500_000, tx_bytes: 2_048 }, eth1: { rx_bytes: 500, tx_bytes: 0 } },
};
const STOPPED = { read: '0001-01-01T00:00:00Z', preread: '0001-01-01T00:00:00Z', name: '/idle', id: hex('b'), pids_stats: {}, blkio_stats: {}, cpu_stats: { cpu_usage: { total_usage: 0 } }, precpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} };

let d: FakeDaemon;
let runner: CliRunner;

before(async () => {
  d = await FakeDaemon.start('1.43');
  d.on('GET /containers/json', (q, res) => d.json(res, 200, q.query.get('all') === '1' ? CONTAINERS : CONTAINERS.slice(0, 1)));
  d.on('GET /events', (_q, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
  });
  d.on('GET /containers/:id/stats', (q, res) => {
    const id = q.path.split('/')[2]!;
    if (id === 'nope') return d.error(res, 404, 'No such container: nope');
    const sample = id === 'web' || id.startsWith('aaaa') ? RUNNING : STOPPED;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`${JSON.stringify(sample)}\n`);
  });
  d.on('GET /containers/:id/top', (q, res) => {
    if (q.path.includes('nope')) return d.error(res, 404, 'No such container: nope');
    if (q.query.get('ps_args') === '-o pid,comm') return d.json(res, 200, { Titles: ['PID', 'COMMAND'], Processes: [['1', 'sleep'], ['12345678', 'sh']] });
    d.json(res, 200, { Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], Processes: [['root', '1', '0', '0', '10:00', '?', '00:00:00', 'sleep 1000 with a long command line'], ['nobody', '22', '1', '0', '10:01', 'pts/0', '00:00:01', 'sh']] });
  });
  runner = new CliRunner(d);
});
after(async () => {
  runner.close();
  await d.stop();
});

/** `{"k":{"v":true}}` (docker's legacy events form) and `{"k":["v"]}` are the same filter. */
const filters = (v: string): string => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(v) as Record<string, string[] | Record<string, boolean>>).map(([k, x]) => [k, Array.isArray(x) ? x : Object.keys(x)])));
/** The calls made, in a stable order (collectors run concurrently). */
const calls = (rs: SeenRequest[]): string[] =>
  rs
    .filter((r) => r.path !== '/_ping')
    .map((r) => `${r.method} ${r.path}?${[...r.query].map(([k, v]) => `${k}=${k === 'filters' ? filters(v) : v}`).sort().join('&')}`)
    .sort();

const CASES: string[][] = [
  ['top', 'web'],
  ['top', 'web', '-o', 'pid,comm'],
  ['container', 'top', 'web', 'aux'],
  ['top', 'nope'],
  ['top'],
  ['stats', '--no-stream'],
  ['stats', '--no-stream', '-a'],
  ['container', 'stats', '--no-stream', '--no-trunc', 'web', 'idle'],
  ['stats', '--no-stream', '--format', 'json', 'web'],
  ['stats', '--no-stream', '--format', '{{.Container}}|{{.Name}}|{{.ID}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}', 'web', 'idle'],
  ['stats', '--no-stream', '--format', 'table {{.Name}}\\t{{.CPUPerc}}\\t{{.Container}}', 'web'],
  ['stats', '--no-stream', 'nope', 'web'],
  ['stats', '--no-stream', '--bogus'],
];

for (const args of CASES) {
  test(`same as docker: ${args.join(' ')}`, { skip: !hasDockerCli() && 'no docker CLI to compare with' }, async () => {
    const want = await runner.docker(args);
    const got = await runner.berth(args);
    assert.equal(got.out, want.out, 'stdout');
    assert.equal(got.err, asBerth(want.err), 'stderr');
    assert.equal(got.code, want.code, 'exit code');
    assert.deepEqual(calls(got.requests), calls(want.requests), 'requests');
  });
}

test('stats values use docker\'s formulas', () => {
  const s = statsContext(entryFromSample('web', RUNNING, 'linux'), 'linux', true);
  assert.deepEqual({ ...s }, {
    BlockIO: '1.23MB / 42kB',
    CPUPerc: '25.00%',
    Container: 'web',
    ID: 'aaaaaaaaaaaa',
    MemPerc: '9.77%',
    MemUsage: '100MiB / 1GiB',
    Name: 'web',
    NetIO: '1.5MB / 2.05kB',
    PIDs: '7',
  });
  const invalid = statsContext({ ...entryFromSample('x', STOPPED, 'linux'), isInvalid: true, name: '' }, 'linux', false);
  assert.deepEqual([invalid.CPUPerc, invalid.MemUsage, invalid.Name, invalid.PIDs], ['--', '-- / --', '--', '--']);
});

test('the live table is redrawn in place with docker 28\'s exact bytes', () => {
  assert.equal(redraw('A\nB\n'), '\x1b[HA\nB\n\x1b[HA \x1b[K\nB \x1b[K\n \x1b[K\n\x1b[J');
});

test('top aligns columns like docker (min width 20, padding 3)', () => {
  assert.equal(topTable(['PID', 'COMMAND'], [['1', 'sh']]), `PID${' '.repeat(17)}COMMAND\n1${' '.repeat(19)}sh\n`);
});

test('stats of a named container whose stream ends fails with EOF, as docker', async () => {
  const r = await runner.berth(['stats', 'idle']);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'EOF\n');
  assert.equal(r.out, '');
});
