import { invalid } from '../../shared/errors.js';

/** An OCI platform (`linux/arm64/v8`). */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The platform of this host (`linux/amd64` on x86-64). */
export function hostPlatform(): Platform {
  return { os: 'linux', architecture: ARCH[process.arch] ?? process.arch };
}

/** Parses `--platform` (`linux`, `linux/amd64`, `linux/arm/v7`); empty means the host. */
export function parsePlatform(s: string | undefined): Platform {
  if (!s) return hostPlatform();
  const parts = s.toLowerCase().split('/');
  if (parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p))) throw invalid(`"${s}": unknown operating system or architecture: invalid argument`);
  const [os, arch, variant] = parts;
  const p: Platform = { os: os!, architecture: arch ?? hostPlatform().architecture };
  if (variant) p.variant = variant;
  else if (p.architecture === 'arm64') p.variant = undefined;
  return p;
}

/** `linux/amd64` rendering. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Whether a manifest-list entry's platform satisfies `want` (variant only checked when given). */
export function platformMatches(have: { os?: string; architecture?: string; variant?: string } | undefined, want: Platform): boolean {
  if (!have) return false;
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (want.variant && have.variant && have.variant !== want.variant) return false;
  if (want.variant && !have.variant) return want.architecture === 'arm64' && want.variant === 'v8';
  return true;
}
