/**
 * Runs a client scenario script (docker-py, dockerode) against one target and parses the JSON
 * it prints. Scripts live beside this file under test/e2e/clients/ (source tree, not dist).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, runCommand } from '../harness.js';

export const CLIENTS_DIR = join(REPO_ROOT, 'test/e2e/clients');

/** Why a client cannot run here (undefined when it can). */
export function missingClient(kind: 'docker-py' | 'dockerode' | 'docker-compose'): string | undefined {
  if (kind === 'docker-py') {
    return spawnSync('python3', ['-c', 'import docker'], { encoding: 'utf8' }).status === 0 ? undefined : 'python3-docker is not installed (scripts/install-test-deps.sh)';
  }
  if (kind === 'docker-compose') {
    return spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0 ? undefined : 'docker-compose is not installed (scripts/install-test-deps.sh)';
  }
  const r = spawnSync(process.execPath, ['-e', 'require.resolve("dockerode")'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return r.status === 0 ? undefined : 'dockerode is not installed (npm ci)';
}

/** Runs `program script` with DOCKER_HOST at `socket` (and `env`); returns the printed JSON object. */
export async function runProbe(program: string, script: string, socket: string, tag: string, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const r = await runCommand(program, [join(CLIENTS_DIR, script)], { env: { ...env, DOCKER_HOST: `unix://${socket}`, PROBE_TAG: tag }, timeoutMs: 180_000, cwd: REPO_ROOT });
  if (r.code !== 0) throw new Error(`${script} failed (code ${r.code}):\n${r.stderr}\n${r.stdout}`);
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${script} printed no JSON:\n${r.stdout}\n${r.stderr}`);
  }
}
