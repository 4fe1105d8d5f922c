import os from 'node:os';
import type { Command } from 'commander';
import { version } from '../../../api-client/system.js';
import { MAX_API_VERSION } from '../../../api-client/transport.js';
import type { CliContext } from '../../context.js';
import { GoTemplate, STRICT } from '../../format/go-template.js';
import { tabwrite } from '../../format/tabwriter.js';
import { reformatDate, versionView } from '../../format/version-view.js';
import { BERTH_BUILD, BERTH_VERSION } from '../../version.js';
import { FORMAT_HELP_JSON } from '../../format/formatter.js';

/** `berth version [-f FORMAT]`: client block, then the server's (or the connection error). */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('version')
    .description('Show the Docker version information')
    .usage('[OPTIONS]')
    .option('-f, --format <string>', FORMAT_HELP_JSON)
    .action(async (o: { format?: string }) => {
      const t = await ctx.transport();
      const arch = os.arch() === 'x64' ? 'amd64' : os.arch();
      const client = {
        Version: BERTH_VERSION,
        ApiVersion: MAX_API_VERSION,
        DefaultAPIVersion: MAX_API_VERSION,
        GitCommit: BERTH_BUILD,
        GoVersion: process.version,
        Os: process.platform,
        Arch: arch,
        BuildTime: '',
        Context: 'default',
      };
      let server: Awaited<ReturnType<typeof version>> | undefined;
      let failure: unknown;
      try {
        server = await version(t);
      } catch (e) {
        failure = e;
      }
      if (o.format) {
        const f = o.format === 'json' ? '{{json .}}' : o.format;
        let text = '';
        let templateError: unknown;
        try {
          const view = versionView(client, server);
          Object.defineProperty(view, STRICT, { value: 'system.versionInfo', enumerable: false });
          text = new GoTemplate(f, {}, { name: 'version' }).execute(view);
        } catch (e) {
          templateError = e;
        }
        ctx.out(`${tabwrite(`${text}\n`, 20, 1)}`);
        if (failure) throw failure;
        if (templateError) throw templateError;
        return;
      }
      const lines = [
        'Client:',
        ` Version:           ${client.Version}`,
        ` API version:       ${client.ApiVersion}`,
        ` Node version:      ${client.GoVersion}`,
        ` Git commit:        ${client.GitCommit}`,
        ` OS/Arch:           ${client.Os}/${client.Arch}`,
        ` Context:           ${client.Context}`,
      ];
      if (server) {
        lines.push('', `Server: ${server.Platform?.Name ?? ''}`.trimEnd());
        const engine = server.Components?.find((c) => c.Name === 'Engine');
        lines.push(' Engine:');
        lines.push(`  Version:          ${server.Version}`);
        lines.push(`  API version:      ${server.ApiVersion}${server.MinAPIVersion ? ` (minimum version ${server.MinAPIVersion})` : ''}`);
        if (server.GoVersion) lines.push(`  Go version:       ${server.GoVersion}`);
        if (server.GitCommit) lines.push(`  Git commit:       ${server.GitCommit}`);
        const built = engine?.Details?.BuildTime ?? server.BuildTime;
        if (built) lines.push(`  Built:            ${reformatDate(built)}`);
        lines.push(`  OS/Arch:          ${server.Os}/${server.Arch}`);
        lines.push(`  Experimental:     ${engine?.Details?.Experimental ?? String(server.Experimental ?? false)}`);
        for (const c of server.Components ?? []) {
          if (c.Name === 'Engine') continue;
          lines.push(` ${c.Name}:`, `  Version:          ${c.Version}`);
          if (c.Details?.GitCommit) lines.push(`  GitCommit:        ${c.Details.GitCommit}`);
        }
      }
      ctx.out(`${lines.join('\n')}\n`);
      if (failure) throw failure;
    });
}
