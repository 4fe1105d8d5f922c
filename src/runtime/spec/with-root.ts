import type { SpecMutator } from './spec-input.js';

/**
 * root.path/readonly, hostname/domainname, and linux.rootfsPropagation: rprivate unless a
 * bind mount asks for shared (-> rshared) or slave (-> rslave) propagation, as dockerd does.
 * Runs after withMounts and withNamespaces.
 */
export const withRoot: SpecMutator = (spec, input) => {
  spec.root = { path: input.rootfsPath, ...(input.hostConfig.ReadonlyRootfs ? { readonly: true } : {}) };
  const uts = input.hostConfig.UTSMode === 'host';
  delete spec.hostname;
  delete spec.domainname;
  if (!uts) {
    spec.hostname = input.hostname;
    if (input.config.Domainname) spec.domainname = input.config.Domainname;
  }
  const opts = spec.mounts.flatMap((m) => (m.type === 'bind' ? (m.options ?? []) : []));
  if (opts.some((o) => o === 'shared' || o === 'rshared')) spec.linux.rootfsPropagation = 'rshared';
  else if (opts.some((o) => o === 'slave' || o === 'rslave')) spec.linux.rootfsPropagation = 'rslave';
  else spec.linux.rootfsPropagation = 'rprivate';
};
