/** Test-only child process: launch + start a container, print the pids, exit (see conmon-monitor.test.ts). */
import { launch, startContainer } from './conmon-monitor.js';
import { OciRuntime } from './oci-runtime.js';

const o = JSON.parse(process.argv[2] ?? '{}') as { id: string; bundleDir: string; stateDir: string; logPath: string; runtimeRoot: string };
const runtime = new OciRuntime({ name: 'crun', path: '/usr/bin/crun', root: o.runtimeRoot });
const r = await launch({ id: o.id, bundleDir: o.bundleDir, runtime, stateDir: o.stateDir, logPath: o.logPath, terminal: false, stdin: false });
await startContainer(runtime, o.id);
process.stdout.write(JSON.stringify(r));
