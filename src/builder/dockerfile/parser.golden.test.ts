import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDockerfile, toBuildPlan } from './parser.js';

/**
 * Golden files: testdata/<case>/Dockerfile in, testdata/<case>/expected.json out (the parsed
 * file, or `{ "error": "..." }` with Docker's message). Tests run from dist/, the cases live
 * in src/. `UPDATE_GOLDEN=1` rewrites the expected files (review the diff before keeping it).
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const TESTDATA = join(HERE, '..', '..', '..', '..', 'src', 'builder', 'dockerfile', 'testdata');

function run(text: string): unknown {
  try {
    const parsed = parseDockerfile(text);
    toBuildPlan(parsed);
    return JSON.parse(JSON.stringify(parsed));
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** JSON with sorted keys, so a diff shows only real differences. */
function canonical(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, val: unknown) =>
      val && typeof val === 'object' && !Array.isArray(val)
        ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
        : val,
    2,
  );
}

/** A line diff (longest common subsequence), `-` expected, `+` actual, with 2 lines of context. */
export function lineDiff(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const rows: { op: ' ' | '-' | '+'; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      rows.push({ op: ' ', text: a[i++]! });
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      rows.push({ op: '-', text: a[i++]! });
    } else {
      rows.push({ op: '+', text: b[j++]! });
    }
  }
  const near = (k: number): boolean => rows.slice(Math.max(0, k - 2), k + 3).some((x) => x.op !== ' ');
  const out: string[] = [];
  rows.forEach((r, k) => {
    if (near(k)) out.push(`${r.op} ${r.text}`);
    else if (out[out.length - 1] !== '  ...') out.push('  ...');
  });
  return out.join('\n');
}

/** Compare one case; returns undefined when it matches, else a message with the diff. */
export function checkGolden(name: string, actual: unknown, expected: unknown): string | undefined {
  const want = canonical(expected);
  const got = canonical(actual);
  if (want === got) return undefined;
  return `golden mismatch for ${name} (- expected, + actual):\n${lineDiff(want, got)}`;
}

const cases = readdirSync(TESTDATA).filter((d) => existsSync(join(TESTDATA, d, 'Dockerfile'))).sort();

test('golden cases exist for every instruction and for errors', () => {
  assert.ok(cases.length >= 60, `only ${cases.length} cases found in ${TESTDATA}`);
  const covered = new Set<string>();
  for (const name of cases) {
    const out = run(readFileSync(join(TESTDATA, name, 'Dockerfile'), 'utf8')) as { instructions?: { kind: string }[] };
    for (const ins of out.instructions ?? []) covered.add(ins.kind);
  }
  const all = ['FROM', 'RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'LABEL', 'ENV', 'EXPOSE', 'COPY', 'ADD', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'MAINTAINER'];
  assert.deepEqual(all.filter((k) => !covered.has(k)), []);
});

for (const name of cases) {
  test(`golden: ${name}`, () => {
    const dir = join(TESTDATA, name);
    const actual = run(readFileSync(join(dir, 'Dockerfile'), 'utf8'));
    const file = join(dir, 'expected.json');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, `${canonical(actual)}\n`);
    assert.ok(existsSync(file), `${name}: missing expected.json (run with UPDATE_GOLDEN=1 and review it)`);
    const problem = checkGolden(name, actual, JSON.parse(readFileSync(file, 'utf8')));
    if (problem) assert.fail(problem);
  });
}

test('the golden check fails, with a diff, when the output differs', () => {
  const expected = { instructions: [{ kind: 'RUN', command: { form: 'shell', command: 'echo hi' } }] };
  const actual = run('FROM busybox\nRUN echo bye\n');
  const problem = checkGolden('negative', actual, expected);
  assert.ok(problem, 'a wrong expectation must not pass');
  assert.match(problem, /^- .*"command": "echo hi"/m);
  assert.match(problem, /^\+ .*"command": "echo bye"/m);
  assert.throws(() => {
    if (problem) assert.fail(problem);
  }, /golden mismatch for negative/);
});
