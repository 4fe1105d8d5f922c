import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The daemon address a command talks to, as docker resolves it: `-H`, else the selected
 * context's docker endpoint (`--context`, DOCKER_CONTEXT or config.json's `currentContext`;
 * DOCKER_HOST selects `default`), else undefined (DOCKER_HOST or berth's socket). Reads the
 * context store only when a context other than `default` is selected.
 *
 * @throws Error docker's words for `-H` with `--context`, or a context that does not exist
 */
export async function contextHost(host: string | undefined, context: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (host && context) throw new Error('conflicting options: cannot specify both --host and --context');
  if (host) return host;
  let name = context;
  if (!name && !env.DOCKER_HOST) name = env.DOCKER_CONTEXT || currentFromConfig(env);
  if (!name || name === 'default') return undefined;
  const { notFound, readContext } = await import('./commands/context/store.js');
  const meta = readContext(name);
  if (!meta) throw new Error(`Failed to initialize: unable to resolve docker endpoint: ${notFound(name)}`);
  return meta.Endpoints.docker?.Host || undefined;
}

function currentFromConfig(env: NodeJS.ProcessEnv): string | undefined {
  const file = join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const c = (JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown }).currentContext;
    return typeof c === 'string' && c ? c : undefined;
  } catch {
    return undefined;
  }
}
