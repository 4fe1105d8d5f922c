import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

// berthd is started without NODE_EXTRA_CA_CERTS (main.ts's shebang drops it: parsing the
// bundle costs every start time and memory). That must not change which registries berthd
// trusts: the registry client always passes its CAs explicitly (node's roots, the system
// bundle, certs.d/<host>/*.crt), and node ignores NODE_EXTRA_CA_CERTS for such connections.
// These tests make the request the client makes, in a child node with and without the
// variable naming a file that holds the registry's CA: the answer must be the same.

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-tls-trust-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

// a CA that is nowhere else, and a server certificate for 127.0.0.1 it signed
openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'srv.key', '-out', 'srv.csr');
writeFileSync(path.join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
openssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext', '-out', 'srv.pem');

async function server(): Promise<{ host: string; close: () => void }> {
  const s = https.createServer({ key: readFileSync(path.join(dir, 'srv.key')), cert: readFileSync(path.join(dir, 'srv.pem')) }, (_q, r) => r.end('{}'));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => s.close() };
}

/** GET https://host/v2/ as the registry client does (its agent, trustedCAs(host, [certsD])), in a child node. */
async function clientGet(host: string, certsD: string, env: NodeJS.ProcessEnv): Promise<string> {
  const mod = (f: string) => JSON.stringify(new URL(f, import.meta.url).href);
  const script = `
    const { httpRequest } = await import(${mod('./http-request.js')});
    const { trustedCAs } = await import(${mod('./tls-trust.js')});
    try {
      const res = await httpRequest(new URL('https://${host}/v2/'), { ca: trustedCAs('${host}', [${JSON.stringify(certsD)}]), timeoutMs: 5000 });
      res.resume();
      console.log('status ' + res.statusCode);
    } catch (e) { console.log('error ' + (e.code ?? e.message)); }
    process.exit(0);`;
  // spawnSync would block this process's event loop, and with it the server: run the child async
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((r) => child.once('close', r));
  return out.trim();
}

function envWith(extra: string | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  if (extra) env.NODE_EXTRA_CA_CERTS = extra;
  return env;
}

test('registry TLS trust: the same with or without NODE_EXTRA_CA_CERTS naming the CA', async () => {
  const s = await server();
  try {
    const none = path.join(dir, 'certs.d-empty');
    mkdirSync(none, { recursive: true });
    const without = await clientGet(s.host, none, envWith(undefined));
    const withVar = await clientGet(s.host, none, envWith(path.join(dir, 'ca.pem')));
    assert.match(without, /^error /, 'a CA in no trusted place is not trusted');
    assert.equal(withVar, without, 'NODE_EXTRA_CA_CERTS does not change what the registry client trusts');
  } finally {
    s.close();
  }
});

test('registry TLS trust: a CA in certs.d/<host>/ is trusted, with or without NODE_EXTRA_CA_CERTS', async () => {
  const s = await server();
  try {
    const certsD = path.join(dir, 'certs.d');
    mkdirSync(path.join(certsD, s.host), { recursive: true });
    writeFileSync(path.join(certsD, s.host, 'ca.crt'), readFileSync(path.join(dir, 'ca.pem')));
    assert.equal(await clientGet(s.host, certsD, envWith(undefined)), 'status 200');
    assert.equal(await clientGet(s.host, certsD, envWith(path.join(dir, 'ca.pem'))), 'status 200');
  } finally {
    s.close();
  }
});

test('berthd drops NODE_EXTRA_CA_CERTS when started through its bin (main.js shebang)', () => {
  const main = new URL('../../daemon/main.js', import.meta.url);
  const first = readFileSync(main, 'utf8').split('\n')[0];
  assert.match(first, /^#!\/usr\/bin\/env -S -u NODE_EXTRA_CA_CERTS /);
  // the shebang as the kernel runs it (interpreter, then the rest as one argument), this node for `node`
  const [interp, ...rest] = first.slice(2).trim().split(' ');
  const arg = rest.join(' ').replace(/ node$/, ` ${process.execPath}`);
  const r = spawnSync(interp, [arg, '-p', 'process.env.NODE_EXTRA_CA_CERTS ?? "unset"'], { env: envWith('/etc/ssl/certs/ca-certificates.crt'), encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'unset', r.stderr);
});
