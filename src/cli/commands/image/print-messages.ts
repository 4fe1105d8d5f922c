import type { JSONMessage } from '../../../api/types.js';
import type { CliContext } from '../../context.js';

/** Prints a JSON progress stream as docker does without a terminal; throws on an `error` message. */
export async function printMessages(ctx: CliContext, messages: AsyncIterable<JSONMessage>, write: (s: string) => void = ctx.out): Promise<void> {
  for await (const m of messages) {
    if (m.error || m.errorDetail) throw new Error(m.errorDetail?.message ?? m.error);
    if (m.stream !== undefined) write(m.stream);
    else if (m.status !== undefined && !m.progressDetail?.current) write(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
  }
}
