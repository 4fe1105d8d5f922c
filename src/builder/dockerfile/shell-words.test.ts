import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandWord, expandWords } from './shell-words.js';

const ENV = { a: 'hello', b: 'world', e: '' };

/** `ENV v=<word>` with `ENV a=hello b=world e=` on Docker 20.10's classic builder, value as inspected. */
const FROM_DOCKER: [string, string][] = [
  ['$a', 'hello'],
  ['${a}', 'hello'],
  ['$a$b', 'helloworld'],
  ['${a}x', 'hellox'],
  ['$ax', ''],
  ['${u:-def}', 'def'],
  ['${e:-def}', 'def'],
  ['${a:-def}', 'hello'],
  ['${u:+alt}', ''],
  ['${a:+alt}', 'alt'],
  ['${e:+alt}', ''],
  ['\\$a', '$a'],
  ["'$a'", '$a'],
  ['"$a"', 'hello'],
  ['"\\$a"', '$a'],
  ['"a\\"b"', 'a"b'],
  ["'a\\b'", 'a\\b'],
  ['"a\\b"', 'a\\b'],
  ['a\\ b', 'a b'],
  ['$', '$'],
  ['$1', ''],
  ['${a:-${b}}', 'hello'],
  ["${a:-'x y'}", 'hello'],
  ['${u:-"$a b"}', 'hello b'],
  ['"${a}"x\'y\'', 'helloxy'],
  ['$a.b', 'hello.b'],
  ['$a_b', ''],
  ['\\\\a', '\\a'],
  ['${u:-a}}', 'a}'],
  ['"\'"', "'"],
  ["'\"'", '"'],
  ['$@', ''],
];

test('expandWord matches Docker for every case measured on the oracle', () => {
  for (const [word, want] of FROM_DOCKER) assert.equal(expandWord(word, ENV), want, word);
});

test('expandWord errors use Docker wording', () => {
  const cases: [string, string][] = [
    ['${a', `failed to process "\${a": missing ':' in substitution`],
    ['${}', 'failed to process "${}": syntax error: bad substitution'],
    ["'unterminated", `failed to process "'unterminated": unexpected end of statement while looking for matching single-quote`],
    ['"open', 'failed to process "\\"open": unexpected end of statement while looking for matching double-quote'],
    ['${a:x}', 'failed to process "${a:x}": unsupported modifier (x) in substitution'],
    ['${a:-x', `failed to process "\${a:-x": syntax error: missing '}'`],
    ['${u:?}', 'failed to process "${u:?}": u: is not allowed to be unset'],
    ['${e:?}', 'failed to process "${e:?}": e: is not allowed to be empty'],
    ['${u:?set it}', 'failed to process "${u:?set it}": u: set it'],
  ];
  for (const [word, message] of cases) {
    assert.throws(() => expandWord(word, ENV), (err: Error) => err.message === message, word);
  }
});

test('colon-less modifiers distinguish empty from unset (newer Docker)', () => {
  assert.equal(expandWord('${e-def}', ENV), '');
  assert.equal(expandWord('${u-def}', ENV), 'def');
  assert.equal(expandWord('${e+alt}', ENV), 'alt');
  assert.equal(expandWord('${u+alt}', ENV), '');
  assert.equal(expandWord('${a:?x}', ENV), 'hello');
});

test('env may be a k=v list (later wins), a Map or a record', () => {
  assert.equal(expandWord('$x', ['x=1', 'x=2']), '2');
  assert.equal(expandWord('$x', new Map([['x', 'm']])), 'm');
  assert.equal(expandWord('$toString', {}), '');
  assert.equal(expandWord('$X', { x: 'lower' }), '', 'names are case-sensitive');
});

test('expandWords splits on unquoted blanks and inside expanded values, never inside quotes', () => {
  assert.deepEqual(expandWords('$LIST "a b" c\\ d', { LIST: 'x  y' }), ['x', 'y', 'a b', 'c d']);
  assert.deepEqual(expandWords('  80/tcp   $P  ', { P: '443' }), ['80/tcp', '443']);
  assert.deepEqual(expandWords('"" a', {}), ['a']);
  assert.deepEqual(expandWords("'$a'$a", ENV), ['$ahello']);
  assert.deepEqual(expandWords('', {}), []);
});

test('the backtick escape token', () => {
  assert.equal(expandWord('a`$b c\\d', ENV, { escape: '`' }), 'a$b c\\d');
  assert.equal(expandWord('"q`"q"', ENV, { escape: '`' }), 'q"q');
});

test('raw modes keep quotes and escapes; skipUnsetEnv keeps unknown references', () => {
  assert.deepEqual(expandWords('<<"EOF" \\x', [], { rawQuotes: true, rawEscapes: true }), ['<<"EOF"', '\\x']);
  assert.equal(expandWord('$u ${u} ${u:-d} $a', ENV, { skipUnsetEnv: true }), '$u ${u} ${u:-d} hello');
});
