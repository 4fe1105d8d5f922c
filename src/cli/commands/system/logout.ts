import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { credentialKey, readDockerConfig, writeDockerConfig } from '../registry/docker-config.js';

/** `berth logout [SERVER]`: drops the server's entry from config.json. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('logout')
    .description('Log out from a registry')
    .usage('[SERVER]')
    .argument('[server]')
    .action(async (server: string | undefined) => {
      const key = credentialKey(server);
      const cfg = readDockerConfig();
      const auths = cfg.auths ?? {};
      const hits = [key, `https://${key}`, `http://${key}`].filter((k) => auths[k] !== undefined);
      // docker says so only for a registry other than Docker Hub
      if (!hits.length && server !== undefined && key !== 'https://index.docker.io/v1/') {
        ctx.out(`Not logged in to ${key}\n`);
        return;
      }
      ctx.out(`Removing login credentials for ${key}\n`);
      for (const k of hits) delete auths[k];
      writeDockerConfig(cfg);
    });
}
