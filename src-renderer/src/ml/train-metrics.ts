/**
 * The trainer's metrics on the device: correct counts, the validation pass, and one read-back for
 * a pair of sums (each read is a round trip to the GPU, so two scalars travel together).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainData } from './data';
import { allowedCrossentropy } from './optim';
import { yieldToEventLoop } from './yield';

/** How many predictions' top class is one of the classes right for their image (`allowed`: rows of 0/1). */
export function countCorrect(preds: tf.Tensor2D, allowed: tf.Tensor2D): tf.Scalar {
  const top = tf.oneHot(tf.argMax(preds, -1) as tf.Tensor1D, preds.shape[1]);
  return tf.sum(tf.mul(top, allowed));
}

/** Reads two scalars with one async transfer. */
export async function readPair(a: tf.Scalar, b: tf.Scalar): Promise<[number, number]> {
  const stacked = tf.stack([a, b]);
  try {
    const [x = NaN, y = NaN] = await stacked.data();
    return [x, y];
  } finally {
    stacked.dispose();
  }
}

/** Loss and accuracy on the held-out images, in batches of `batchSize`, in inference mode. */
export async function validate(model: tf.LayersModel, data: TrainData, batchSize: number): Promise<{ loss: number; acc: number }> {
  const n = data.valCount;
  let lossSum: tf.Scalar = tf.scalar(0);
  let correctSum: tf.Scalar = tf.scalar(0);
  for (let start = 0; start < n; start += batchSize) {
    const next = tf.tidy(() => {
      const { xs, ys } = data.valBatch(start, Math.min(batchSize, n - start));
      const preds = model.apply(xs, { training: false }) as tf.Tensor2D;
      const loss = tf.mul(allowedCrossentropy(ys, preds), xs.shape[0]);
      return [tf.add(lossSum, loss), tf.add(correctSum, countCorrect(preds, ys))] as [tf.Scalar, tf.Scalar];
    });
    tf.dispose([lossSum, correctSum]);
    [lossSum, correctSum] = next;
    await yieldToEventLoop();
  }
  const [loss, correct] = await readPair(lossSum, correctSum);
  tf.dispose([lossSum, correctSum]);
  return { loss: loss / n, acc: correct / n };
}
