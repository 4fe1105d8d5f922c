import type { OciSeccompArg, SeccompAction } from './oci-types.js';

/** Conditions of a Docker seccomp rule (`includes` / `excludes`). */
export interface SeccompFilter {
  /** Go arch names: amd64, x32, x86, arm, arm64, s390x, ppc64le, riscv64 ... */
  arches?: string[];
  /** Capabilities (CAP_*) that must all be present (includes) / any of which excludes. */
  caps?: string[];
  /** e.g. '4.8' */
  minKernel?: string;
}

/** One rule of a Docker-format seccomp profile. */
export interface DockerSeccompRule {
  name?: string;
  names?: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: OciSeccompArg[] | null;
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

/** A Docker-format seccomp profile (`--security-opt seccomp=profile.json`). */
export interface DockerSeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  flags?: string[];
  syscalls?: DockerSeccompRule[];
}
