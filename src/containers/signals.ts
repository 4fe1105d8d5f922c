import { constants } from 'node:os';
import { invalid } from '../shared/errors.js';

const BY_NUMBER = new Map<number, string>(Object.entries(constants.signals).map(([k, v]) => [v, k]));

/** `SIGTERM` -> 15, `SIGRTMIN+3` -> 37 (Linux numbers; the `signal` attribute of `kill` events). */
export function signalNumber(name: string): number {
  const rt = /^SIGRTM(IN|AX)([+-]\d+)?$/.exec(name);
  if (rt) return (rt[1] === 'IN' ? 34 : 64) + Number(rt[2] ?? 0);
  return (constants.signals as Record<string, number>)[name] ?? 0;
}

/**
 * Normalizes a Docker signal argument (`TERM`, `SIGTERM`, `15`, `sigkill`) to `SIGxxx`;
 * throws Docker's `Invalid signal: x`.
 */
export function parseSignal(raw: string | undefined, fallback = 'SIGKILL'): string {
  const s = (raw ?? '').trim();
  if (!s) return fallback;
  if (/^\d+$/.test(s)) {
    const name = BY_NUMBER.get(Number(s));
    if (!name) throw invalid(`Invalid signal: ${s}`);
    return name;
  }
  const up = s.toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  if (/^SIGRTM(IN|AX)([+-]\d+)?$/.test(name)) return name;
  if (!(name in constants.signals)) throw invalid(`Invalid signal: ${s}`);
  return name;
}
