/**
 * Floating-point work of one training step per image, for GFLOP/s figures: the multiply-adds of
 * convolutions and dense layers, counted as 2 FLOPs each, forward (1×) plus backward (the
 * weight gradient, and the input gradient for every layer but the first). Element-wise work
 * (activations, pooling, batch norm, the optimizer) is left out: it is small next to these, and
 * the same count serves every engine, so the ratios stay fair.
 */
import type { LayerSpec } from '../src-shared/types/train';
import { DEFAULT_INPUT_SHAPE, summarize } from '../src-renderer/src/ml/layers';

export function trainingFlopsPerImage(layers: readonly LayerSpec[]): number {
  const rows = summarize(layers).rows;
  let input: number[] = [...DEFAULT_INPUT_SHAPE];
  let flops = 0;
  let first = true;
  layers.forEach((spec, i) => {
    const output = rows[i]!.outputShape.slice(1) as number[];
    let macs = 0;
    if (spec.type === 'conv2d') macs = output[0]! * output[1]! * output[2]! * spec.kernel * spec.kernel * input[2]!;
    if (spec.type === 'dense') macs = input[0]! * spec.units;
    if (macs > 0) {
      flops += 2 * macs * (first ? 2 : 3);
      first = false;
    }
    input = output;
  });
  return flops;
}
