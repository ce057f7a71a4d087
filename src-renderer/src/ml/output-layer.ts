/**
 * A stack's output layer sized for a dataset: the presets end in Dense(10) for Fashion-MNIST, and
 * the same network trains on a 3-class or a 47-class set with that last layer resized.
 */
import type { LayerSpec } from '../../../src-shared/types/train';

/** `layers` with the final Dense layer giving `classes` outputs (unchanged if it already does, or if the stack does not end in Dense). */
export function withClasses(layers: readonly LayerSpec[], classes: number): LayerSpec[] {
  const last = layers[layers.length - 1];
  if (!last || last.type !== 'dense' || last.units === classes) return [...layers];
  return [...layers.slice(0, -1), { ...last, units: classes }];
}
