import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePs } from './top.js';

test('parsePs keeps the container pids and joins the last column', () => {
  const out = 'UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 10:00 ? 00:00:01 /sbin/init splash\nroot 42 1 0 10:01 ? 00:00:00 sleep 300\nroot 43 42 0 10:01 ? 00:00:00 sh -c echo hi\n';
  assert.deepEqual(parsePs(out, new Set([42, 43])), {
    Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
    Processes: [
      ['root', '42', '1', '0', '10:01', '?', '00:00:00', 'sleep 300'],
      ['root', '43', '42', '0', '10:01', '?', '00:00:00', 'sh -c echo hi'],
    ],
  });
  assert.throws(() => parsePs('USER COMMAND\nroot x\n', new Set([1])), /Couldn't find PID field in ps output/);
});
