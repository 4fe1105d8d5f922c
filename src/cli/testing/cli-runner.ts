import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { FakeDaemon, SeenRequest } from '../../api-client/testing/fake-daemon.js';
import { Transport } from '../../api-client/transport.js';
import type { CliContext } from '../context.js';
import { main } from '../main.js';

/** What one CLI run did: its exit code, output, and the requests the daemon saw. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
  requests: SeenRequest[];
}

/** The official docker CLI used for comparisons (absent → comparison tests skip). */
export const DOCKER_CLI = process.env.BERTH_E2E_DOCKER_CLI ?? '/usr/local/bin/docker';

/** Whether the docker CLI is there to compare with. */
export function hasDockerCli(): boolean {
  return existsSync(DOCKER_CLI);
}

/**
 * Runs the same command lines through the berth CLI (in process) and the docker CLI
 * (a child process) against one fake daemon, for byte-for-byte comparisons of output,
 * exit codes and the requests sent.
 *
 * @example
 *   const r = new CliRunner(daemon);
 *   const [d, b] = [await r.docker(['port', 'web']), await r.berth(['port', 'web'])];
 */
export class CliRunner {
  private readonly config: string;

  constructor(private readonly daemon: FakeDaemon) {
    this.config = mkdtempSync(path.join(os.tmpdir(), 'berth-cli-cfg-'));
    writeFileSync(path.join(this.config, 'config.json'), '{}\n');
  }

  /** The berth CLI's `main()` with this daemon as host; stdin is `input` (not a TTY). */
  async berth(args: string[], input = ''): Promise<CliRun> {
    const first = this.daemon.requests.length;
    let out = '';
    let err = '';
    const t = new Transport({ host: this.daemon.host, env: {} });
    // streamed output (attach, exec, logs) goes to the streams, the rest through out()/err()
    const stdout = Object.assign(new PassThrough(), { isTTY: false });
    const stderr = Object.assign(new PassThrough(), { isTTY: false });
    stdout.on('data', (c: Buffer) => void (out += c.toString()));
    stderr.on('data', (c: Buffer) => void (err += c.toString()));
    const ctx: CliContext = {
      host: this.daemon.host,
      transport: async () => t,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      stdin: Object.assign(Readable.from(input ? [Buffer.from(input)] : []), { isTTY: false }) as unknown as NodeJS.ReadStream,
      out: (s) => void (out += s),
      err: (s) => void (err += s),
    };
    const code = await main(args, ctx);
    t.close();
    return { code, out, err, requests: this.daemon.requests.slice(first) };
  }

  /** The docker CLI against this daemon (private DOCKER_CONFIG, no hints). */
  async docker(args: string[], input = ''): Promise<CliRun> {
    const first = this.daemon.requests.length;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('DOCKER_')) env[k] = v;
    Object.assign(env, { DOCKER_HOST: this.daemon.host, DOCKER_CONFIG: this.config, DOCKER_CLI_HINTS: 'false' });
    const r = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = execFile(DOCKER_CLI, args, { env, timeout: 30_000 }, (e, stdout, stderr) => {
        const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? ((e as { code: number }).code) : 1) : 0;
        resolve({ code, out: String(stdout), err: String(stderr) });
      });
      child.stdin?.end(input);
    });
    return { ...r, requests: this.daemon.requests.slice(first) };
  }

  /** Removes the temp DOCKER_CONFIG. */
  close(): void {
    rmSync(this.config, { recursive: true, force: true });
  }
}

/** docker's text with the program name as berth prints it (`docker: ...` → `berth: ...`). */
export function asBerth(text: string): string {
  return text.replace(/\bdocker\b/g, 'berth');
}
