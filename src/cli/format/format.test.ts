import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerSummary, ImageSummary } from '../../api/types.js';
import { PS_HEADERS, PS_TABLE, PS_TABLE_SIZE, containerContext, formatPorts } from './container-context.js';
import { parseFormat, renderFormat } from './formatter.js';
import { IMAGES_HEADERS, IMAGES_TABLE, imageContexts } from './image-context.js';
import { tabwrite } from './tabwriter.js';
import { bytesSize, ellipsis, formatG, humanDuration, humanSize, parseRamBytes, shortId } from './units.js';

const NOW = 1_700_000_000_000;
const secs = NOW / 1000;

const containers: ContainerSummary[] = [
  {
    Id: 'a'.repeat(64), Names: ['/web'], Image: 'busybox', ImageID: 'sha256:' + 'b'.repeat(64), Command: "sh -c 'echo hello; sleep 100'", Created: secs - 5,
    Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 443, Type: 'tcp' }],
    Labels: { a: '1', b: '2' }, State: 'running', Status: 'Up 4 seconds', HostConfig: { NetworkMode: 'default' }, NetworkSettings: { Networks: { bridge: {} } }, Mounts: [], SizeRw: 12345, SizeRootFs: 4261000,
  },
  {
    Id: 'c'.repeat(64), Names: ['/db', '/web/db'], Image: 'sha256:' + 'd'.repeat(64), ImageID: 'sha256:' + 'd'.repeat(64), Command: 'ls', Created: secs - 7300,
    Ports: [], Labels: {}, State: 'exited', Status: 'Exited (0) 2 hours ago', HostConfig: { NetworkMode: 'none' }, NetworkSettings: { Networks: {} }, Mounts: [],
  },
];

// Golden output captured from the official docker CLI v28 against the same data.
const PS_GOLDEN = [
  'CONTAINER ID   IMAGE          COMMAND                  CREATED         STATUS                   PORTS                                              NAMES',
  `aaaaaaaaaaaa   busybox        "sh -c 'echo hello; …"   5 seconds ago   Up 4 seconds             443/tcp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp   web`,
  'cccccccccccc   dddddddddddd   "ls"                     2 hours ago     Exited (0) 2 hours ago                                                      db',
  '',
].join('\n');

test('ps table matches docker byte for byte', () => {
  const rows = containers.map((c) => containerContext(c, { trunc: true, now: NOW }));
  assert.equal(renderFormat(parseFormat(undefined, PS_TABLE), rows, PS_HEADERS), PS_GOLDEN);
});

test('ps -s adds SIZE with virtual size', () => {
  const rows = containers.map((c) => containerContext(c, { trunc: true, now: NOW }));
  const out = renderFormat(parseFormat('', PS_TABLE_SIZE), rows, PS_HEADERS).split('\n');
  assert.match(out[0]!, /NAMES     SIZE$/);
  assert.match(out[1]!, /web       12\.3kB \(virtual 4\.26MB\)$/);
  assert.match(out[2]!, /db        0B$/);
});

test('ps --no-trunc keeps full ids, commands and link names', () => {
  const ctx = containerContext(containers[1]!, { trunc: false, now: NOW });
  assert.equal(ctx.ID, 'c'.repeat(64));
  assert.equal(ctx.Image, 'sha256:' + 'd'.repeat(64));
  assert.equal(ctx.Names, 'db,web/db');
});

test('ps custom table and json formats', () => {
  const rows = containers.map((c) => containerContext(c, { trunc: true, now: NOW }));
  assert.equal(
    renderFormat(parseFormat('table {{.ID}}\\t{{.Names}}\\t{{.Labels}}', ''), rows, PS_HEADERS),
    'CONTAINER ID   NAMES     LABELS\naaaaaaaaaaaa   web       a=1,b=2\ncccccccccccc   db        \n',
  );
  const json = renderFormat(parseFormat('json', ''), rows.slice(0, 1), PS_HEADERS);
  assert.equal(
    json,
    '{"Command":"\\"sh -c \'echo hello; …\\"","CreatedAt":' + JSON.stringify(rows[0]!.CreatedAt) +
      ',"ID":"aaaaaaaaaaaa","Image":"busybox","Labels":"a=1,b=2","LocalVolumes":"0","Mounts":"","Names":"web","Networks":"bridge","Platform":null,' +
      '"Ports":"443/tcp, 0.0.0.0:8080-\\u003e80/tcp, [::]:8080-\\u003e80/tcp","RunningFor":"5 seconds ago","Size":"12.3kB (virtual 4.26MB)","State":"running","Status":"Up 4 seconds"}\n',
  );
  assert.equal(renderFormat(parseFormat('{{.Names}} {{.Label "a"}}', ''), rows, PS_HEADERS), 'web 1\ndb \n');
});

