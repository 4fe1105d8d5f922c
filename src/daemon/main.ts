#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS UV_THREADPOOL_SIZE=64 MALLOC_ARENA_MAX=2 node
// berthd entry. libuv sizes its threadpool on first use, which for an ES-module entry
// happens while node loads this very file; the shebang sets the variable before node
// starts, and the assignment below covers loaders that read the entry synchronously.
// MALLOC_ARENA_MAX: fewer glibc arenas keeping freed pages (berthd.ts also caps them at run
// time, for a berthd started as `node main.js`).
// NODE_EXTRA_CA_CERTS is dropped: Node 20 parses that file at every start (~50 ms and ~1.5 MB
// of berthd's RSS with Debian's 144-certificate bundle), and berthd's only TLS client, the
// registry client, names its CAs explicitly (node's roots, the system bundle, certs.d), which
// makes node ignore the variable for its connections anyway (src/registry/client/tls-trust.test.ts).
process.env.UV_THREADPOOL_SIZE ??= '64';
// No optimizing compiles while the daemon's modules load: that work runs once, yet the loader's
// path and URL code (and koffi's loader) get hot enough for TurboFan, and its first compile
// leaves ~3.5 MB of the compiler's machine code resident for good (boot RSS 55 -> 51.7 MB,
// bench/memory-bench.sh). Request paths are optimized as before once the modules are in.
const { setFlagsFromString } = await import('node:v8');
setFlagsFromString('--no-turbofan');
const { daemonModule } = await import('./entry-module.js');
const { runDaemon } = (await import(daemonModule(import.meta.url))) as typeof import('./berthd.js');
setFlagsFromString('--turbofan');
const io = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) };
process.exit(await runDaemon(process.argv.slice(2), io));
