import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges, parseChangeLines } from './changes.js';
import { expandWord, splitWords } from './shell-words.js';

/** Expected results below were taken from dockerd 20.10 (`docker commit -c ...`). */
const base = { Env: ['HOME=/root', 'X=/x'], Cmd: ['true'] };

test('change lines: comments, blank lines, continuations, case', () => {
  assert.deepEqual(parseChangeLines(['cmd echo hi']), [{ instr: 'cmd', rest: 'echo hi' }]);
  assert.deepEqual(parseChangeLines(['CMD echo \\\n hi']), [{ instr: 'cmd', rest: 'echo  hi' }]);
  assert.deepEqual(parseChangeLines(['# c\nENV A=x\n\nCMD y']), [
    { instr: 'env', rest: 'A=x' },
    { instr: 'cmd', rest: 'y' },
  ]);
  assert.deepEqual(parseChangeLines([]), []);
  assert.throws(() => parseChangeLines(['']), { message: 'file with no instructions' });
  assert.throws(() => parseChangeLines([' # comment']), { message: 'file with no instructions' });
});

test('CMD and ENTRYPOINT: exec and shell forms, ENTRYPOINT resets an unset CMD', () => {
  assert.deepEqual(applyChanges(base, ['CMD ["x"]']).Cmd, ['x']);
  assert.deepEqual(applyChanges(base, ['cmd echo hi']).Cmd, ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(applyChanges(base, ['CMD']).Cmd, ['/bin/sh', '-c']);
  assert.deepEqual(applyChanges(base, ['CMD ["a"']).Cmd, ['/bin/sh', '-c', '["a"']);
  assert.throws(() => applyChanges(base, ['CMD ["a", 1]']), { message: 'when using JSON array syntax, arrays must be comprised of strings only' });
  const ep = applyChanges(base, ['ENTRYPOINT ["a"]']);
  assert.deepEqual([ep.Entrypoint, ep.Cmd], [['a'], null]);
  const both = applyChanges(base, ['CMD ["c"]', 'ENTRYPOINT /bin/tini --']);
  assert.deepEqual([both.Entrypoint, both.Cmd], [['/bin/sh', '-c', '/bin/tini --'], ['c']]);
  assert.equal(applyChanges(base, ['ENTRYPOINT']).Entrypoint, null);
});

test('ENV and LABEL: both syntaxes, quotes, escapes, expansion against the env before the line', () => {
  assert.deepEqual(applyChanges(base, ['ENV A="b c" D=e\\ f']).Env, ['HOME=/root', 'X=/x', 'A=b c', 'D=e f']);
  assert.deepEqual(applyChanges(base, ['ENV A B C']).Env, ['HOME=/root', 'X=/x', 'A=B C']);
  assert.deepEqual(applyChanges(base, ['ENV A=$HOME B=${A}x']).Env, ['HOME=/root', 'X=/x', 'A=/root', 'B=x']);
  assert.deepEqual(applyChanges(base, ['ENV A=1', 'ENV B=${A}x C=${NOPE:-d} D=\'$A\'']).Env, ['HOME=/root', 'X=/x', 'A=1', 'B=1x', 'C=d', 'D=$A']);
  assert.deepEqual(applyChanges(base, ['ENV HOME=/home']).Env, ['HOME=/home', 'X=/x'], 'replaced in place');
  assert.throws(() => applyChanges(base, ['ENV']), { message: 'ENV requires at least one argument' });
  assert.throws(() => applyChanges(base, ['ENV A']), { message: 'ENV must have two arguments' });
  assert.throws(() => applyChanges(base, ['ENV A=1 B']), { message: 'Syntax error - can\'t find = in "B". Must be of the form: name=value' });
  assert.throws(() => applyChanges(base, ['ENV A="b']), { message: 'failed to process "\\"b": unexpected end of statement while looking for matching double-quote' });
  assert.deepEqual(applyChanges(base, ['LABEL "a b"=c', 'LABEL x=y z=$X']).Labels, { 'a b': 'c', x: 'y', z: '/x' });
  assert.throws(() => applyChanges(base, ['LABEL a']), { message: 'LABEL must have two arguments' });
});

test('EXPOSE, VOLUME, USER, WORKDIR, ONBUILD, STOPSIGNAL, HEALTHCHECK', () => {
  assert.deepEqual(applyChanges(base, ['EXPOSE 80 90/udp 1000-1001']).ExposedPorts, { '80/tcp': {}, '90/udp': {}, '1000/tcp': {}, '1001/tcp': {} });
  assert.throws(() => applyChanges(base, ['EXPOSE abc']), { message: 'Invalid containerPort: abc' });
  assert.throws(() => applyChanges(base, ['EXPOSE 80/foo']), { message: 'Invalid proto: foo' });
  assert.deepEqual(applyChanges(base, ['VOLUME ["/a", "/b"]']).Volumes, { '/a': {}, '/b': {} });
  assert.deepEqual(applyChanges(base, ['VOLUME /a $X']).Volumes, { '/a': {}, '/x': {} });
  assert.throws(() => applyChanges(base, ['VOLUME']), { message: 'VOLUME requires at least one argument' });
  assert.equal(applyChanges(base, ['USER a b']).User, 'a b');
  assert.throws(() => applyChanges(base, ['USER']), { message: 'USER requires exactly one argument' });
  assert.equal(applyChanges(base, ['WORKDIR rel']).WorkingDir, '/rel');
  assert.equal(applyChanges(base, ['WORKDIR $X/y', 'WORKDIR z']).WorkingDir, '/x/y/z');
  assert.throws(() => applyChanges(base, ['WORKDIR']), { message: 'WORKDIR requires exactly one argument' });
  assert.deepEqual(applyChanges(base, ['ONBUILD RUN x', 'ONBUILD cmd x']).OnBuild, ['RUN x', 'cmd x']);
  assert.throws(() => applyChanges(base, ['ONBUILD FROM x']), { message: "FROM isn't allowed as an ONBUILD trigger" });
  assert.throws(() => applyChanges(base, ['ONBUILD']), { message: 'ONBUILD requires at least one argument' });
  assert.equal(applyChanges(base, ['STOPSIGNAL SIGINT']).StopSignal, 'SIGINT');
  assert.deepEqual(applyChanges(base, ['HEALTHCHECK CMD true']).Healthcheck, { Test: ['CMD-SHELL', 'true'] });
  assert.deepEqual(applyChanges(base, ['HEALTHCHECK --interval=5s --retries=2 CMD ["cat", "/x"]']).Healthcheck, { Test: ['CMD', 'cat', '/x'], Interval: 5e9, Retries: 2 });
  assert.deepEqual(applyChanges(base, ['HEALTHCHECK NONE']).Healthcheck, { Test: ['NONE'] });
});

test('instructions a change may not use; the base config is not modified', () => {
  for (const [line, instr] of [['FOO bar', 'foo'], ['RUN bar', 'run'], ['ARG x', 'arg'], ['MAINTAINER x', 'maintainer'], ['FROM busybox', 'from']]) {
    assert.throws(() => applyChanges(base, [line!]), { message: `${instr} is not a valid change command` });
  }
  assert.throws(() => applyChanges(base, ['ENV A=1', 'COPY a b']), { message: 'copy is not a valid change command' });
  applyChanges(base, ['ENV Z=1', 'CMD ["z"]']);
  assert.deepEqual(base, { Env: ['HOME=/root', 'X=/x'], Cmd: ['true'] });
});

test('shell words: splitting keeps quotes for the expander, which removes them', () => {
  assert.deepEqual(splitWords('a="b c" d=\'e f\'  g\\ h'), ['a="b c"', "d='e f'", 'g\\ h']);
  const env = (n: string): string | undefined => ({ A: '1', E: '' })[n];
  assert.equal(expandWord('"$A"x\\$A\'$A\'', env), '1x$A$A');
  assert.equal(expandWord('${E:-d}${E-d}${A:+p}${N+p}$', env), 'dp$');
  assert.equal(expandWord('"a\\"b\\c"', env), 'a"b\\c');
});
