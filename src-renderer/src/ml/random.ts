/**
 * Seeded randomness for everything the trainer decides by chance (splits, shuffles,
 * augmentation, initialiser and dropout seeds), so the same seed gives the same run.
 * mulberry32: tiny, fast, and good enough for shuffling; not for cryptography.
 */
import { mulberry32, type Rng } from '../../../src-shared/random';

export { mulberry32, type Rng };

/** A 32-bit integer from the generator, for seeding other generators or tfjs initialisers. */
export function nextSeed(rng: Rng): number {
  return Math.floor(rng() * 4294967296) >>> 0;
}

/**
 * An independent stream for one purpose ("shuffle", "augment", ...) of one run, so adding
 * a random draw in one place does not shift every other stream.
 */
export function streamFor(seed: number, purpose: string): Rng {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < purpose.length; i++) {
    h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  }
  return mulberry32(h);
}

/** Uniform integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher–Yates shuffle in place; returns the array. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(a: T, rng: Rng): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** 0..n-1 in a seeded random order. */
export function permutation(n: number, rng: Rng): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return shuffleInPlace(a, rng);
}
