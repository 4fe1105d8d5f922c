import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { parseFlags, USAGE } from './flags.js';
import { resolveConfig, type DaemonConfig } from './config.js';
import { acquirePidfile, releasePidfile } from './pidfile.js';
import { listenOn } from './listen.js';
import { ENGINE_VERSION } from './system-info.js';
import { createLogger, type Logger } from '../shared/logger.js';

/** cgroup fix-up for crun on hybrid hosts; a failure is a warning (images still work). */
async function checkCgroups(logger: Logger, warnings: string[]): Promise<void> {
  // Only a hybrid host whose cgroup2 mount still offers controllers needs the fix-up;
  // skip loading the runtime module (and koffi) at boot otherwise.
  let controllers = '';
  try {
    controllers = readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim();
  } catch {
    return;
  }
  if (!controllers) return;
  try {
    const { ensureCgroupSetup } = await import('../runtime/cgroups-check.js');
    const note = ensureCgroupSetup();
    if (note) logger.info(note);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    logger.warn('cgroup setup failed; containers may not start', { error: msg });
    warnings.push(`WARNING: ${msg}`);
  }
}

/** Gives memory back once the daemon idles after boot and after bursts (see MemoryTrimmer). */
async function startMemoryTrim(logger: Logger, cleanups: (() => void)[]): Promise<void> {
  try {
    const [{ MemoryTrimmer, processMemoryPorts }, { mallocTrim }] = await Promise.all([import('./memory-trim.js'), import('../shared/libc.js')]);
    const trimmer = new MemoryTrimmer(processMemoryPorts(() => mallocTrim())).start();
    cleanups.push(() => trimmer.stop());
  } catch (err) {
    logger.warn('failed to start the memory trimmer', { err });
  }
}

async function serve(config: DaemonConfig, logger: Logger): Promise<number> {
  // Threads without a malloc arena yet share two (glibc's MALLOC_ARENA_MAX=2): fewer arenas
  // holding freed pages; main.ts's shebang sets the variable for the threads started before this.
  import('../shared/libc.js').then((libc) => libc.mallocArenaMax(2), () => {});
  mkdirSync(config.dataRoot, { recursive: true, mode: 0o711 });
  mkdirSync(config.execRoot, { recursive: true, mode: 0o700 });
  try {
    acquirePidfile(config.pidfile);
  } catch (err) {
    logger.error(`failed to start daemon: ${(err as Error).message}`);
    return 1;
  }
  const cleanups: (() => void)[] = [() => releasePidfile(config.pidfile)];
  const servers: Server[] = [];
  let ready: Promise<void> = Promise.resolve();
  let closeServices: () => Promise<void> = async () => {};
  let shutdown: (s: Server) => Promise<void> = (s) => new Promise((r) => s.close(() => r()));
  const cleanup = (): void => {
    for (const c of cleanups.reverse()) c();
  };
  try {
    const warnings: string[] = [];
    await checkCgroups(logger, warnings);
    const { compose } = await import('./compose.js');
    shutdown = (await import('../server/engine-server.js')).shutdownEngineServer;
    const comp = compose(config, logger, warnings);
    ready = comp.ready;
    closeServices = () => comp.close();
    ready.then(() => startMemoryTrim(logger, cleanups), () => {});
    for (const host of config.hosts) {
      const server = comp.createServer();
      cleanups.push(await listenOn(server, host));
      servers.push(server);
      logger.info(`API listen on ${host.replace(/^unix:\/\//, '')}`);
    }
  } catch (err) {
    logger.error(`failed to start daemon: ${(err as Error).message}`);
    for (const s of servers) s.close();
    cleanup();
    return 1;
  }
  logger.debug('API serving', { ms: Math.round(performance.now()) });
  let failed = false;
  let stopping = false;
  return new Promise<number>((resolve) => {
    const stop = (signal?: string): void => {
      if (stopping) return;
      stopping = true;
      if (signal) logger.info(`Processing signal '${signal}'`);
      // Containers keep running under conmon; only the API goes away.
      Promise.all(servers.map((s) => shutdown(s)))
        .then(() => closeServices())
        .catch((err: unknown) => logger.warn('failed to close services', { err }))
        .then(() => {
          cleanup();
          logger.info('Daemon shutdown complete');
          resolve(failed ? 1 : 0);
        });
    };
    ready.then(
      () => logger.info('Daemon has completed initialization', { version: ENGINE_VERSION, ms: Math.round(performance.now()) }),
      (err: unknown) => {
        logger.error(`failed to start daemon: ${err instanceof Error ? err.message : String(err)}`);
        failed = true;
        stop();
      },
    );
    process.once('SIGTERM', () => stop('terminated'));
    process.once('SIGINT', () => stop('interrupt'));
    process.on('SIGHUP', () => logger.info('SIGHUP received; configuration reload is not supported'));
  });
}

/** Where berthd's own messages go (main.ts passes the process streams). Logs go to the logger. */
export interface DaemonIO {
  out(text: string): void;
  err(text: string): void;
}

/**
 * berthd: parse flags and config, take the pidfile, fix cgroups, compose the services,
 * restore containers, listen. Resolves with the process exit code after SIGTERM/SIGINT.
 */
export async function runDaemon(argv: string[], io: DaemonIO): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    io.err(`${(err as Error).message}\nSee 'berthd --help'.\n`);
    return 125;
  }
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  if (flags.version) {
    io.out(`Berth version ${ENGINE_VERSION}, build berth (Docker Engine API 1.43)\n`);
    return 0;
  }
  let config: DaemonConfig;
  try {
    config = resolveConfig(flags);
  } catch (err) {
    io.err(`${(err as Error).message}\n`);
    return 1;
  }
  const logger = createLogger(config.logLevel);
  process.on('uncaughtException', (err) => logger.error('uncaught exception', { error: err, stack: err.stack }));
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { error: err instanceof Error ? err : String(err) }));
  return serve(config, logger);
}
