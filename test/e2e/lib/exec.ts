import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';

/** Outcome of one command: exit code (128+signal when killed), captured output. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  /** Written to the child's stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string | Buffer;
  /** Extra environment (merged over the base env). A value of `undefined` removes the key. */
  env?: Record<string, string | undefined>;
  /** Kill the child (SIGKILL) after this many ms; default 60 000. */
  timeoutMs?: number;
  /** Working directory. */
  cwd?: string;
}

/**
 * Run a program (no shell), capture stdout/stderr, never reject on a non-zero exit.
 * @example const r = await runCommand('/usr/local/bin/docker', ['ps'], { env: { DOCKER_HOST: 'unix:///x.sock' } });
 */
export function runCommand(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) if (v !== undefined) env[k] = v;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`failed to run ${file}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) stderr += `\n[e2e] killed after ${timeoutMs} ms: ${file} ${args.join(' ')}\n`;
      const sigNum = signal ? (osConstants.signals as Record<string, number>)[signal] ?? 0 : 0;
      resolve({ code: code ?? 128 + sigNum, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/**
 * Run a shell command line under a pseudo-terminal with util-linux `script`, keeping its
 * stdin open (a pipe) until the command ends so the pty never sees an early EOF.
 * The pty is set to `rows`x`cols` before the command runs.
 */
export function runInPty(
  commandLine: string,
  opts: { env?: Record<string, string | undefined>; rows?: number; cols?: number; timeoutMs?: number } = {},
): Promise<RunResult> {
  const rows = opts.rows ?? 30;
  const cols = opts.cols ?? 100;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) if (v !== undefined) env[k] = v;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', `stty rows ${rows} cols ${cols}; ${commandLine}`, '/dev/null'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`failed to run script: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 137, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Sleep for `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `probe` every `intervalMs` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(probe: () => Promise<T> | T, timeoutMs: number, intervalMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}
