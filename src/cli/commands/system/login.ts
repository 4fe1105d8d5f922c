import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { CliError } from '../../cli-error.js';
import { credentialKey, INDEX_SERVER, readDockerConfig, storedCredentials, writeDockerConfig } from '../registry/docker-config.js';

async function readAllStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `berth login [-u USER] [-p PASS | --password-stdin] [SERVER]`: POST /auth, then store the credentials in config.json. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('login')
    .description('Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.')
    .usage('[OPTIONS] [SERVER]')
    .argument('[server]')
    .option('-u, --username <string>', 'Username')
    .option('-p, --password <string>', 'Password or Personal Access Token (PAT)')
    .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin')
    .action(async (server: string | undefined, o: { username?: string; password?: string; passwordStdin?: boolean }) => {
      const key = credentialKey(server);
      let { username, password } = o;
      if (o.password !== undefined) ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
      if (o.passwordStdin) {
        if (o.password !== undefined) throw new CliError(1, '--password and --password-stdin are mutually exclusive');
        if (!username) throw new CliError(1, 'Must provide --username with --password-stdin');
        password = (await readAllStdin(ctx)).replace(/\r?\n$/, '');
      }
      if (!username || password === undefined) {
        const stored = storedCredentials(key);
        if (stored && (!username || username === stored.username)) ({ username, password } = stored);
      }
      if (!username || password === undefined) {
        throw new CliError(1, 'Error: Cannot perform an interactive login from a non TTY device');
      }
      const serveraddress = server ? server : INDEX_SERVER;
      const t = await ctx.transport();
      const res = (await t.json('/auth', { method: 'POST', body: { username, password, serveraddress } })) as { Status?: string; IdentityToken?: string };
      const cfg = readDockerConfig();
      cfg.auths ??= {};
      cfg.auths[key] = res.IdentityToken ? { auth: Buffer.from(`${username}:`).toString('base64'), identitytoken: res.IdentityToken } : { auth: Buffer.from(`${username}:${password}`).toString('base64') };
      const file = writeDockerConfig(cfg);
      ctx.err(`\nWARNING! Your credentials are stored unencrypted in '${file}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
      ctx.out(`${res.Status ?? 'Login Succeeded'}\n`);
    });
}
