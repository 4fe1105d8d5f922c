import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { EngineError } from '../../shared/errors.js';
import type { SpecMutator } from './spec-input.js';
import type { DockerSeccompProfile } from './seccomp-profile.js';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp-default.js';
import { toOciSeccomp } from './seccomp-convert.js';
import { parseSecurityOpts } from './security-opts.js';

/**
 * linux.seccomp from SecurityOpt: Docker's default profile; none with `seccomp=unconfined` or
 * Privileged (which wins over any profile, as in dockerd); `seccomp=<json>` (what the docker CLI sends) or `seccomp=/path.json` loads a
 * Docker-format profile. Must run after withCapabilities (rules depend on the bounding set).
 */
export const withSeccomp: SpecMutator = (spec, input) => {
  const opt = parseSecurityOpts(input.hostConfig.SecurityOpt).seccomp;
  if (opt.kind === 'unconfined' || input.hostConfig.Privileged) {
    delete spec.linux.seccomp;
    return;
  }
  let profile: DockerSeccompProfile = DEFAULT_SECCOMP_PROFILE;
  if (opt.kind === 'json') profile = parseProfile(opt.text);
  else if (opt.kind === 'file') {
    let text: string;
    try {
      text = (input.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(opt.path);
    } catch (err) {
      throw EngineError.wrap('invalid-argument', `opening seccomp profile (${opt.path}) failed`, err);
    }
    profile = parseProfile(text);
  }
  spec.linux.seccomp = toOciSeccomp(profile, {
    capabilities: spec.process.capabilities?.bounding ?? [],
    arch: input.host?.arch ?? process.arch,
    kernel: input.host?.kernel ?? release(),
  });
};

function parseProfile(text: string): DockerSeccompProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw EngineError.wrap('invalid-argument', 'Decoding seccomp profile failed', err);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { defaultAction?: unknown }).defaultAction !== 'string') {
    throw new EngineError('invalid-argument', 'Decoding seccomp profile failed: defaultAction is required');
  }
  return parsed as DockerSeccompProfile;
}
