// Picking sample indices for the Data view's grids. Pure, so tests cover it.

/** `count` distinct random indices below `n` (all of them, shuffled, when count ≥ n). */
export function randomSample(n: number, count: number, random: () => number = Math.random): number[] {
  const k = Math.min(count, n);
  const picked = new Set<number>();
  // Floyd's algorithm: k draws, no rejection loop, no n-sized array.
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    picked.add(picked.has(t) ? j : t);
  }
  return [...picked];
}

/** Indices whose label is `cls`, at most `limit`, in dataset order starting at `from`. */
export function indicesOfClass(labels: Uint8Array, cls: number, limit: number, from = 0): number[] {
  const out: number[] = [];
  for (let i = from; i < labels.length && out.length < limit; i++) if (labels[i] === cls) out.push(i);
  return out;
}

export function classCounts(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) if (l < classes) counts[l]!++;
  return counts;
}
