import type { Command, Option } from 'commander';

/** What commander keeps per command and how it looks an option up (not in its typings). */
interface OptionLookup {
  options: readonly Option[];
  _findOption(arg: string): Option | undefined;
}

const INDEX = new WeakMap<object, { list: readonly Option[]; seen: number; byFlag: Map<string, Option> }>();
const patched = new WeakSet<object>();

/**
 * commander (14) finds an option by scanning every option of the command (`options.find(o =>
 * o.is(arg))`), and does so twice for each option it adds: `run`'s ~100 flags cost ~10,000
 * comparisons, interpreted, at every start. This gives each command an index by flag, grown
 * as options are pushed (commander only ever appends to `options`), with the same answer:
 * the first option whose short or long flag is `arg`.
 *
 * @example indexOptionLookups(Command) // once, before commands are built
 */
export function indexOptionLookups(CommandClass: typeof Command): void {
  const proto = CommandClass.prototype as unknown as OptionLookup;
  if (patched.has(proto)) return;
  if (typeof proto._findOption !== 'function') return; // another commander: keep its own lookup
  patched.add(proto);
  proto._findOption = function findOption(this: OptionLookup, arg: string): Option | undefined {
    let ix = INDEX.get(this);
    if (ix?.list !== this.options) INDEX.set(this, (ix = { list: this.options, seen: 0, byFlag: new Map() }));
    for (; ix.seen < this.options.length; ix.seen++) {
      const o = this.options[ix.seen]!;
      for (const flag of [o.short, o.long]) if (flag && !ix.byFlag.has(flag)) ix.byFlag.set(flag, o);
    }
    return ix.byFlag.get(arg);
  };
}
