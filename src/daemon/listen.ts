import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Server } from 'node:http';
import { parseHost } from './config.js';

function dockerGid(): number | undefined {
  try {
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith('docker:'));
    return line ? Number(line.split(':')[2]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Listens on one `-H` address. Unix sockets: stale file removed, mode 0660, group
 * `docker` when that group exists (like dockerd). Returns a cleanup for shutdown.
 */
export async function listenOn(server: Server, host: string): Promise<() => void> {
  const addr = parseHost(host);
  if ('path' in addr) {
    mkdirSync(dirname(addr.path), { recursive: true });
    rmSync(addr.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(addr.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(addr.path, 0o660);
    const gid = dockerGid();
    if (gid !== undefined) {
      try {
        chownSync(addr.path, 0, gid);
      } catch {
        // not root: keep our own group
      }
    }
    return () => rmSync(addr.path, { force: true });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return () => {};
}
