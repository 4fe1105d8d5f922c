import type { Command } from 'commander';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { FORMAT_HELP_JSON } from '../../format/formatter.js';
import { indentJson } from '../../format/json-indent.js';
import { inspectAll } from '../system/inspect-all.js';
import { DEFAULT_CONTEXT, currentContextName, metaPath, mustRead, tlsPath } from './store.js';

/** `berth context inspect [-f F] [CONTEXT...]` (the current one by default), docker's shape. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('inspect')
    .description('Display detailed information on one or more contexts')
    .usage('[OPTIONS] [CONTEXT] [CONTEXT...]')
    .argument('[contexts...]')
    .option('-f, --format <string>', FORMAT_HELP_JSON)
    .action(async (names: string[], o: { format?: string }) => {
      const wanted = names.length ? names : [currentContextName(ctx.context)];
      const view = (name: string): Record<string, unknown> => {
        const meta = mustRead(name);
        const isDefault = name === DEFAULT_CONTEXT;
        return {
          Name: meta.Name,
          Metadata: isDefault ? {} : meta.Metadata,
          Endpoints: meta.Endpoints,
          TLSMaterial: {},
          Storage: isDefault ? { MetadataPath: '<IN MEMORY>', TLSPath: '<IN MEMORY>' } : { MetadataPath: metaPath(name), TLSPath: tlsPath(name) },
        };
      };
      if (!o.format || o.format === 'json') {
        const found: unknown[] = [];
        const errors: string[] = [];
        for (const n of wanted) {
          try {
            found.push(view(n));
          } catch (e) {
            errors.push((e as Error).message);
          }
        }
        // Go's encoder escapes <, > and &
        const json = JSON.stringify(found).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        ctx.out(`${o.format === 'json' ? json : indentJson(json, '    ')}\n`);
        if (errors.length) throw new Error(errors.join('\n'));
        return;
      }
      // found ones are printed, then the missing ones' errors (exit status 1)
      const errors: string[] = [];
      const views = new Map<string, unknown>();
      for (const n of wanted) {
        try {
          views.set(n, view(n));
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      await inspectAll(ctx, [...views.keys()], o.format, async (n) => views.get(n));
      if (errors.length) throw new CliError(1, errors.join('\n'));
    });
}
