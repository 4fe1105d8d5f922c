/**
 * The berth CLI's exec, top, stats, system df/prune and issue 8's fixes (stop of a stopped
 * container, OOM exit code, binary stdin, logs --until, version --format), compared with the
 * official docker CLI (v28) against the SAME private berthd: each scenario is run once with
 * `docker` and once with `berth`, and the transcripts (stdout, stderr, exit code of every step)
 * must match once ids, times and measured values are replaced by placeholders.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BASE_IMAGE, BerthDaemon, DOCKER_CLI, runCommand } from './harness.js';
import { cliEnv } from './lib/berth-daemon.js';
import { BERTH_JS } from './lib/paths.js';
import { recordTranscript, removeByPrefix, type Scenario, type Step } from './lib/transcript.js';

const P = `bcm${process.pid}`;
const LABEL = `berth-e2e=${P}`;

async function transcript(which: 'docker' | 'berth', socket: string, scenario: Scenario): Promise<Step[]> {
  return normalize(await recordTranscript(which, socket, scenario, () => cleanup(socket)));
}

async function cleanup(socket: string): Promise<void> {
  await removeByPrefix(socket, P);
}

/** Ids, times, PIDs (first or last column) and measured values (CPU, memory, I/O) → placeholders; `docker` → `berth` in stderr. */
function normalize(steps: Step[]): Step[] {
  const ids = new Map<string, string>();
  const id = (full: string): string => {
    if (!ids.has(full)) ids.set(full, `<ID${ids.size + 1}>`);
    return ids.get(full)!;
  };
  const fix = (s: string): string =>
    s
      .replace(/\b[0-9a-f]{64}\b/g, (m) => id(m))
      .replace(/\b[0-9a-f]{12}\b/g, (m) => {
        const full = [...ids.keys()].find((k) => k.startsWith(m));
        return full ? `${id(full)}:short` : id(m);
      })
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<TIME>')
      .replace(/^\d+ +/gm, '<PID> ')
      .replace(/ +\d+$/gm, ' <PID>')
      .replace(/\b\d+(\.\d+)?%/g, '<PCT>')
      .replace(/\b\d+(\.\d+)?(B|kB|MB|GB|KiB|MiB|GiB)\b/g, '<SIZE>')
      .replace(/(About )?(a|an|\d+|Less than a) (second|seconds|minute|minutes|hour|hours)( ago)?/g, '<AGO>');
  const cli = (t: string): string => t.replace(/(?<![.\w])docker(?![.\w])/g, 'berth');
  // help names the program in its usage and alias lines (stdout)
  return steps.map((s) => ({ cmd: fix(s.cmd), code: s.code, out: s.cmd.endsWith('--help') ? cli(s.out) : fix(s.out), err: cli(fix(s.err)) }));
}

async function compare(socket: string, scenario: Scenario): Promise<void> {
  const want = await transcript('docker', socket, scenario);
  const got = await transcript('berth', socket, scenario);
  if (process.env.BERTH_E2E_TRANSCRIPT === '1') for (const s of want) process.stderr.write(`$ ${s.cmd}\n${s.out}${s.err}[exit ${s.code}]\n`);
  assert.equal(got.length, want.length, 'number of steps');
  for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `step ${i + 1}: ${want[i]!.cmd}`);
}

const run = (name: string, ...cmd: string[]): string[] => ['run', '-d', '--name', `${P}-${name}`, '--label', LABEL, '--network', 'none', BASE_IMAGE, ...cmd];

