import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtyBuildRenderer } from './build-progress.js';

test('tty progress: one block per step, output indented, cache state and miss reasons shown', () => {
  let t = 0;
  const out: string[] = [];
  const r = new TtyBuildRenderer((s) => out.push(s), () => t);
  for (const s of ['Step 1/3 : FROM busybox', '\n', ' ---> 0123456789ab\n', 'Step 2/3 : ARG V=1', '\n', ' ---> Using cache\n', ' ---> 0123456789ab\n']) r.write(s);
  t = 1500;
  for (const s of ['Step 3/3 : RUN echo $V', '\n', 'cache miss: RUN echo $V: build arg V changed\n', ' ---> Running in 0123456789ab\n', 'hi\n', 'Removing intermediate container 0123456789ab\n', ' ---> ba9876543210\n']) r.write(s);
  t = 4000;
  r.write('Successfully built ba9876543210\n');
  r.end();
  assert.equal(out.join(''), [
    '[1/3] FROM busybox',
    '  => DONE 0.0s',
    '[2/3] ARG V=1',
    '  => CACHED 1.5s',
    '[3/3] RUN echo $V',
    '  => cache miss: RUN echo $V: build arg V changed',
    '  | hi',
    '  => DONE 2.5s',
    'Successfully built ba9876543210',
    '',
  ].join('\n'));
});

test('tty progress on a terminal: the running step keeps a live status line, erased before output and replaced by the result', () => {
  let t = 0;
  const out: string[] = [];
  const r = new TtyBuildRenderer((s) => out.push(s), () => t, true, 0);
  r.write('Step 1/1 : RUN make\n');
  t = 1200;
  r.tick();
  r.write(' ---> Running in 0123456789ab\nbuilding\n');
  t = 2500;
  r.tick();
  r.write(' ---> ba9876543210\nSuccessfully built ba9876543210\n');
  r.end();
  const C = '\r\x1b[2K';
  assert.equal(out.join(''), [
    '[1/1] RUN make\n', `${C}  => 0.0s`, `${C}  => 1.2s`,
    `${C}  | building\n`, `${C}  => 1.2s`, `${C}  => 2.5s`,
    `${C}  => DONE 2.5s\n`, 'Successfully built ba9876543210\n',
  ].join(''));
});
