import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GoTemplate, STRICT, TemplateError } from './go-template.js';

const data = {
  Name: 'web',
  Id: 'abc',
  State: { Status: 'running', Pid: 42, Running: true, ExitCode: 0 },
  Config: { Env: ['A=1', 'B=2'], Labels: { 'com.x': 'y', a: '1' }, Cmd: null as string[] | null, Entrypoint: ['sh'] },
  Mounts: [] as unknown[],
  Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
  Count: 3,
  Html: '<a&b>',
};

const cases: [string, string][] = [
  ['plain text', 'plain text'],
  ['{{.Name}}', 'web'],
  ['{{.State.Status}} {{.State.Pid}}', 'running 42'],
  ['{{.Config.Env}}', '[A=1 B=2]'],
  ['{{.Config.Labels}}', 'map[a:1 com.x:y]'],
  ['{{.Config.Cmd}}', '<nil>'],
  ['{{.Missing}}', '<no value>'],
  ['{{json .Config.Env}}', '["A=1","B=2"]'],
  // docker's `json` function encodes with SetEscapeHTML(false) (checked against docker 28).
  ['{{json .Html}}', '"<a&b>"'],
  ['{{json .State}}', '{"Status":"running","Pid":42,"Running":true,"ExitCode":0}'],
  ['{{index .Config.Labels "com.x"}}', 'y'],
  ['{{index .Config.Env 1}}', 'B=2'],
  ['{{index .Config.Labels "nope"}}', '<no value>'],
  ['{{range .Config.Env}}[{{.}}]{{end}}', '[A=1][B=2]'],
  ['{{range $i, $e := .Config.Env}}{{$i}}={{$e}};{{end}}', '0=A=1;1=B=2;'],
  ['{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}} {{end}}', 'a:1 com.x:y '],
  ['{{range .Mounts}}x{{else}}none{{end}}', 'none'],
  ['{{if .State.Running}}up{{else}}down{{end}}', 'up'],
  ['{{if .Config.Cmd}}cmd{{else if .Config.Entrypoint}}ep{{else}}none{{end}}', 'ep'],
  ['{{if not .State.ExitCode}}ok{{end}}', 'ok'],
  ['{{if eq .State.Status "running" "paused"}}live{{end}}', 'live'],
  ['{{if and .State.Running (gt .State.Pid 1)}}yes{{end}}', 'yes'],
  ['{{if or .Config.Cmd .Missing}}y{{else}}n{{end}}', 'n'],
  ['{{with .State}}{{.Status}}{{end}}', 'running'],
  ['{{upper .Name}}', 'WEB'],
  ['{{.Name | upper}}', 'WEB'],
  ['{{lower "ABC"}}', 'abc'],
  ['{{title "hello world"}}', 'Hello World'],
  ['{{join .Config.Env ","}}', 'A=1,B=2'],
  ['{{split "a:b" ":"}}', '[a b]'],
  ['{{len .Config.Env}}', '2'],
  ['{{println .Name}}', 'web\n'],
  ['{{printf "%s-%d" .Name .Count}}', 'web-3'],
  ['{{pad .Name 1 2}}|', ' web  |'],
  ['{{truncate .Id 2}}', 'ab'],
  ['{{$n := .Name}}{{$n}}!', 'web!'],
  ['{{range .Config.Env}}{{$.Name}}{{end}}', 'webweb'],
  ['a  {{- .Name -}}  b', 'awebb'],
  ['{{/* comment */}}x', 'x'],
  ['{{(index .Ports "80/tcp")}}', '[map[HostIp:0.0.0.0 HostPort:8080]]'],
  ['{{(index (index .Ports "80/tcp") 0).HostPort}}', '8080'],
  ['{{.Name}}\t{{.Id}}', 'web\tabc'],
];

for (const [tmpl, want] of cases) {
  test(`go-template: ${JSON.stringify(tmpl)}`, () => {
    assert.equal(new GoTemplate(tmpl).execute(data), want);
  });
}

test('go-template: methods with arguments on a context object', () => {
  const ctx = { Names: 'web', Label: (k: string) => ({ a: '1' } as Record<string, string>)[k] ?? '' };
  assert.equal(new GoTemplate('{{.Names}} {{.Label "a"}}|{{.Label "b"}}').execute(ctx), 'web 1|');
});

test('go-template: strict objects reject unknown fields; maps do not', () => {
  const ctx: Record<string | symbol, unknown> = { ID: 'x' };
  Object.defineProperty(ctx, STRICT, { value: true, enumerable: false });
  assert.throws(() => new GoTemplate('{{.Nope}}').execute(ctx), /can't evaluate field Nope/);
  assert.equal(new GoTemplate('{{.Nope}}').execute({ ID: 'x' }), '<no value>');
});

test('go-template: parse errors', () => {
  assert.throws(() => new GoTemplate('{{.Name'), /unclosed action/);
  assert.throws(() => new GoTemplate('{{if .X}}a'), /unexpected EOF/);
  assert.throws(() => new GoTemplate('{{end}}'), /unexpected/);
  assert.throws(() => new GoTemplate('{{nosuchfn .X}}').execute({}), /function "nosuchfn" not defined/);
});

test('go-template: error texts are Go text/template\'s (line, column, node, type)', () => {
  const strict: Record<string | symbol, unknown> = { Names: 'web' };
  Object.defineProperty(strict, STRICT, { value: true, enumerable: false });
  const run = (src: string, d: unknown, opts = {}): string => {
    try {
      new GoTemplate(src, {}, opts).execute(d);
      return 'no error';
    } catch (e) {
      assert.ok(e instanceof TemplateError);
      return `${e.kind}: ${e.message}`;
    }
  };
  const typed = { typeName: '*formatter.ContainerContext' };
  assert.equal(run('{{.Foo}}', strict, typed), 'exec: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext');
  assert.equal(run('{{.Names}} {{.Foo.Bar}}', strict, typed), 'exec: template: :1:17: executing "" at <.Foo.Bar>: can\'t evaluate field Foo in type *formatter.ContainerContext');
  assert.equal(run('a\n  {{.Foo}}', strict, { ...typed, name: 'version' }), 'exec: template: version:2:4: executing "version" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext');
  assert.equal(run('{{.State.Foo}}', data, { missingKeyError: true }), 'exec: template: :1:8: executing "" at <.State.Foo>: map has no entry for key "Foo"');
  assert.equal(run('{{index .Config.Env 5}}', data), 'exec: template: :1:2: executing "" at <index .Config.Env 5>: error calling index: index out of range: 5');
  assert.equal(run('{{.Name.X}}', data), 'exec: template: :1:7: executing "" at <.Name.X>: can\'t evaluate field X in type string');
  assert.equal(run('{{.Names', strict), 'parse: template: :1: unclosed action');
  assert.equal(run('x\n{{if .Names}}', strict), 'parse: template: :2: unexpected EOF');
  assert.equal(run('{{end}}', strict), 'parse: template: :1: unexpected {{end}}');
  assert.equal(run('{{.Names | nofunc}}', strict), 'parse: template: :1: function "nofunc" not defined');
});
