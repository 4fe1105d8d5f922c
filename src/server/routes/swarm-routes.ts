import type { Method, Route } from '../route-table.js';
import { EngineError } from '../../shared/errors.js';

/** dockerd's answer on a node that is not in a swarm (clients read the 503 as "no swarm" and go on). */
export const NOT_A_SWARM_MANAGER =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

const notManager = async (): Promise<void> => {
  throw new EngineError('unavailable', NOT_A_SWARM_MANAGER);
};

const METHODS: Method[] = ['GET', 'POST', 'DELETE'];
const PATHS = ['/swarm', '/swarm/{rest*}', '/nodes', '/nodes/{rest*}', '/services', '/services/{rest*}', '/tasks', '/tasks/{rest*}', '/secrets', '/secrets/{rest*}', '/configs', '/configs/{rest*}'];

/**
 * Swarm endpoints: berth never joins a swarm (beyond one machine it serves Kubernetes), so
 * it answers as a dockerd outside a swarm: 503 "not a swarm manager", and 503 "This node is
 * not part of a swarm" for `swarm leave`.
 */
export const swarmRoutes: Route[] = [
  {
    method: 'POST',
    path: '/swarm/leave',
    handler: async () => {
      throw new EngineError('unavailable', 'This node is not part of a swarm');
    },
  },
  ...PATHS.flatMap((path) => METHODS.map((method): Route => ({ method, path, handler: notManager }))),
];
