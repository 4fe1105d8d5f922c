import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthDaemon, forEachTarget, sleep, uniq, type Target } from './harness.js';

/** One event as `docker events --format '{{json .}}'` prints it. */
interface Ev {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  status?: string;
  id?: string;
  from?: string;
  scope: string;
  time: number;
  timeNano: number;
}

/** A `--since`/`--until` value with nanoseconds, as the docker CLI takes it. */
const stamp = (ms = Date.now()): string => `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1e6).padStart(9, '0')}`;

/** Past events between `since` and now (a short pause first, so the last ones are published). */
async function eventsSince(t: Target, since: string, ...filters: string[]): Promise<Ev[]> {
  await sleep(300);
  const r = await t.docker(['events', '--since', since, '--until', stamp(), '--format', '{{json .}}', ...filters.flatMap((f) => ['--filter', f])]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ev);
}

/** `kill 15`, `die 137`, `rename /old`: the action with the attribute that tells events apart. */
const brief = (e: Ev): string => [e.Action, e.Actor.Attributes.signal ?? e.Actor.Attributes.exitCode ?? e.Actor.Attributes.oldName].filter(Boolean).join(' ');

forEachTarget('events', (t) => {
  test('a container\'s life, with dockerd\'s actions, attributes and legacy fields', async () => {
    const name = uniq('ev');
    const since = stamp();
    const id = (await t().docker(['create', '--name', name, '--network', 'none', '-l', 'e2e.tier=front', 'busybox', 'sleep', '100'])).stdout.trim();
    for (const args of [['start', name], ['pause', name], ['unpause', name], ['kill', '-s', 'USR1', name], ['rename', name, `${name}-2`], ['restart', '-t', '1', `${name}-2`], ['stop', '-t', '1', `${name}-2`], ['rm', `${name}-2`]]) {
      const r = await t().docker(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    const evs = await eventsSince(t(), since, 'type=container', `container=${id}`);
    assert.deepEqual(evs.map(brief), [
      'create', 'start', 'pause', 'unpause', 'kill 10', `rename /${name}`,
      'kill 15', 'kill 9', 'die 137', 'stop', 'start', 'restart',
      'kill 15', 'kill 9', 'die 137', 'stop', 'destroy',
    ]);
    const first = evs[0];
    assert.deepEqual(first.Actor, { ID: id, Attributes: { 'e2e.tier': 'front', image: 'busybox', name } });
    assert.deepEqual([first.status, first.id, first.from, first.scope], ['create', id, 'busybox', 'local']);
    assert.equal(evs.at(-1)!.Actor.Attributes.name, `${name}-2`);
    assert.ok(evs.every((e, i) => i === 0 || e.timeNano >= evs[i - 1].timeNano), 'events are in time order');
    assert.ok(Math.abs(first.time - Date.now() / 1000) < 60 && first.time === Math.floor(first.timeNano / 1e9));
  });

  test('run --rm: create, attach, start, die with the exit code, destroy', async () => {
    const name = uniq('ev-run');
    const since = stamp();
    const r = await t().docker(['run', '--rm', '--name', name, '--network', 'none', 'busybox', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 3, r.stderr);
    const evs = await eventsSince(t(), since, `container=${name}`, 'type=container');
    assert.deepEqual(evs.map(brief), ['create', 'attach', 'start', 'die 3', 'destroy']);
  });

  test('exec events carry the command and the exec ID; exec_die the exit code', async () => {
    const name = uniq('ev-exec');
    await t().docker(['run', '-d', '--name', name, '--network', 'none', 'busybox', 'sleep', '60']);
    try {
      const since = stamp();
      assert.equal((await t().docker(['exec', name, 'sh', '-c', 'exit 2'])).code, 2);
      const evs = await eventsSince(t(), since, `container=${name}`, 'event=exec_create', 'event=exec_start', 'event=exec_die');
      assert.deepEqual(evs.map(brief), ['exec_create: sh -c exit 2', 'exec_start: sh -c exit 2', 'exec_die 2']);
      const ids = new Set(evs.map((e) => e.Actor.Attributes.execID));
      assert.equal(ids.size, 1);
      assert.match([...ids][0], /^[0-9a-f]{64}$/);
    } finally {
      await t().docker(['rm', '-f', name]);
    }
  });

  test('an OOM kill is reported before the die', async () => {
    const name = uniq('ev-oom');
    const since = stamp();
    const r = await t().docker(['run', '--rm', '--name', name, '--network', 'none', '-m', '8m', '--memory-swap', '8m', 'busybox', 'sh', '-c', 'head -c 64m /dev/zero | tail > /dev/null']);
    assert.equal(r.code, 137, r.stderr);
    const actions = (await eventsSince(t(), since, `container=${name}`)).map(brief);
    assert.ok(actions.includes('oom'), actions.join(','));
    assert.ok(actions.indexOf('oom') < actions.indexOf('die 137'), actions.join(','));
  });

  test('image events: tag with the name as written, untag/delete/save/load/import by image ID', async () => {
    const repo = uniq('ev-app');
    const busybox = (await t().docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim();
    const since = stamp();
    assert.equal((await t().docker(['tag', 'busybox', `${repo}:v1`])).code, 0);
    assert.equal((await t().docker(['tag', 'busybox', `docker.io/library/${repo}:v2`])).code, 0);
    assert.equal((await t().docker(['rmi', `${repo}:v1`])).code, 0);
    const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-events-'));
    try {
      const saved = await t().docker(['save', '-o', join(dir, 'x.tar'), `${repo}:v2`]);
      assert.equal(saved.code, 0, saved.stderr);
      assert.equal((await t().docker(['rmi', `${repo}:v2`])).code, 0);
      const loaded = await t().docker(['load', '-i', join(dir, 'x.tar')]);
      assert.equal(loaded.code, 0, loaded.stderr);
      assert.equal((await t().docker(['rmi', `${repo}:v2`])).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const evs = (await eventsSince(t(), since, 'type=image')).filter((e) => e.Actor.ID === busybox);
    assert.deepEqual(evs.map((e) => `${e.Action} ${e.Actor.Attributes.name}`), [
      `tag ${repo}:v1`, `tag ${repo}:v2`, `untag ${busybox}`, `save ${busybox}`, `untag ${busybox}`, `load ${busybox}`, `untag ${busybox}`,
    ]);
    assert.deepEqual([evs[0].status, evs[0].id, evs[0].from], ['tag', busybox, undefined]);
  });

  test('image events: import tags then imports; rmi of the last tag untags and deletes', async () => {
    const repo = uniq('ev-imp');
    const since = stamp();
    const r = await t().docker(['import', '-', `${repo}:1`], { input: Buffer.alloc(1024) });
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    assert.equal((await t().docker(['rmi', `${repo}:1`])).code, 0);
    const evs = (await eventsSince(t(), since, 'type=image', `image=${id}`)).map((e) => `${e.Action} ${e.Actor.Attributes.name}`);
    assert.deepEqual(evs, [`tag ${repo}:1`, `import ${id}`, `untag ${id}`, `delete ${id}`]);
  });

  test('volume and network events', async () => {
    const vol = uniq('ev-vol');
    const net = uniq('ev-net');
    const since = stamp();
    assert.equal((await t().docker(['volume', 'create', vol])).code, 0);
    assert.equal((await t().docker(['volume', 'rm', vol])).code, 0);
    const n = await t().docker(['network', 'create', net]);
    assert.equal(n.code, 0, n.stderr);
    assert.equal((await t().docker(['network', 'rm', net])).code, 0);
    const vols = await eventsSince(t(), since, 'type=volume', `volume=${vol}`);
    assert.deepEqual(vols.map((e) => `${e.Action} ${e.Actor.ID} ${e.Actor.Attributes.driver}`), [`create ${vol} local`, `destroy ${vol} local`]);
    const nets = await eventsSince(t(), since, 'type=network', `network=${net}`);
    assert.deepEqual(nets.map((e) => `${e.Action} ${e.Actor.Attributes.name} ${e.Actor.Attributes.type}`), [`create ${net} bridge`, `destroy ${net} bridge`]);
    assert.equal(nets[0].Actor.ID, n.stdout.trim());
  });

  test('filters: event, label, container by name prefix, image, type (OR within a key, AND across keys)', async () => {
    const name = uniq('ev-filter');
    const label = `e2e.ev=${name}`;
    const since = stamp();
    assert.equal((await t().docker(['run', '--rm', '--name', name, '-l', label, '--network', 'none', 'busybox', 'true'])).code, 0);
    assert.equal((await t().docker(['run', '--rm', '--name', `${name}-b`, '-l', label, '--network', 'none', 'busybox', 'sh', '-c', 'exit 1'])).code, 1);
    const count = async (...f: string[]): Promise<string[]> => (await eventsSince(t(), since, `label=${label}`, ...f)).map((e) => `${e.Actor.Attributes.name} ${brief(e)}`);
    assert.deepEqual(await count('event=die'), [`${name} die 0`, `${name}-b die 1`]);
    assert.deepEqual(await count('event=start', 'event=destroy', `container=${name}-b`), [`${name}-b start`, `${name}-b destroy`]);
    assert.equal((await count(`container=${name}`)).length, 10, 'a name filter matches by prefix, as dockerd');
    assert.equal((await count('image=busybox', 'event=create')).length, 2);
    assert.equal((await count('image=busybox:latest', 'event=create')).length, 0, 'the container events carry the image as written (busybox)');
    assert.equal((await count('type=image')).length, 0);
    const bad = await t().docker(['events', '--since', '200', '--until', '100']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /`since` time \(200\) cannot be after `until` time \(100\)/);
  });

  test('live: a client following events sees them as they happen, until --until', async () => {
    const name = uniq('ev-live');
    const start = Date.now();
    const following = t().docker(['events', '--since', stamp(start), '--until', stamp(start + 4000), '--filter', `container=${name}`, '--format', '{{.Action}}']);
    await sleep(500);
    assert.equal((await t().docker(['run', '--rm', '--name', name, '--network', 'none', 'busybox', 'true'])).code, 0);
    const r = await following;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['create', 'attach', 'start', 'die', 'destroy']);
    assert.ok(Date.now() - start >= 3500, 'the stream ended at --until, not before');
  });
});

forEachTarget('events: kept on disk', (t) => {
  test('after berthd is killed (-9) and started again, --since replays what happened before and after', async () => {
    const d = t().daemon!;
    const name = uniq('ev-crash');
    const since = stamp();
    assert.equal((await d.docker(['run', '--rm', '--name', name, '--network', 'none', 'busybox', 'true'])).code, 0);
    assert.equal((await d.docker(['tag', 'busybox', `${name}:before`])).code, 0);
    await sleep(200);
    await d.kill9();
    await d.start();
    assert.equal((await d.docker(['tag', 'busybox', `${name}:after`])).code, 0);
    const evs = await eventsSince(t(), since);
    const mine = evs.filter((e) => e.Actor.Attributes.name === name || e.Actor.Attributes.name?.startsWith(`${name}:`));
    assert.deepEqual(mine.map((e) => `${e.Type} ${brief(e)}`), [
      'container create', 'container attach', 'container start', 'container die 0', 'container destroy', 'image tag', 'image tag',
    ]);
    assert.deepEqual(mine.slice(-2).map((e) => e.Actor.Attributes.name), [`${name}:before`, `${name}:after`]);
    // a client that reconnects with --since the last event it saw gets exactly the rest
    const rest = await eventsSince(t(), stamp(Math.floor(mine[4].timeNano / 1e6) + 1), 'type=image');
    assert.deepEqual(rest.filter((e) => e.Actor.Attributes.name?.startsWith(`${name}:`)).map((e) => e.Actor.Attributes.name), [`${name}:before`, `${name}:after`]);
  });

  test('the log stays within events-max-size and keeps the newest events', async () => {
    const d = new BerthDaemon({ args: ['--events-max-size', '16k'] });
    try {
      await d.start();
      await d.loadBaseImage();
      const since = stamp();
      for (let i = 0; i < 150; i++) {
        const r = await d.api('POST', `/images/busybox/tag?repo=bound&tag=t${i}`);
        assert.equal(r.status, 201, r.body);
      }
      const dir = join(d.dataRoot, 'events');
      const files = readdirSync(dir).sort();
      assert.deepEqual(files, ['events.log', 'events.log.1']);
      const total = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      assert.ok(total <= 16 * 1024, `event log is ${total} bytes`);
      const r = await d.docker(['events', '--since', since, '--until', stamp(), '--format', '{{.Actor.Attributes.name}}', '--filter', 'event=tag']);
      const names = r.stdout.trim().split('\n');
      assert.ok(names.length > 20 && names.length < 150, `${names.length} events kept`);
      assert.equal(names.at(-1), 'bound:t149');
      const first = Number(names[0].slice('bound:t'.length));
      assert.deepEqual(names, names.map((_, i) => `bound:t${first + i}`), 'a contiguous tail');
    } finally {
      await d.teardown();
    }
  });
}, { only: ['berth'] });
