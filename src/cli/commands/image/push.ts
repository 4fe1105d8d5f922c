import type { Command } from 'commander';
import type { JSONMessage } from '../../../api/types.js';
import { jsonMessages } from '../../../api-client/json-stream.js';
import type { CliContext } from '../../context.js';
import { registryAuthFor } from '../registry/docker-config.js';
import { printMessages } from './print-messages.js';

/** `NAME[:TAG]` -> name and tag (a `:` after the last `/` is the tag). */
export function splitNameTag(ref: string): { name: string; tag?: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref };
}

/** `berth push [-a] [-q] NAME[:TAG]` (POST /images/{name}/push with X-Registry-Auth from config.json). */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('push')
    .description('Upload an image to a registry')
    .usage('[OPTIONS] NAME[:TAG]')
    .argument('<name>')
    .option('--disable-content-trust', 'Skip image signing', true)
    .option('-a, --all-tags', 'Push all tags of an image to the repository')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('--platform <string>', 'Push a platform-specific manifest as a single-platform image to the registry')
    .action(async (ref: string, o: { allTags?: boolean; quiet?: boolean }) => {
      let { name, tag } = splitNameTag(ref);
      if (!tag && !o.allTags) {
        tag = 'latest';
        if (!o.quiet) ctx.out('Using default tag: latest\n');
      }
      const t = await ctx.transport();
      const auth = registryAuthFor(name);
      const res = await t.request(`/images/${encodeURIComponent(name)}/push`, {
        method: 'POST',
        query: { tag },
        headers: { 'X-Registry-Auth': auth ?? Buffer.from('{}').toString('base64url') },
      });
      const messages: AsyncIterable<JSONMessage> = jsonMessages(res);
      await printMessages(ctx, messages, o.quiet ? () => undefined : ctx.out);
      if (o.quiet) ctx.out(`${name}${tag ? `:${tag}` : ''}\n`);
    });
}
