// mulberry32: tiny, fast seeded randomness, good enough for shuffles and splits (not for
// cryptography). Shared so the trainer (src-renderer/src/ml/random.ts) and the photo-folder
// planner draw the same sequences from the same seed.
export type Rng = () => number;

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
