import { InstructionError } from './parse-error.js';

type FlagType = 'bool' | 'string' | 'strings';

/**
 * An instruction's `--flag[=value]` words, checked against the flags it declares, with
 * Docker's messages (`Unknown flag: x`, `Missing a value on flag: x`, ...).
 *
 * @example
 *   const f = new InstructionFlags(['--from=build', '--link']);
 *   const from = f.string('from'); const link = f.bool('link'); f.parse();
 *   from.value; // 'build'
 */
export class InstructionFlags {
  private readonly declared = new Map<string, { type: FlagType; values: string[]; set: boolean }>();

  constructor(private readonly words: readonly string[]) {}

  string(name: string): { readonly value: string | undefined } {
    const f = this.declare(name, 'string');
    return { get value() { return f.set ? f.values[f.values.length - 1] : undefined; } };
  }

  strings(name: string): { readonly values: readonly string[] } {
    const f = this.declare(name, 'strings');
    return { get values() { return f.values; } };
  }

  bool(name: string): { readonly value: boolean } {
    const f = this.declare(name, 'bool');
    return { get value() { return f.set && f.values[0] === 'true'; } };
  }

  private declare(name: string, type: FlagType): { type: FlagType; values: string[]; set: boolean } {
    const f = { type, values: [] as string[], set: false };
    this.declared.set(name, f);
    return f;
  }

  /** Check and read every flag word; throws Docker's message for the first bad one. */
  parse(): void {
    for (const word of this.words) {
      if (!word.startsWith('--')) throw new InstructionError(`Arg should start with -- : ${word}`);
      if (word === '--') return;
      const body = word.slice(2);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      const value = eq >= 0 ? body.slice(eq + 1) : '';
      const flag = this.declared.get(name);
      if (!flag) throw new InstructionError(`Unknown flag: ${name}`);
      if (flag.set && flag.type !== 'strings') throw new InstructionError(`Duplicate flag specified: ${name}`);
      flag.set = true;
      if (flag.type === 'bool') {
        if (eq >= 0 && value === '') throw new InstructionError(`Missing a value on flag: ${name}`);
        const lower = value.toLowerCase();
        if (lower !== '' && lower !== 'true' && lower !== 'false') {
          throw new InstructionError(`Expecting boolean value for flag ${name}, not: ${value}`);
        }
        flag.values = [lower || 'true'];
      } else {
        if (eq < 0) throw new InstructionError(`Missing a value on flag: ${name}`);
        flag.values.push(value);
      }
    }
  }
}
