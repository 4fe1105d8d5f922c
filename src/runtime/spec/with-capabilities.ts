import type { SpecMutator } from './spec-input.js';
import { tweakCapabilities } from './capabilities.js';

/**
 * Bounding/effective/permitted = Docker's default set tweaked by CapAdd/CapDrop/Privileged;
 * inheritable and ambient stay empty (as Docker does since 20.10.14).
 */
export const withCapabilities: SpecMutator = (spec, input) => {
  const hc = input.hostConfig;
  const caps = tweakCapabilities(hc.CapAdd ?? [], hc.CapDrop ?? [], hc.Privileged === true, input.host?.capabilities);
  spec.process.capabilities = {
    bounding: [...caps],
    effective: [...caps],
    permitted: [...caps],
    inheritable: [],
    ambient: [],
  };
};
