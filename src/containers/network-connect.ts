import type { EndpointSettings } from '../api/types.js';
import { EngineError } from '../shared/errors.js';
import type { ContainerRecord } from './container-record.js';
import { networkKind } from './merge-config.js';
import { sandboxSpec } from './networking.js';
import type { ServiceContext } from './service-context.js';

/** `POST /networks/{id}/connect`: recorded for the next start; live when the container runs. */
export async function connectNetwork(ctx: ServiceContext, idOrName: string, network: string, config: EndpointSettings): Promise<void> {
  const net = ctx.deps.network;
  if (!net) throw new EngineError('not-implemented', 'networking is not available');
  const rec = ctx.get(idOrName);
  await ctx.locks.run(rec.id, async () => {
    const mode = networkKind(rec.hostConfig.NetworkMode);
    if (mode.kind === 'host' || mode.kind === 'none' || mode.kind === 'container') {
      const target = net.find(network);
      if (mode.kind === 'host') throw new EngineError('forbidden', 'container cannot be disconnected from host network or connected to host network');
      if (mode.kind === 'none') throw new EngineError('forbidden', 'container cannot be connected to multiple networks with one of the networks in private (none) mode');
      throw new EngineError('forbidden', `conflicting options: container type network can't be used with links. This would result in undefined behavior (network ${target.name})`);
    }
    const found = net.checkConnect(rec.id, rec.name.slice(1), network, config, Object.keys(rec.networking));
    const running = rec.state.status === 'running' || rec.state.status === 'paused';
    if (running) await net.connect(rec.id, sandboxSpec(ctx, rec), found.name, config);
    rec.networking = { ...rec.networking, [found.name]: { ...config, NetworkID: found.id } };
    await ctx.save(rec);
  });
}

/** `POST /networks/{id}/disconnect` (`force`: a missing container is not an error). */
export async function disconnectNetwork(ctx: ServiceContext, idOrName: string, network: string, force: boolean): Promise<void> {
  const net = ctx.deps.network;
  if (!net) throw new EngineError('not-implemented', 'networking is not available');
  let rec: ContainerRecord;
  try {
    rec = ctx.get(idOrName);
  } catch (err) {
    if (force) return;
    throw err;
  }
  await ctx.locks.run(rec.id, async () => {
    const found = net.find(network);
    if (found.name === 'host' && rec.hostConfig.NetworkMode === 'host') throw new EngineError('forbidden', 'container cannot be disconnected from host network or connected to host network');
    const key = Object.keys(rec.networking).find((k) => k === found.name || k === found.id);
    if (!key) throw new EngineError('internal', `container ${rec.id} is not connected to network ${found.name}`);
    if (rec.state.status === 'running' || rec.state.status === 'paused') await net.disconnect(rec.id, found.name);
    const { [key]: _gone, ...rest } = rec.networking;
    rec.networking = rest;
    await ctx.save(rec);
  });
}
