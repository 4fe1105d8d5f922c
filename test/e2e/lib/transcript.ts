import { apiRequest } from './api.js';
import { cliEnv } from './berth-daemon.js';
import { runCommand } from './exec.js';
import { BERTH_JS, DOCKER_CLI } from './paths.js';

/** One step of a transcript: the command and what it answered. */
export interface Step {
  cmd: string;
  code: number;
  out: string;
  err: string;
}

export type Cli = (args: string[], input?: string | Buffer) => Promise<void>;
export type Scenario = (cli: Cli) => Promise<void>;

/**
 * Runs `scenario` with the docker CLI or the berth CLI against `socket`, recording every step;
 * `cleanup` runs afterwards whatever happened. Compare the docker CLI's transcript with berth's.
 * @example const want = await recordTranscript('docker', sock, s, () => removeByPrefix(sock, P));
 */
export async function recordTranscript(which: 'docker' | 'berth', socket: string, scenario: Scenario, cleanup: () => Promise<void>): Promise<Step[]> {
  const steps: Step[] = [];
  const env = cliEnv(socket);
  const cli: Cli = async (args, input) => {
    const r = which === 'docker'
      ? await runCommand(DOCKER_CLI, args, { env, input })
      : await runCommand(process.execPath, [BERTH_JS, ...args], { env, input });
    steps.push({ cmd: args.join(' '), code: r.code, out: r.stdout, err: r.stderr });
  };
  try {
    await scenario(cli);
  } finally {
    await cleanup();
  }
  return steps;
}

/** Force-removes the containers (and with `networks`, the networks) whose names start with `prefix`, through the API. */
export async function removeByPrefix(socket: string, prefix: string, opts: { networks?: boolean } = {}): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ name: [prefix] }));
  const cs = await apiRequest(socket, 'GET', `/containers/json?all=1&filters=${filters}`);
  if (cs.status === 200) for (const c of cs.json<{ Id: string }[]>()) await apiRequest(socket, 'DELETE', `/containers/${c.Id}?force=1&v=1`);
  if (!opts.networks) return;
  const ns = await apiRequest(socket, 'GET', `/networks?filters=${filters}`);
  if (ns.status === 200) for (const n of ns.json<{ Id: string; Name: string }[]>()) if (n.Name.startsWith(prefix)) await apiRequest(socket, 'DELETE', `/networks/${n.Id}`);
}
