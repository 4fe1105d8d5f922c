import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { DaemonConfig } from './config.js';

/**
 * Opens the network module: records under `<data-root>/network`, iproute2/nftables on the
 * host, the embedded DNS for user networks, events on the bus. User networks recorded by
 * earlier berthd versions (`<data-root>/networks/networks.json`, records without addresses)
 * are created again once and the old file is kept as `.migrated`.
 */
export async function openNetworks(config: DaemonConfig, logger: Logger, events: EventBus) {
  const [net, dnsMod] = await Promise.all([import('../network/index.js'), import('../network/dns/index.js').catch(() => undefined)]);
  const log = logger.child({ module: 'network' });
  const dnsServer = (dnsMod as { EmbeddedDnsServer?: new (scope: unknown, opts?: unknown) => unknown } | undefined)?.EmbeddedDnsServer;
  const svc = await net.NetworkService.open({
    stateFile: join(config.dataRoot, 'network', 'state.json'),
    host: net.openNetHost({ logger: log }),
    config: config.network,
    dns: dnsServer ? (names) => new dnsServer(names, { logger: log }) as never : undefined,
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
