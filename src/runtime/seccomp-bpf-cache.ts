import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciSpec } from './spec/oci-types.js';

/** crun's annotation: raw BPF (base64) used instead of compiling `linux.seccomp`. */
export const SECCOMP_BPF_ANNOTATION = 'run.oci.seccomp_bpf_data';
/** Distinct filters kept (the default profile times a few capability sets in practice). */
const MAX_ENTRIES = 16;

/**
 * Compiling Docker's seccomp profile to BPF costs crun 10-25 ms of CPU at every `create`
 * (libseccomp; crun's own cache is compiled out of Debian's build). crun writes the filter it
 * compiled to `<root>/<id>/seccomp.bpf` and accepts a precompiled one through the
 * `run.oci.seccomp_bpf_data` annotation, so this cache learns each distinct `linux.seccomp`
 * (keyed by its exact JSON) from the first container created with it and hands the bytes to the
 * next ones. The filter is the one crun itself compiled from the same section, on this kernel
 * with this crun: the same bytes it would compile again. Only for crun (runc has no such
 * annotation); nothing is kept on disk.
 *
 * @example
 *   const key = cache.annotate(spec);           // before writing config.json
 *   await launch(...); await cache.learn(key, id); // after `crun create` succeeded
 */
export class SeccompBpfCache {
  private readonly entries = new Map<string, string>();

  /** @param root the runtime's `--root` (its per-container state dirs). */
  constructor(private readonly root: string) {}

  /** Adds the annotation when the filter is known; returns the key to learn() it otherwise. */
  annotate(spec: OciSpec): string | undefined {
    const seccomp = spec.linux.seccomp;
    if (!seccomp || spec.annotations?.[SECCOMP_BPF_ANNOTATION]) return undefined;
    const key = createHash('sha256').update(JSON.stringify(seccomp)).digest('hex');
    const bpf = this.entries.get(key);
    if (!bpf) return key;
    spec.annotations = { ...spec.annotations, [SECCOMP_BPF_ANNOTATION]: bpf };
    return undefined;
  }

  /** Remember the filter crun compiled for container `id` (best effort). */
  async learn(key: string | undefined, id: string): Promise<void> {
    if (!key || this.entries.has(key)) return;
    let bpf: Buffer;
    try {
      bpf = await readFile(join(this.root, id, 'seccomp.bpf'));
    } catch {
      return;
    }
    // struct sock_filter is 8 bytes; an empty or torn file is not a filter
    if (bpf.length === 0 || bpf.length % 8 !== 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, bpf.toString('base64'));
  }
}
