// Scoring a model on prepared photos: predictions (optionally averaged with the mirrored picture:
// test-time flip) and top-1/top-3 against the classes allowed for each label, overall and per label.
import * as tf from '@tensorflow/tfjs';

/** n × classes probabilities for n 28×28 byte images; `flip` averages each with its mirror. */
export async function predictImages(model: tf.LayersModel, images: Uint8Array, opts: { flip?: boolean; batch?: number } = {}): Promise<Float32Array> {
  const n = images.length / 784;
  const batch = opts.batch ?? 256;
  const parts: Float32Array[] = [];
  for (let start = 0; start < n; start += batch) {
    const size = Math.min(batch, n - start);
    const out = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(images.subarray(start * 784, (start + size) * 784), [size, 28, 28, 1], 'float32'), 255) as tf.Tensor4D;
      const p = model.predict(x) as tf.Tensor2D;
      return opts.flip ? tf.div(tf.add(p, model.predict(tf.reverse(x, 2)) as tf.Tensor2D), 2) : p;
    });
    parts.push((await out.data()) as Float32Array);
    out.dispose();
  }
  const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

export interface LabelScore {
  n: number;
  top1: number;
  top3: number;
  /** Per label: [right at top-1, total]. */
  perLabel: [number, number][];
  /** confusion[label][top class]. */
  confusion: number[][];
}

/** Top-1/top-3: right when the top (any of the top 3) class is one of `allowed[label]`. */
export function scoreLabels(probs: Float32Array, labels: Uint8Array, allowed: readonly (readonly number[])[], classCount: number): LabelScore {
  const perLabel = allowed.map(() => [0, 0] as [number, number]);
  const confusion = allowed.map(() => new Array<number>(classCount).fill(0));
  let top1 = 0;
  let top3 = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = probs.subarray(i * classCount, (i + 1) * classCount);
    const order = Array.from(row.keys()).sort((a, b) => row[b]! - row[a]! || a - b);
    const ok = allowed[labels[i]!]!;
    const right = ok.includes(order[0]!);
    top1 += +right;
    top3 += +order.slice(0, 3).some((c) => ok.includes(c));
    perLabel[labels[i]!]![0] += +right;
    perLabel[labels[i]!]![1]++;
    confusion[labels[i]!]![order[0]!]!++;
  }
  const n = labels.length;
  return { n, top1: n ? top1 / n : 0, top3: n ? top3 / n : 0, perLabel, confusion };
}
