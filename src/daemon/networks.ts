import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { DaemonConfig } from './config.js';
import type { EmbeddedDns } from '../network/dns/dns-types.js';

/**
 * Opens the network module: records under `<data-root>/network`, iproute2/nftables on the
 * host, the embedded DNS for user networks, events on the bus. User networks recorded by
 * earlier berthd versions (`<data-root>/networks/networks.json`, records without addresses)
 * are created again once and the old file is kept as `.migrated`.
 */
export async function openNetworks(config: DaemonConfig, logger: Logger, events: EventBus) {
  const net = await import('../network/index.js');
  const log = logger.child({ module: 'network' });
  const svc = await net.NetworkService.open({
    stateFile: join(config.dataRoot, 'network', 'state.json'),
    host: net.openNetHost({ logger: log }),
    config: config.network,
    dns: (names) => lazyDns(async () => new (await import('../network/dns/index.js')).EmbeddedDnsServer(names, { logger: log }), log),
    hostResolvConf: () => {
      try {
        return readFileSync('/etc/resolv.conf', 'utf8');
      } catch {
        return '';
      }
    },
    publish: (e) => events.publish(e),
    logger: log,
  });
  const legacy = join(config.dataRoot, 'networks', 'networks.json');
  if (existsSync(legacy)) {
    try {
      const old = JSON.parse(readFileSync(legacy, 'utf8')) as { Name: string; Internal?: boolean; Attachable?: boolean; Labels?: Record<string, string>; Options?: Record<string, string> }[];
      for (const n of old) {
        await svc
          .create({ Name: n.Name, Internal: n.Internal, Attachable: n.Attachable, Labels: n.Labels, Options: n.Options, CheckDuplicate: true })
          .catch((err: unknown) => log.warn('failed to migrate network record', { name: n.Name, err }));
      }
      renameSync(legacy, `${legacy}.migrated`);
    } catch (err) {
      log.warn('failed to read old network records', { err });
    }
  }
  return svc;
}

/**
 * The embedded DNS, imported when the first user network listens (a daemon with none never
 * loads it). When it cannot be loaded, listen answers port 0: the network module then gives
 * containers the host's resolvers, as without an embedded DNS.
 */
export function lazyDns(make: () => Promise<EmbeddedDns>, log: Logger): EmbeddedDns {
  let dns: Promise<EmbeddedDns | undefined> | undefined;
  const load = (): Promise<EmbeddedDns | undefined> =>
    (dns ??= make().catch((err: unknown) => {
      log.warn('failed to load the embedded DNS; containers use the host resolvers', { err });
      return undefined;
    }));
  return {
    listen: async (address, port) => (await load())?.listen(address, port) ?? 0,
    unlisten: async (address) => {
      if (dns) await (await dns)?.unlisten(address);
    },
    close: async () => {
      if (dns) await (await dns)?.close();
    },
  };
}
