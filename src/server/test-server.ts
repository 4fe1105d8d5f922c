import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createEngineServer, shutdownEngineServer } from './engine-server.js';
import type { ServerBackends } from './backends.js';

/** Test helper: an Engine API server on a temp unix socket. */
export async function startTestServer(backends: ServerBackends): Promise<{ socketPath: string; server: Server; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-srv-'));
  const socketPath = join(dir, 's.sock');
  const server = createEngineServer({ backends });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    server,
    close: async () => {
      await shutdownEngineServer(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** One HTTP request over the unix socket, body buffered. */
export function call(socketPath: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const b = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
