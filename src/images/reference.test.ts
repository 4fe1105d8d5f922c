import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { familiarString, normalize, parseReference, withDefaultTag } from './reference.js';
import { chainIds } from './unpack.js';
import { applyChanges } from './changes.js';
import { familiarMatch, globToRegExp } from './image-filters.js';

const D = 'sha256:' + 'a'.repeat(64);

test('parseReference normalizes like docker', () => {
  const table: [string, string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['index.docker.io/library/busybox:x', 'docker.io/library/busybox:x', 'busybox:x'],
    ['user/app:v1', 'docker.io/user/app:v1', 'user/app:v1'],
    ['localhost:5000/a/b:t', 'localhost:5000/a/b:t', 'localhost:5000/a/b:t'],
    ['localhost/x', 'localhost/x:latest', 'localhost/x:latest'],
    ['quay.io/x/y', 'quay.io/x/y:latest', 'quay.io/x/y:latest'],
    [`busybox@${D}`, `docker.io/library/busybox@${D}`, `busybox@${D}`],
    [`busybox:1@${D}`, `docker.io/library/busybox:1@${D}`, `busybox:1@${D}`],
    ['[::1]:5000/x:y', '[::1]:5000/x:y', '[::1]:5000/x:y'],
    ['a__b/c-d.e_f:T.1-x', 'docker.io/a__b/c-d.e_f:T.1-x', 'a__b/c-d.e_f:T.1-x'],
  ];
  for (const [input, full, fam] of table) {
    assert.equal(normalize(input), full, input);
    assert.equal(familiarString(withDefaultTag(parseReference(input))), fam, input);
  }
  assert.deepEqual(parseReference('localhost:5000/a/b:t'), { domain: 'localhost:5000', path: 'a/b', tag: 't' });
  assert.deepEqual(parseReference('busybox'), { domain: 'docker.io', path: 'library/busybox' });
});

test('parseReference rejects with docker wording', () => {
  assert.throws(() => parseReference('Busybox'), { message: 'invalid reference format: repository name must be lowercase' });
  assert.throws(() => parseReference('docker.io/Foo/bar:t'), { message: 'invalid reference format: repository name must be lowercase' });
  for (const bad of ['busybox:', 'a:b:c', '-x', 'x/', 'x//y', 'x y', 'busybox:' + 'a'.repeat(129), 'x@sha256:zz']) {
    assert.throws(() => parseReference(bad), (e: Error & { kind?: string }) => e.kind === 'invalid-argument' && e.message.startsWith('invalid reference format'), bad);
  }
  assert.throws(() => parseReference('a'.repeat(64)), /cannot specify 64-byte hexadecimal strings/);
  assert.throws(() => parseReference('x'.repeat(256)), /must not be more than 255 characters/);
});

test('chainIds follow the OCI definition', () => {
  const d0 = 'sha256:' + '1'.repeat(64);
  const d1 = 'sha256:' + '2'.repeat(64);
  const ids = chainIds([d0, d1]);
  assert.equal(ids[0], d0);
  assert.equal(ids[1], 'sha256:' + createHash('sha256').update(`${d0} ${d1}`).digest('hex'));
});

test('applyChanges handles JSON and shell forms', () => {
  const c = applyChanges({ Env: ['A=0'] }, [
    'CMD ["sh","-c","echo hi"]',
    'ENTRYPOINT /bin/tini --',
    'ENV A=1 B="two words"',
    'ENV C three words',
    'EXPOSE 80 53/udp',
    'LABEL x=y "z"="w"',
    'USER nobody',
    'WORKDIR /srv',
    'WORKDIR app',
    'VOLUME ["/data"]',
    'STOPSIGNAL SIGINT',
    'ONBUILD RUN true',
  ]);
  assert.deepEqual(c.Cmd, ['sh', '-c', 'echo hi']);
  assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c', '/bin/tini --']);
  assert.deepEqual(c.Env, ['A=1', 'B=two words', 'C=three words']);
  assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(c.Labels, { x: 'y', z: 'w' });
  assert.equal(c.User, 'nobody');
  assert.equal(c.WorkingDir, '/srv/app');
  assert.deepEqual(c.Volumes, { '/data': {} });
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.OnBuild, ['RUN true']);
  assert.throws(() => applyChanges({}, ['RUN echo']), { message: 'run is not a valid change command' });
});

test('reference filter globs like path.Match', () => {
  assert.ok(globToRegExp('busy*').test('busybox'));
  assert.ok(!globToRegExp('*').test('a/b'));
  assert.ok(familiarMatch('busybox', 'docker.io/library/busybox:latest'));
  assert.ok(familiarMatch('busybox:lat*', 'docker.io/library/busybox:latest'));
  assert.ok(!familiarMatch('busybox:1*', 'docker.io/library/busybox:latest'));
  assert.ok(familiarMatch('localhost:5000/*', 'localhost:5000/x:y'));
});
