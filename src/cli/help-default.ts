import type { Option } from 'commander';

/**
 * Shows a default in help the way pflag prints one that is not its type's zero value
 * (`(default [])` for a list docker makes non-nil, `(default map[])`) without giving the
 * option a parsed default.
 *
 * @example shownDefault(new Option('--sysctl <map>', 'Sysctl options'), 'map[]')
 */
export function shownDefault(o: Option, text: string): Option {
  o.defaultValueDescription = text;
  return o;
}
