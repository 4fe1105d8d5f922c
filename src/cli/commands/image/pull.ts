import type { Command } from 'commander';
import { imagePull } from '../../../api-client/images.js';
import { jsonMessages } from '../../../api-client/json-stream.js';
import type { CliContext } from '../../context.js';
import { withDefaultTag } from '../container/create-container.js';
import { registryAuthFor } from '../registry/docker-config.js';
import { CliError } from '../../cli-error.js';

/** `berth pull [--platform P] [-q] NAME[:TAG|@DIGEST]` (POST /images/create?fromImage=, X-Registry-Auth from config.json). */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('pull')
    .description('Download an image from a registry')
    .usage('[OPTIONS] NAME[:TAG|@DIGEST]')
    .argument('<name>')
    .option('--disable-content-trust', 'Skip image verification', true)
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress verbose output')
    .action(async (name: string, o: { platform?: string; quiet?: boolean; allTags?: boolean }) => {
      const hasTag = name.includes('@') || name.lastIndexOf(':') > name.lastIndexOf('/');
      if (o.allTags && hasTag) throw new CliError(1, 'tag can\'t be used with --all-tags/-a');
      const ref = o.allTags ? name : withDefaultTag(name);
      if (!hasTag && !o.allTags && !o.quiet) ctx.out('Using default tag: latest\n');
      const t = await ctx.transport();
      const registryAuth = registryAuthFor(ref);
      const stream = o.allTags
        ? jsonMessages(await t.request('/images/create', { method: 'POST', query: { fromImage: name, platform: o.platform }, headers: registryAuth ? { 'X-Registry-Auth': registryAuth } : {} }))
        : await imagePull(t, ref, { platform: o.platform, registryAuth });
      for await (const m of stream) {
        if (m.error || m.errorDetail) throw new Error(m.errorDetail?.message ?? m.error);
        if (!o.quiet && m.status && !m.progressDetail?.current) ctx.out(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
      }
      const first = ref.split('/')[0]!;
      const qualified = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? ref : `docker.io/${ref.includes('/') ? ref : `library/${ref}`}`;
      ctx.out(`${qualified}\n`);
    });
}
