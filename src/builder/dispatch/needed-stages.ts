import type { Stage } from '../dockerfile/types.js';

/** Stages the last one needs (FROM <stage>, COPY --from, RUN --mount from=), by index. */
export function neededStages(stages: Stage[]): Set<number> {
  const byName = new Map<string, Stage>();
  for (const s of stages) {
    byName.set(String(s.index), s);
    if (s.from.stageName) byName.set(s.from.stageName, s);
  }
  const need = new Set<number>();
  const visit = (s: Stage): void => {
    if (need.has(s.index)) return;
    need.add(s.index);
    const deps = [s.from.image.toLowerCase()];
    for (const ins of s.instructions) {
      if (ins.kind === 'COPY' && ins.from !== undefined) deps.push(ins.from.toLowerCase());
      if (ins.kind === 'RUN') for (const m of ins.mounts) {
        const f = /(?:^|,)from=([^,]+)/.exec(m);
        if (f) deps.push(f[1]!.toLowerCase());
      }
    }
    for (const d of deps) {
      const dep = byName.get(d);
      if (dep && dep.index < s.index) visit(dep);
    }
  };
  const last = stages.at(-1);
  if (last) visit(last);
  return need;
}
