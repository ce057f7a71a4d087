/**
 * Class balancing for small, uneven photo sets (a user's own folders: 795 T-shirts beside 112
 * skirts). Each epoch keeps its size, but every label's share moves from its own count towards an
 * equal share: label c gets total · n_c^(1−s) / Σ n^(1−s) images, s = `strength` in [0, 1]
 * (0: as the set is, 1: every label equally often). A label below its share repeats its images
 * (each copy is augmented anew by the trainer); one above it gets a fresh random subset each epoch.
 */
import { randInt, shuffleInPlace, type Rng } from './random';

/** The training indices grouped by their label (labels with none are left out). */
export function indicesByLabel(indices: Int32Array, labels: Uint8Array): Int32Array[] {
  const groups = new Map<number, number[]>();
  for (const i of indices) {
    const label = labels[i]!;
    let group = groups.get(label);
    if (!group) groups.set(label, (group = []));
    group.push(i);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((label) => Int32Array.from(groups.get(label)!));
}

/** How many images each group gets in an epoch of `total` (the counts add up to `total`). */
export function balancedCounts(sizes: readonly number[], total: number, strength: number): number[] {
  if (!(strength >= 0 && strength <= 1)) throw new RangeError(`Class balance must be in [0, 1], got ${strength}`);
  const weights = sizes.map((n) => (n > 0 ? n ** (1 - strength) : 0));
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return sizes.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  // Largest remainders first, so the counts add up to the total exactly.
  const left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; k < left; k++) counts[byRemainder[k % byRemainder.length]![1]]! += 1;
  return counts;
}

/** One epoch's draw: each group's count, as whole shuffled passes over the group and a random rest. */
export function balancedDraw(groups: readonly Int32Array[], total: number, strength: number, rng: Rng): Int32Array {
  const counts = balancedCounts(groups.map((g) => g.length), total, strength);
  const out = new Int32Array(total);
  let at = 0;
  groups.forEach((group, g) => {
    let need = counts[g]!;
    const pass = Int32Array.from(group);
    while (need >= pass.length) {
      out.set(shuffleInPlace(pass, rng), at);
      at += pass.length;
      need -= pass.length;
    }
    // A partial Fisher–Yates: `need` distinct images of the group.
    for (let i = 0; i < need; i++) {
      const j = i + randInt(rng, pass.length - i);
      const t = pass[i]!;
      pass[i] = pass[j]!;
      pass[j] = t;
    }
    out.set(pass.subarray(0, need), at);
    at += need;
  });
  return out;
}