const SCENARIOS: [string, Scenario][] = [
  ['exec', async (cli) => {
    await cli(run('x', 'sleep', '300'));
    await cli(['exec', `${P}-x`, 'echo', 'hello']);
    await cli(['exec', `${P}-x`, 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    await cli(['container', 'exec', '-e', 'A=1', '--env', 'B', '-w', '/tmp', '-u', '1000:1000', `${P}-x`, 'sh', '-c', 'echo $A $B; pwd; id']);
    await cli(['exec', '-i', `${P}-x`, 'sh', '-c', 'cat; echo done'], 'from stdin\n');
    await cli(['exec', '-t', `${P}-x`, 'sh', '-c', 'echo a; echo b >&2']);
    await cli(['exec', '-it', `${P}-x`, 'sh']);
    await cli(['exec', '-d', `${P}-x`, 'sleep', '1']);
    await cli(['exec', `${P}-x`, 'nonexistent-command']);
    await cli(['exec', '-w', '/nonexistent', `${P}-x`, 'pwd']);
    await cli(['exec', `${P}-nope`, 'ls']);
    await cli(['exec', `${P}-x`]);
    await cli(['exec', '-e', '=bad', `${P}-x`, 'ls']);
    await cli(['stop', '-t', '0', `${P}-x`]);
    await cli(['exec', `${P}-x`, 'ls']);
  }],
  ['top and stats', async (cli) => {
    await cli(run('t', 'sleep', '300'));
    await cli(['create', '--name', `${P}-idle`, '--label', LABEL, '--network', 'none', BASE_IMAGE]);
    await cli(['top', `${P}-t`, '-o', 'pid,user,comm,args']);
    await cli(['container', 'top', `${P}-t`, '-o', 'comm,pid']);
    await cli(['top', `${P}-t`, '-o', 'comm']);
    await cli(['top', `${P}-idle`]);
    await cli(['top', `${P}-nope`]);
    await cli(['top']);
    await cli(['stats', '--no-stream', `${P}-t`]);
    await cli(['stats', '--no-stream', '--no-trunc', '--format', '{{.Container}} {{.Name}} {{.ID}} {{.PIDs}} {{.NetIO}}', `${P}-t`, `${P}-idle`]);
    await cli(['container', 'stats', '--no-stream', '--format', 'json', `${P}-t`]);
    await cli(['stats', '--no-stream', `${P}-nope`]);
  }],
  ['system df, prune prompt, ls aliases, version', async (cli) => {
    await cli(run('d', 'sleep', '300'));
    await cli(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}}']);
    await cli(['system', 'df', '-v', '--format', '{{range .Images}}{{.Repository}}:{{.Tag}} {{end}}']);
    await cli(['system', 'df', 'extra']);
    await cli(['system', 'prune', '--filter', `label=${LABEL}`], 'n\n');
    await cli(['system', 'prune', '-a', '--volumes', '--filter', `label=${LABEL}`, '--filter', 'until=1h']);
    await cli(['container', 'ls', '-q', '--filter', `name=${P}-d`]);
    await cli(['container', 'list', '-q', '--filter', `name=${P}-d`]);
    await cli(['container', 'ps', '-q', '--filter', `name=${P}-d`]);
    await cli(['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}/{{.Server.Arch}}']);
  }],
  ['stop of a stopped container, OOM exit code, logs --until', async (cli) => {
    await cli(['create', '--name', `${P}-s`, '--label', LABEL, '--network', 'none', BASE_IMAGE]);
    await cli(['stop', `${P}-s`]);
    await cli(['start', `${P}-s`]);
    await cli(['stop', `${P}-s`]);
    await cli(['run', '--name', `${P}-oom`, '--label', LABEL, '--network', 'none', '-m', '8m', '--memory-swap', '8m', BASE_IMAGE, 'tail', '/dev/zero']);
    await cli(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', `${P}-oom`]);
    await cli(['run', '--name', `${P}-l`, '--label', LABEL, '--network', 'none', BASE_IMAGE, 'echo', 'logged']);
    const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await cli(['logs', '--until', later, `${P}-l`]);
    await cli(['logs', '--until', '2000-01-01T00:00:00Z', `${P}-l`]);
    await cli(['logs', '--since', '2000-01-01', '--until', '5m', `${P}-l`]);
    await cli(['logs', '--until', '2000-13-01', `${P}-l`]);
  }],
  ['--format errors: Go template texts, each command\'s prefix and exit code', async (cli) => {
    await cli(run('f', 'sleep', '300'));
    await cli(['ps', '--format', '{{.Foo}}']);
    await cli(['ps', '-a', '--filter', 'name=nothing-matches', '--format', 'table {{.ID}}\\t{{.Foo.Bar}}']);
    await cli(['ps', '--format', '{{.Names']);
    await cli(['ps', '--format', '{{.ID | nofunc}}']);
    await cli(['ps', '--format', '{{if .ID}}']);
    await cli(['images', '--format', '{{.Foo}}']);
    await cli(['images', '--format', 'x\n{{end}}']);
    await cli(['volume', 'ls', '--format', '{{.Foo}}']);
    await cli(['network', 'ls', '--format', '{{.Foo}}']);
    await cli(['history', '--format', '{{.Foo}}', BASE_IMAGE]);
    await cli(['system', 'df', '--format', '{{.Foo}}']);
    await cli(['inspect', '-f', '{{.Foo}}', `${P}-f`]);
    await cli(['container', 'inspect', '-f', '{{.State.Foo}}', `${P}-f`]);
    await cli(['inspect', '-f', '{{.Foo', `${P}-f`]);
    await cli(['inspect', '-f', '{{index .Config.Env 9}}', `${P}-f`]);
    await cli(['inspect', '-f', '{{.Id}}|{{.Config.Labels.x}}|{{index .Config.Labels "x"}}|{{.State.Health}}|{{.State.Status}}', `${P}-f`]);
    await cli(['inspect', '-f', '{{.ID}}', `${P}-f`]);
    await cli(['image', 'inspect', '-f', '{{.ID}}|{{.Config.Labels.x}}|{{json .Config.Labels}}', BASE_IMAGE]);
    await cli(['version', '--format', '{{.Foo}}']);
    await cli(['version', '--format', '{{.Server.Foo}}']);
    await cli(['info', '--format', '{{.Foo}}']);
    await cli(['events', '--since', '1', '--until', '2', '--format', '{{.Foo}}']);
  }],
  ['help text wrapped as docker\'s', async (cli) => {
    for (const c of [['ps'], ['images'], ['inspect'], ['logs'], ['exec'], ['stop'], ['rm'], ['network', 'ls'], ['history'], ['events'], ['version'], ['info'], ['pull'], ['login'], ['container', 'prune']]) await cli([...c, '--help']);
  }],
  ['everyday commands: rename, pause, kill -s, ps -n/-l, logs --details, inspect --type, diff, tag, history', async (cli) => {
    await cli(run('e', 'sleep', '300'));
    await cli(['rename', `${P}-e`, `${P}-e2`]);
    await cli(['rename', `${P}-nope`, `${P}-x`]);
    await cli(['pause', `${P}-e2`]);
    await cli(['pause', `${P}-e2`]);
    await cli(['ps', '--filter', `name=${P}-e2`, '--format', '{{.Names}} {{.State}}']);
    await cli(['unpause', `${P}-e2`]);
    await cli(['unpause', `${P}-e2`]);
    await cli(['kill', '-s', 'USR1', `${P}-e2`]);
    await cli(['kill', '-s', 'BOGUS', `${P}-e2`]);
    await cli(['ps', '-n', '1', '--format', '{{.Names}}']);
    await cli(['ps', '-l', '--format', '{{.Names}}']);
    await cli(['logs', '--details', `${P}-e2`]);
    await cli(['inspect', '--type', 'image', `${P}-e2`]);
    await cli(['inspect', '--type', 'container', BASE_IMAGE]);
    await cli(['inspect', '--type', 'volume', `${P}-novol`]);
    await cli(['inspect', '--type', 'network', '-f', '{{.Name}} {{.Driver}}', 'bridge']);
    await cli(['inspect', '--type', 'bogus', 'x']);
    await cli(['exec', `${P}-e2`, 'touch', '/tmp/new']);
    await cli(['diff', `${P}-e2`]);
    await cli(['tag', BASE_IMAGE, `${P}-img:v1`]);
    await cli(['images', '--filter', `reference=${P}-img`, '--format', '{{.Repository}}:{{.Tag}}']);
    await cli(['rmi', `${P}-img:v1`]);
    await cli(['rmi', `${P}-img:v1`]);
    await cli(['tag', BASE_IMAGE, 'Bad:Tag']);
    await cli(['tag', BASE_IMAGE, `${P}-img:a:b`]);
    await cli(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', BASE_IMAGE]);
    await cli(['wait', `${P}-nope`]);
    await cli(['container', 'prune', '-f', '--filter', `label=${LABEL}-none`]);
    await cli(['start', `${P}-e2`, `${P}-nope`]);
    await cli(['export', `${P}-e2`, '-o', '/dev/null']);
    await cli(['export', `${P}-e2`, '-o', `/nonexistent-${P}/x.tar`]);
    await cli(['save', BASE_IMAGE, '-o', `/nonexistent-${P}/x.tar`]);
    await cli(['commit', `${P}-e2`, 'Bad']);
    await cli(['cp', `${P}-e2:/etc/hostname`, `/nonexistent-${P}/x`]);
    await cli(['load', '-i', `/nonexistent-${P}`]);
    await cli(['import', `/nonexistent-${P}`]);
    await cli(['rmi', '-f', `${P}-nope`]);
    await cli(['stop', '--time', '0', `${P}-e2`]);
  }],
];

describe('berth CLI (exec, top, stats, system, fixes) vs docker CLI [private berthd]', () => {
  let d: BerthDaemon | undefined;
  before(async () => {
    d = new BerthDaemon();
    await d.start();
    await d.loadBaseImage();
  }, { timeout: 180_000 });
  after(async () => {
    if (d) await d.teardown();
  }, { timeout: 120_000 });

  for (const [name, scenario] of SCENARIOS) test(name, { timeout: 120_000 }, () => compare(d!.socket, scenario));

  test('contexts: create/ls/inspect/use/update/rm and --context, with the docker CLI\'s store and words', { timeout: 120_000 }, async () => {
    // each CLI gets its own config dir and no DOCKER_HOST (which would override every context)
    const run = async (which: 'docker' | 'berth'): Promise<string> => {
      const dir = mkdtempSync(join(tmpdir(), `berth-e2e-ctx-${which}-`));
      const env = { ...cliEnv(d!.socket), DOCKER_HOST: undefined, DOCKER_CONFIG: dir };
      const host = `unix://${d!.socket}`;
      let log = '';
      const cli = async (args: string[], extra: Record<string, string> = {}): Promise<void> => {
        const r = which === 'docker'
          ? await runCommand(DOCKER_CLI, args, { env: { ...env, ...extra }, timeoutMs: 30_000 })
          : await runCommand(process.execPath, [BERTH_JS, ...args], { env: { ...env, ...extra }, timeoutMs: 30_000 });
        log += `$ ${args.join(' ')}\n${r.stdout}${r.stderr}[exit ${r.code}]\n`;
      };
      try {
        await cli(['context', 'show']);
        await cli(['context', 'create', `${P}-c1`, '--docker', `host=${host}`, '--description', 'the engine']);
        await cli(['context', 'create', `${P}-c1`, '--docker', 'host=unix:///x.sock']);
        await cli(['context', 'create', 'default']);
        await cli(['context', 'create', 'b@d']);
        await cli(['context', 'create', `${P}-c2`, '--from', `${P}-c1`, '--description', 'second']);
        await cli(['context', 'update', `${P}-c2`, '--description', 'renamed']);
        await cli(['context', 'update', `${P}-nope`, '--description', 'x']);
        await cli(['context', 'ls', '-q']);
        await cli(['context', 'ls', '--format', '{{.Name}} {{.Current}} {{.Description}}']);
        await cli(['context', 'inspect', `${P}-c1`]);
        await cli(['context', 'inspect', '-f', '{{.Name}} {{.Endpoints.docker.Host}}', `${P}-c2`, `${P}-nope`]);
        await cli(['context', 'use', `${P}-c1`]);
        await cli(['context', 'show']);
        await cli(['version', '--format', '{{.Server.APIVersion}}']);
        await cli(['--context', `${P}-c2`, 'context', 'show']);
        await cli(['-c', `${P}-nope`, 'ps']);
        await cli(['-H', host, '-c', `${P}-c1`, 'ps']);
        await cli(['context', 'use', `${P}-c2`], { DOCKER_HOST: host });
        await cli(['context', 'rm', `${P}-c2`]);
        await cli(['context', 'rm', '-f', `${P}-c2`, `${P}-nope`]);
        await cli(['context', 'show']);
        await cli(['context', 'rm', `${P}-c1`]);
        log += readFileSync(join(dir, 'config.json'), 'utf8');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return log.replaceAll(dir, '<CONFIG>').replace(/[0-9a-f]{64}/g, '<SHA>');
    };
    const want = await run('docker');
    const got = await run('berth');
    assert.equal(got, want);
  });

    test('1.5 MB of binary piped into run -i arrives intact, as with docker', { timeout: 60_000 }, async () => {
    const data = randomBytes(1_500_000);
    data.set([0x10, 0x11], 12_345); // docker's default detach keys, which must not detach without a TTY
    const want = `${createHash('md5').update(data).digest('hex')}  -\n`;
    const args = ['run', '-i', '--rm', '--network', 'none', BASE_IMAGE, 'md5sum'];
    const docker = await d!.docker(args, { input: data });
    const berth = await d!.berth(args, { input: data });
    assert.equal(docker.stdout, want, docker.stderr);
    assert.equal(berth.stdout, want, berth.stderr);
    assert.equal(berth.code, 0);
    const cat = await d!.berth(['run', '-i', '--rm', '--network', 'none', BASE_IMAGE, 'sh', '-c', 'cat | md5sum; cat /bin/busybox | md5sum'], { input: data });
    const dcat = await d!.docker(['run', '-i', '--rm', '--network', 'none', BASE_IMAGE, 'sh', '-c', 'cat | md5sum; cat /bin/busybox | md5sum'], { input: data });
    assert.equal(cat.stdout, dcat.stdout);
  });

  test('berth system prune -f reports the total even where docker stops at the missing build cache endpoint', { timeout: 60_000 }, async () => {
    await d!.berth(['create', '--name', `${P}-p`, '--label', `${LABEL}-prune`, '--network', 'none', BASE_IMAGE]);
    const r = await d!.berth(['system', 'prune', '-f', '--filter', `label=${LABEL}-prune`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: \S+\n$/);
  });

  test('berth stats streams a live table redrawn in place', { timeout: 30_000 }, async () => {
    await d!.berth(run('live', 'sleep', '300'));
    const r = await runCommand(process.execPath, [BERTH_JS, 'stats', '--format', 'table {{.Name}}\t{{.PIDs}}', `${P}-live`], { env: cliEnv(d!.socket), timeoutMs: 2_300 });
    const frames = r.stdout.split('\x1b[J').filter(Boolean);
    assert.ok(frames.length >= 2, `at least two frames in 2.3 s, got ${JSON.stringify(r.stdout)}`);
    const head = `${'NAME'.padEnd(`${P}-live`.length + 3)}PIDS`;
    assert.equal(frames[0], `\x1b[H${head}\n${P}-live   1\n\x1b[H${head} \x1b[K\n${P}-live   1 \x1b[K\n \x1b[K\n`);
    await cleanup(d!.socket);
  });
});
