import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive } from './host-cleanup.js';
import { routesOverlapping } from './host-net.js';

/**
 * Address plan of the end-to-end suite (nothing here overlaps the oracle's 10.251.0.0/24
 * bridge and 10.252.0.0/16 pool from scripts/oracle-docker.sh):
 *
 *   10.253.<s>.1/24            a private berthd's default bridge (--bip), daemon slot s
 *   10.254.<16s>.0/20          its --default-address-pool (16 networks of /24)
 *   10.250.<16t+k>.0/24        subnets a test process gives with --subnet (k = 0..14), test slot t
 *   10.250.<16t+15>.<h>/32     host-side addresses a test adds (e.g. its DNS responder)
 *
 * Slots are claimed machine-wide with exclusive-create files under /run/berth-e2e/slots, so
 * concurrent test processes (and two berthds in one file) never share a bridge, subnet or
 * pool; a slot whose owner died is taken over, and a slot whose addresses overlap a route
 * already on the host (someone's bridge) is skipped.
 */
export const SLOT_DIR = process.env.BERTH_E2E_SLOT_DIR ?? '/run/berth-e2e/slots';
/** How many daemon and test slots exist (16 pools of /20 fill 10.254.0.0/16). */
export const SLOT_COUNT = 16;

/** One claimed slot; `release()` gives it back (also done at process exit). */
export interface Slot {
  readonly kind: string;
  readonly index: number;
  release(): void;
}

const held = new Map<string, Slot>();
process.once('exit', () => {
  for (const s of [...held.values()]) s.release();
});

/** The address ranges slot `i` of `kind` hands out (see the plan above). */
export function slotRanges(kind: string, i: number): string[] {
  if (kind === 'daemon') return [`10.253.${i}.0/24`, `10.254.${i * 16}.0/20`];
  if (kind === 'test') return [`10.250.${i * 16}.0/20`];
  return [];
}

/**
 * Claim the lowest free slot of `kind` (`daemon` or `test`).
 * @example const s = claimSlot('daemon'); const bip = `10.253.${s.index}.1/24`; s.release();
 */
export function claimSlot(kind: string, count = SLOT_COUNT, dir = SLOT_DIR): Slot {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const file = join(dir, `${kind}-${i}`);
    if (slotRanges(kind, i).some((c) => routesOverlapping(c).length > 0)) continue;
    if (tryClaim(file)) {
      const slot: Slot = {
        kind,
        index: i,
        release() {
          if (!held.delete(file)) return;
          try {
            if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
      held.set(file, slot);
      return slot;
    }
  }
  throw new Error(`no free ${kind} slot in ${dir} (${count} in use by live processes or overlapping host routes)`);
}

function createExclusive(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  }
}

function tryClaim(file: string): boolean {
  if (createExclusive(file)) return true;
  let owner = NaN;
  try {
    owner = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return false;
  }
  // A file being written has no pid yet; only a dead owner frees the slot.
  if (!(Number.isInteger(owner) && owner > 0) || pidAlive(owner)) return false;
  try {
    unlinkSync(file);
  } catch {
    /* someone else took it over first */
  }
  return createExclusive(file);
}

let testSlot: Slot | undefined;

/** This test process's slot for subnets it names itself (claimed on first use). */
export function testNetSlot(): number {
  testSlot ??= claimSlot('test');
  return testSlot.index;
}

/**
 * The k-th /24 this test process may pass to `--subnet` (k = 0..14), as `{subnet, prefix}`
 * where `prefix` is the first three octets (`10.250.X`) for building addresses.
 * @example const { subnet, prefix } = testSubnet(0); // '10.250.16.0/24', '10.250.16'
 */
export function testSubnet(k: number): { subnet: string; prefix: string; gateway: string } {
  if (k < 0 || k > 14) throw new Error(`test subnet index out of range: ${k}`);
  const prefix = `10.250.${testNetSlot() * 16 + k}`;
  return { subnet: `${prefix}.0/24`, prefix, gateway: `${prefix}.1` };
}

/** A host address (/32) this test process may add to an interface of its own (h = 1..254). */
export function testHostAddress(h: number): string {
  return `10.250.${testNetSlot() * 16 + 15}.${h}`;
}
