import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveUser } from './resolve-user.js';
import { secureJoin } from './secure-join.js';

let dir: string;
let root: string;
let evil: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-user-'));
  root = join(dir, 'rootfs');
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\n# comment\nnobody:x:65534:65534:nobody:/:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nwheel:x:10:root\nstaff:x:50:app,other\napp:x:1000:\nnogroup:x:65534:\n');
  // a rootfs whose /etc is a symlink pointing outside: must resolve inside the rootfs, not the host
  evil = join(dir, 'evil');
  await mkdir(join(evil, 'inside/etc'), { recursive: true });
  await writeFile(join(evil, 'inside/etc/passwd'), 'inner:x:4242:4242::/:/bin/sh\n');
  await symlink('/../../../../inside/etc', join(evil, 'etc'));
  await mkdir(join(dir, 'inside/etc'), { recursive: true });
  await writeFile(join(dir, 'inside/etc/passwd'), 'inner:x:1:1::/:/bin/sh\n');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('resolveUser: Docker user spec forms', async () => {
  assert.deepEqual(await resolveUser(root, undefined), { uid: 0, gid: 0, additionalGids: [0, 10] });
  assert.deepEqual(await resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [0, 10] });
  assert.deepEqual(await resolveUser(root, 'nobody'), { uid: 65534, gid: 65534, additionalGids: [65534] });
  assert.deepEqual(await resolveUser(root, 'app'), { uid: 1000, gid: 1000, additionalGids: [1000, 50] });
  assert.deepEqual(await resolveUser(root, '1000'), { uid: 1000, gid: 1000, additionalGids: [1000, 50] });
  assert.deepEqual(await resolveUser(root, '1234'), { uid: 1234, gid: 0, additionalGids: [0] });
  assert.deepEqual(await resolveUser(root, '1234:5678'), { uid: 1234, gid: 5678, additionalGids: [5678] });
  assert.deepEqual(await resolveUser(root, 'app:staff'), { uid: 1000, gid: 50, additionalGids: [50] });
  assert.deepEqual(await resolveUser(root, 'nobody', ['wheel', '77']), { uid: 65534, gid: 65534, additionalGids: [65534, 10, 77] });
});

test('resolveUser: Docker errors', async () => {
  await assert.rejects(resolveUser(root, 'ghost'), { message: 'unable to find user ghost: no matching entries in passwd file' });
  await assert.rejects(resolveUser(root, 'app:ghosts'), { message: 'unable to find group ghosts: no matching entries in group file' });
  await assert.rejects(resolveUser(join(dir, 'no-such-rootfs'), 'app'), { message: 'unable to find user app: no matching entries in passwd file' });
  assert.deepEqual(await resolveUser(join(dir, 'no-such-rootfs'), '5:6'), { uid: 5, gid: 6, additionalGids: [6] });
});

test('resolveUser and secureJoin never leave the rootfs', async () => {
  assert.equal(await secureJoin(evil, '/etc/passwd'), join(evil, 'inside/etc/passwd'));
  assert.equal(await secureJoin(root, '../../../etc/passwd'), join(root, 'etc/passwd'));
  assert.deepEqual(await resolveUser(evil, 'inner'), { uid: 4242, gid: 4242, additionalGids: [4242] });
});
