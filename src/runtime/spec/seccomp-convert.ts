import { EngineError } from '../../shared/errors.js';
import type { OciSeccomp, OciSeccompSyscall } from './oci-types.js';
import type { DockerSeccompProfile, SeccompFilter } from './seccomp-profile.js';

/** Node's process.arch -> [Go arch name, libseccomp native arch]. */
const ARCHES: Record<string, [string, string]> = {
  x64: ['amd64', 'SCMP_ARCH_X86_64'],
  ia32: ['386', 'SCMP_ARCH_X86'],
  arm64: ['arm64', 'SCMP_ARCH_AARCH64'],
  arm: ['arm', 'SCMP_ARCH_ARM'],
  s390x: ['s390x', 'SCMP_ARCH_S390X'],
  ppc64: ['ppc64le', 'SCMP_ARCH_PPC64LE'],
  riscv64: ['riscv64', 'SCMP_ARCH_RISCV64'],
  mips64el: ['mips64le', 'SCMP_ARCH_MIPSEL64'],
};

/** Where the profile is applied: the container's bounding caps, the host's arch and kernel. */
export interface SeccompContext {
  capabilities: readonly string[];
  /** Node-style arch (process.arch). */
  arch: string;
  /** Kernel release, e.g. '6.1.0-18-amd64'. */
  kernel: string;
}

/** '6.1.0-18-amd64' >= '4.8' */
export function kernelAtLeast(release: string, min: string): boolean {
  const parse = (v: string): number[] => (v.match(/^(\d+)(?:\.(\d+))?/) ?? []).slice(1, 3).map((x) => Number(x ?? 0));
  const [a = 0, b = 0] = parse(release);
  const [x = 0, y = 0] = parse(min);
  return a > x || (a === x && b >= y);
}

/**
 * Docker-format profile -> OCI linux.seccomp for this container, resolving archMap and each
 * rule's includes/excludes exactly as dockerd's setupSeccomp does.
 *
 * @example toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { capabilities: caps, arch: process.arch, kernel: os.release() })
 */
export function toOciSeccomp(profile: DockerSeccompProfile, ctx: SeccompContext): OciSeccomp {
  if ((profile.architectures?.length ?? 0) > 0 && (profile.archMap?.length ?? 0) > 0) {
    throw new EngineError('invalid-argument', "'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const [goArch, nativeArch] = ARCHES[ctx.arch] ?? [ctx.arch, ''];
  const out: OciSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const arches = [...(profile.architectures ?? [])];
  for (const a of profile.archMap ?? []) {
    if (a.architecture === nativeArch) arches.push(a.architecture, ...(a.subArchitectures ?? []));
  }
  if (arches.length > 0) out.architectures = arches;
  if (profile.flags && profile.flags.length > 0) out.flags = [...profile.flags];
  const syscalls: OciSeccompSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (rule.name && rule.names && rule.names.length > 0) {
      throw new EngineError('invalid-argument', "'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
    }
    if (excluded(rule.excludes, goArch, ctx) || !included(rule.includes, goArch, ctx)) continue;
    const call: OciSeccompSyscall = { names: rule.name ? [rule.name] : [...(rule.names ?? [])], action: rule.action };
    if (rule.errnoRet !== undefined) call.errnoRet = rule.errnoRet;
    if (rule.args && rule.args.length > 0) call.args = rule.args.map((a) => ({ ...a }));
    syscalls.push(call);
  }
  out.syscalls = syscalls;
  return out;
}

function excluded(f: SeccompFilter | undefined, arch: string, ctx: SeccompContext): boolean {
  if (!f) return false;
  if (f.arches?.includes(arch)) return true;
  if (f.caps?.some((c) => ctx.capabilities.includes(c))) return true;
  if (f.minKernel && kernelAtLeast(ctx.kernel, f.minKernel)) return true;
  return false;
}

function included(f: SeccompFilter | undefined, arch: string, ctx: SeccompContext): boolean {
  if (!f) return true;
  if (f.arches && f.arches.length > 0 && !f.arches.includes(arch)) return false;
  if (f.caps && !f.caps.every((c) => ctx.capabilities.includes(c))) return false;
  if (f.minKernel && !kernelAtLeast(ctx.kernel, f.minKernel)) return false;
  return true;
}
