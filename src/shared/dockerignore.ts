import { posix } from 'node:path';
import ignore from '@balena/dockerignore';

/** One cleaned `.dockerignore` line: `!` lines are exceptions (they re-include). */
export interface IgnorePattern {
  pattern: string;
  exclusion: boolean;
}

/** Per-pattern results for a directory, handed to its children during a walk. */
export interface WalkMatch {
  excluded: boolean;
  parentMatched: boolean[];
}

/**
 * The part of @balena/dockerignore we use: its parsed rules (Docker's line cleaning: `#`
 * comments, trimming, `!`, filepath.Clean, leading `/` dropped) and its per-rule matcher
 * (Docker's pattern-to-regexp translation, `**` included). Its own `ignores()` combines rules
 * the way Docker 19.03 did; Docker since 20.10 combines them with the parent directory's
 * results (a later `!dir` no longer re-includes `dir/x.md` already matched by `**\/*.md`;
 * checked against Docker), so the combination is done here.
 */
interface BalenaRule {
  pattern: string;
  negative: boolean;
}
interface BalenaInternals {
  _rules: BalenaRule[];
  _match(file: string, rule: BalenaRule): boolean;
}

function balena(lines: string[]): BalenaInternals {
  const ig = ignore.default({ ignorecase: false }).add(lines) as unknown as BalenaInternals;
  if (!Array.isArray(ig._rules) || typeof ig._match !== 'function') {
    throw new Error('failed to load .dockerignore matcher: unexpected @balena/dockerignore version');
  }
  return ig;
}

/**
 * `.dockerignore` rules with Docker's matching.
 *
 * @example
 *   const ig = DockerIgnore.parse('node_modules\n*.md\n!README.md\n');
 *   ig.matches('node_modules/x/index.js'); // true (excluded)
 *   ig.matches('README.md');               // false
 */
export class DockerIgnore {
  private constructor(
    private readonly matcher: BalenaInternals,
    private readonly lines: string[],
  ) {}

  /** Parse a `.dockerignore` file (BOM, comments and blank lines as Docker reads them). */
  static parse(text: string): DockerIgnore {
    const body = text.startsWith('\ufeff') ? text.slice(1) : text;
    const lines = body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    return new DockerIgnore(balena(lines), lines);
  }

  get patterns(): IgnorePattern[] {
    return this.matcher._rules.map((r) => ({ pattern: r.pattern, exclusion: r.negative }));
  }

  get hasExclusions(): boolean {
    return this.matcher._rules.some((r) => r.negative);
  }

  /** The same rules plus exceptions that keep `paths` (how the CLI always sends the Dockerfile). */
  keeping(paths: string[]): DockerIgnore {
    const extra = paths.filter((p) => this.matches(p)).map((p) => `!${p}`);
    return extra.length ? new DockerIgnore(balena([...this.lines, ...extra]), [...this.lines, ...extra]) : this;
  }

  private test(path: string, rule: BalenaRule): boolean {
    return this.matcher._match(path, rule);
  }

  /** Whether one path is excluded, its parent directories considered (Docker's MatchesOrParentMatches). */
  matches(path: string): boolean {
    return this.matchesTop(posix.normalize(path)).excluded;
  }

  /**
   * One step of a walk (parents before children), reusing the parent directory's results
   * as Docker's archiver does (MatchesUsingParentResults). Pass undefined for top-level paths.
   */
  matchInWalk(path: string, parent: WalkMatch | undefined): WalkMatch {
    if (!parent) return this.matchesTop(path);
    const rules = this.matcher._rules;
    const parentMatched = new Array<boolean>(rules.length).fill(false);
    let matched = false;
    rules.forEach((rule, i) => {
      let match = parent.parentMatched[i] ?? false;
      if (!match) {
        if (rule.negative !== matched) return;
        match = this.test(path, rule);
      }
      parentMatched[i] = match;
      if (match) matched = !rule.negative;
    });
    return { excluded: matched, parentMatched };
  }

  private matchesTop(path: string): WalkMatch {
    const rules = this.matcher._rules;
    const parentMatched = new Array<boolean>(rules.length).fill(false);
    const parent = posix.dirname(path);
    const parentDirs = parent === '.' ? [] : parent.split('/');
    let matched = false;
    rules.forEach((rule, i) => {
      if (rule.negative !== matched) return;
      let match = this.test(path, rule);
      for (let k = 1; !match && k <= parentDirs.length; k++) match = this.test(parentDirs.slice(0, k).join('/'), rule);
      parentMatched[i] = match;
      if (match) matched = !rule.negative;
    });
    return { excluded: matched, parentMatched };
  }

  /** An excluded directory can be skipped whole unless an exception pattern starts inside it. */
  canSkipDir(dir: string): boolean {
    if (!this.hasExclusions) return true;
    const prefix = `${dir}/`;
    return !this.matcher._rules.some((r) => r.negative && `${r.pattern}/`.startsWith(prefix));
  }
}

/** An entry of a directory walk, parents before children. */
export interface WalkEntry {
  path: string;
  dir: boolean;
}

/**
 * What the docker CLI sends for a directory context: the walk filtered by `.dockerignore`,
 * the Dockerfile and `.dockerignore` always included. `entries` must be in walk order.
 *
 * @example selectContextPaths(walk(dir), DockerIgnore.parse(text), 'Dockerfile');
 */
export function selectContextPaths(entries: Iterable<WalkEntry>, rules: DockerIgnore, dockerfile = 'Dockerfile'): string[] {
  const ig = rules.keeping(['.dockerignore', dockerfile]);
  const dirInfo = new Map<string, WalkMatch>();
  const skipped: string[] = [];
  const sent: string[] = [];
  for (const { path, dir } of entries) {
    if (skipped.some((s) => path.startsWith(`${s}/`))) continue;
    const parent = posix.dirname(path);
    const info = ig.matchInWalk(path, parent === '.' ? undefined : dirInfo.get(parent));
    if (dir) dirInfo.set(path, info);
    if (info.excluded) {
      if (dir && ig.canSkipDir(path)) skipped.push(path);
      continue;
    }
    sent.push(path);
  }
  return sent;
}