test('images table matches docker', () => {
  const images: ImageSummary[] = [
    { Id: 'sha256:' + 'e'.repeat(64), ParentId: '', RepoTags: ['busybox:latest', 'localhost:5000/bb:1.0'], RepoDigests: [], Created: secs - 90, Size: 4261000, SharedSize: -1, Labels: {}, Containers: -1 },
    { Id: 'sha256:' + '1'.repeat(64), ParentId: '', RepoTags: [], RepoDigests: [], Created: secs - 86400 * 20, Size: 999999, SharedSize: -1, Labels: {}, Containers: -1 },
  ];
  const rows = images.flatMap((i) => imageContexts(i, { trunc: true, digests: false, now: NOW }));
  assert.equal(
    renderFormat(parseFormat(undefined, IMAGES_TABLE), rows, IMAGES_HEADERS),
    [
      'REPOSITORY          TAG       IMAGE ID       CREATED              SIZE',
      'busybox             latest    eeeeeeeeeeee   About a minute ago   4.26MB',
      'localhost:5000/bb   1.0       eeeeeeeeeeee   About a minute ago   4.26MB',
      '<none>              <none>    111111111111   2 weeks ago          1e+03kB',
      '',
    ].join('\n'),
  );
});

test('ports display folds ranges and lists host mappings last', () => {
  assert.equal(
    formatPorts([
      { PrivatePort: 81, Type: 'tcp' },
      { PrivatePort: 80, Type: 'tcp' },
      { PrivatePort: 53, Type: 'udp' },
      { IP: '127.0.0.1', PrivatePort: 22, PublicPort: 2222, Type: 'tcp' },
    ]),
    '53/udp, 80-81/tcp, 127.0.0.1:2222->22/tcp',
  );
});

test('units: human sizes and durations like go-units', () => {
  const sizes: [number, string][] = [[0, '0B'], [999, '999B'], [1000, '1kB'], [12345, '12.3kB'], [4261000, '4.26MB'], [999999, '1e+03kB'], [1.5e9, '1.5GB']];
  for (const [n, s] of sizes) assert.equal(humanSize(n), s, `size ${n}`);
  assert.equal(humanSize(4261000, 4), '4.261MB');
  assert.equal(bytesSize(27_165_000_000), '25.3GiB');
  assert.equal(bytesSize(1024), '1KiB');
  const durs: [number, string][] = [[500, 'Less than a second'], [1000, '1 second'], [2000, '2 seconds'], [59_000, '59 seconds'], [60_000, 'About a minute'], [119_000, 'About a minute'], [120_000, '2 minutes'],
    [3_599_000, '59 minutes'], [3_600_000, 'About an hour'], [3 * 3_600_000, '3 hours'], [47 * 3_600_000, '47 hours'], [3 * 86_400_000, '3 days'], [20 * 86_400_000, '2 weeks'], [90 * 86_400_000, '3 months'], [800 * 86_400_000, '2 years']];
  for (const [ms, s] of durs) assert.equal(humanDuration(ms), s, `duration ${ms}`);
  assert.equal(formatG(0.000012345, 3), '1.23e-05');
  assert.equal(parseRamBytes('512m'), 512 * 1024 * 1024);
  assert.equal(parseRamBytes('1g'), 1024 ** 3);
  assert.equal(parseRamBytes('100'), 100);
  assert.throws(() => parseRamBytes('lots'));
  assert.equal(ellipsis('abcdef', 4), 'abc…');
  assert.equal(ellipsis('abc', 4), 'abc');
  assert.equal(shortId('sha256:0123456789abcdef'), '0123456789ab');
});

test('tabwriter: min width 10, padding 3, last cell unpadded', () => {
  assert.equal(tabwrite('A\tB\tC\nlonger-cell\tx\ty\n'), 'A             B         C\nlonger-cell   x         y\n');
});
