import type { Readable } from 'node:stream';
import type { JSONMessage } from '../api/types.js';

/**
 * Parses a stream of JSON values (newline-delimited or simply concatenated, as Docker sends
 * progress and events) into objects.
 *
 * @example for await (const msg of jsonMessages(res)) console.log(msg.status);
 */
export async function* jsonMessages<T = JSONMessage>(stream: Readable): AsyncGenerator<T> {
  let pending = '';
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let end: number;
    while ((end = jsonEnd(pending)) > 0) {
      const text = pending.slice(0, end).trim();
      pending = pending.slice(end);
      if (text) yield JSON.parse(text) as T;
    }
  }
  const rest = pending.trim();
  if (rest) yield JSON.parse(rest) as T;
}

/** Index just past the first complete top-level JSON value in `s`, or 0. */
function jsonEnd(s: string): number {
  let depth = 0;
  let inStr = false;
  let started = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '{' || c === '[') {
      depth++;
      started = true;
    } else if (c === '}' || c === ']') {
      depth--;
      if (started && depth === 0) return i + 1;
    }
  }
  return 0;
}
