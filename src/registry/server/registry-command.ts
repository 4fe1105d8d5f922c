import { parseArgs } from 'node:util';
import { garbageCollect } from './garbage-collect.js';
import { serveRegistry } from './serve.js';
import { isoTime } from '../../shared/iso-time.js';

const USAGE = `Usage:  berth registry serve --listen HOST:PORT --root DIR [--htpasswd FILE] [--tls-cert FILE --tls-key FILE]
        berth registry gc --root DIR [--dry-run]`;

/**
 * `berth registry ...` entry: parses its own arguments (it runs in-process, not through
 * berthd). Resolves to the exit code; `serve` resolves only when the server stops.
 */
export async function registryCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      listen: { type: 'string', default: '127.0.0.1:5000' },
      root: { type: 'string' },
      htpasswd: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'dry-run': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
    strict: true,
  });
  if (!values.root || (sub !== 'serve' && sub !== 'gc')) {
    process.stderr.write(`${USAGE}\n`);
    return 125;
  }
  if (sub === 'gc') {
    const r = await garbageCollect(values.root, { dryRun: values['dry-run'] });
    for (const d of r.deleted) out(`blob eligible for deletion: ${d}\n`);
    out(`${r.deleted.length} blobs ${values['dry-run'] ? 'would be ' : ''}deleted, ${r.kept} referenced\n`);
    return 0;
  }
  if (!!values['tls-cert'] !== !!values['tls-key']) {
    process.stderr.write('--tls-cert and --tls-key go together\n');
    return 125;
  }
  const reg = await serveRegistry({
    listen: values.listen!,
    root: values.root,
    htpasswd: values.htpasswd,
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    onRequest: values.quiet ? undefined : (l) => process.stderr.write(`${isoTime()} ${l}\n`),
  });
  out(`berth registry listening on ${reg.address} (root ${values.root})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => void reg.close().then(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
