import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasWildcards, pathMatch } from './path-match.js';

test('pathMatch follows Go filepath.Match', () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['*x', 'xxx', true],
    ['*.js', '.js', true],
    ['a.(b)+$', 'a.(b)+$', true],
    // malformed patterns match nothing
    ['[]a]', ']', false],
    ['[-]', '-', false],
    ['[x-]', 'x', false],
    ['[', 'a', false],
    ['[^bc', 'a', false],
    ['a\\', 'a', false],
    ['[z-a]', 'm', false],
  ];
  for (const [pattern, name, want] of cases) assert.equal(pathMatch(pattern, name), want, `${pattern} ~ ${name}`);
});

test('hasWildcards ignores escaped characters', () => {
  assert.equal(hasWildcards('src/*.js'), true);
  assert.equal(hasWildcards('file?.txt'), true);
  assert.equal(hasWildcards('[ab]'), true);
  assert.equal(hasWildcards('a\\*b'), false);
  assert.equal(hasWildcards('plain/path'), false);
});
