import type { ContainerConfig, HostConfig } from '../../api/types.js';
import { EngineError } from '../../shared/errors.js';
import { normalizeCapability } from './capabilities.js';
import { parseSecurityOpts } from './security-opts.js';
import { validateResources } from './validate-resources.js';
import { parseDeviceCgroupRule } from './with-devices.js';

/**
 * dockerd's create-time checks of what the spec will be built from (resources, security
 * options, capabilities, device cgroup rules, hostname vs UTS mode), with its wording.
 * Returns the warnings dockerd sends back with the create. `cpus` (host CPU count) enables
 * the NanoCpus range check.
 *
 * @example validateHostConfig({ OomKillDisable: true }) // ['OOM killer is disabled for the container, but no memory limit is set, ...']
 */
export function validateHostConfig(hc: HostConfig, cpus?: number, config?: ContainerConfig): string[] {
  validateResources(hc, cpus);
  parseSecurityOpts(hc.SecurityOpt);
  capabilities(hc.CapAdd, 'CapAdd');
  capabilities(hc.CapDrop, 'CapDrop');
  for (const rule of hc.DeviceCgroupRules ?? []) parseDeviceCgroupRule(rule);
  if (hc.UTSMode === 'host' && config?.Hostname) throw new EngineError('invalid-argument', 'conflicting options: hostname and the UTS mode');
  const warnings: string[] = [];
  if (hc.OomKillDisable && !(hc.Memory ?? 0)) {
    warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  }
  return warnings;
}

function capabilities(list: readonly string[] | null | undefined, field: string): void {
  for (const c of list ?? []) {
    try {
      normalizeCapability(c);
    } catch (err) {
      throw new EngineError('invalid-argument', `invalid ${field}: ${(err as Error).message}`);
    }
  }
}
