const IPV4_SUFFIX = '.in-addr.arpa';
const IPV6_SUFFIX = '.ip6.arpa';

/**
 * The address a complete reverse-lookup name stands for, `undefined` for anything else
 * (partial zones, other names). Expects a lower-case name without a trailing dot.
 *
 * @example
 *   addressFromReverseName('3.0.17.172.in-addr.arpa'); // '172.17.0.3'
 *   addressFromReverseName('1.0.0.0. ... .8.b.d.0.1.0.0.2.ip6.arpa'); // '2001:db8::1'
 */
export function addressFromReverseName(name: string): string | undefined {
  if (name.endsWith(IPV4_SUFFIX)) return ipv4(name.slice(0, -IPV4_SUFFIX.length).split('.'));
  if (name.endsWith(IPV6_SUFFIX)) return ipv6(name.slice(0, -IPV6_SUFFIX.length).split('.'));
  return undefined;
}

function ipv4(labels: string[]): string | undefined {
  if (labels.length !== 4) return undefined;
  const octets = labels.reverse().map((l) => (/^(0|[1-9]\d{0,2})$/.test(l) ? Number(l) : NaN));
  return octets.every((o) => o <= 255) ? octets.join('.') : undefined;
}

function ipv6(labels: string[]): string | undefined {
  if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return undefined;
  const nibbles = labels.reverse().join('');
  const groups = Array.from({ length: 8 }, (_, i) => parseInt(nibbles.slice(i * 4, i * 4 + 4), 16).toString(16));
  return compress(groups);
}

/** RFC 5952 text: the longest run (2+) of zero groups becomes `::`, the first one on ties. */
function compress(groups: string[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}
