import type { OciSpec } from './oci-types.js';
import type { SpecInput, SpecMutator } from './spec-input.js';
import { withProcess } from './with-process.js';
import { withNamespaces } from './with-namespaces.js';
import { withMounts } from './with-mounts.js';
import { withCapabilities } from './with-capabilities.js';
import { withSeccomp } from './with-seccomp.js';
import { withMaskedPaths } from './with-masked-paths.js';
import { withDevices } from './with-devices.js';
import { withResources } from './with-resources.js';
import { withRlimits } from './with-rlimits.js';
import { withSysctls } from './with-sysctls.js';
import { withRoot } from './with-root.js';

export type { SpecInput } from './spec-input.js';

/** OCI runtime-spec version berth writes (crun 1.8 / runc 1.1 accept it). */
export const OCI_VERSION = '1.0.2';

/** The mutators buildSpec applies, in order (capabilities before seccomp, mounts before root). */
export const SPEC_MUTATORS: readonly SpecMutator[] = [
  withProcess,
  withNamespaces,
  withMounts,
  withRoot,
  withCapabilities,
  withSeccomp,
  withMaskedPaths,
  withDevices,
  withResources,
  withRlimits,
  withSysctls,
];

/** The empty skeleton the mutators fill in. */
export function baseSpec(input: SpecInput): OciSpec {
  return {
    ociVersion: OCI_VERSION,
    process: { user: { uid: 0, gid: 0 }, args: [], env: [], cwd: '/' },
    root: { path: input.rootfsPath },
    hostname: input.hostname,
    mounts: [],
    linux: { namespaces: [] },
  };
}

/**
 * Build the OCI config.json for a container with Docker's defaults and security settings.
 * Pure: no process is spawned; throws EngineError for invalid settings (Docker's wording).
 *
 * @example
 *   const spec = buildSpec({ id, rootfsPath: `${bundle}/rootfs`, config, hostConfig, user,
 *     hostname: id.slice(0, 12), files, netns: { mode: 'none' }, cgroupsPath: `berth/${id}` });
 *   await writeFile(`${bundle}/config.json`, JSON.stringify(spec));
 */
export function buildSpec(input: SpecInput, mutators: readonly SpecMutator[] = SPEC_MUTATORS): OciSpec {
  const spec = baseSpec(input);
  for (const mutate of mutators) mutate(spec, input);
  return spec;
}
