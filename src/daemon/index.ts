export { runDaemon, type DaemonIO } from './berthd.js';
export { parseFlags, type DaemonFlags } from './flags.js';
export { resolveConfig, parseHost, type DaemonConfig } from './config.js';
export { acquirePidfile, releasePidfile } from './pidfile.js';
export { compose, type Composition } from './compose.js';
export { createSystemBackend, ENGINE_VERSION } from './system-info.js';
