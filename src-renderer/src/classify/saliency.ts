/**
 * Which pixels the decision hangs on: |∂ class score / ∂ input| (Simonyan et al., 2014), lightly
 * smoothed and scaled to [0, 1] for an overlay. The score is the class logit when the model ends
 * in a softmax Dense layer: softmax gradients vanish once the model is sure, logits' do not.
 */
import * as tf from '@tensorflow/tfjs';

const PIXELS = 784;

/** The model's input shape with a batch of `n`, checked to hold 784 values per image. */
function batchShape(model: tf.LayersModel, n: number): number[] {
  const shape = model.inputs[0]?.shape.slice(1) ?? [];
  if (shape.some((d) => d === null) || shape.reduce<number>((p, d) => p * (d ?? 0), 1) !== PIXELS) {
    throw new RangeError(`the model takes ${JSON.stringify(model.inputs[0]?.shape)}, not a 28×28 image`);
  }
  return [n, ...(shape as number[])];
}

const logitModels = new WeakMap<tf.LayersModel, ((x: tf.Tensor) => tf.Tensor) | null>();

/** x → pre-softmax scores, when the last layer is a softmax Dense layer (else null). */
function logitsOf(model: tf.LayersModel): ((x: tf.Tensor) => tf.Tensor) | null {
  if (logitModels.has(model)) return logitModels.get(model) ?? null;
  const last = model.layers[model.layers.length - 1];
  let fn: ((x: tf.Tensor) => tf.Tensor) | null = null;
  if (last && last.getClassName() === 'Dense' && last.getConfig()['activation'] === 'softmax' && !Array.isArray(last.input)) {
    const features = tf.model({ inputs: model.inputs, outputs: last.input });
    // getWeights() hands back the layer's own variables (no copies), read at call time.
    fn = (x) => {
      const [kernel, bias] = last.getWeights();
      const z = tf.matMul(features.apply(x, { training: false }) as tf.Tensor2D, kernel as tf.Tensor2D);
      return bias ? z.add(bias) : z;
    };
  }
  logitModels.set(model, fn);
  return fn;
}

/** Most likely class of each of `count` images (count·784 values in [0, 1]). */
export async function predictBatch(model: tf.LayersModel, inputs: Float32Array, count: number, batchSize = 256): Promise<Int32Array> {
  const classes = new Int32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const top = tf.tidy(() => {
      const x = tf.tensor(inputs.subarray(start * PIXELS, (start + n) * PIXELS), batchShape(model, n));
      return (model.predict(x) as tf.Tensor).argMax(-1);
    });
    try {
      classes.set(await top.data(), start);
    } finally {
      top.dispose();
    }
  }
  return classes;
}

/** 784 values in [0, 1]: how much each pixel moves the score of `classIndex` (default: the predicted class). */
export async function saliency(model: tf.LayersModel, input: Float32Array, classIndex?: number): Promise<Float32Array> {
  if (input.length !== PIXELS) throw new RangeError(`expected ${PIXELS} values, got ${input.length}`);
  const target = classIndex ?? (await predictBatch(model, input, 1))[0]!;
  const score = logitsOf(model) ?? ((x: tf.Tensor) => model.apply(x, { training: false }) as tf.Tensor);
  const map = tf.tidy(() => {
    const x = tf.tensor(input, batchShape(model, 1));
    const grad = tf.grad((t: tf.Tensor) => score(t).gather([target], 1).sum())(x);
    // A 3×3 mean takes the salt-and-pepper look off raw gradients without moving their peaks.
    const smooth = tf.avgPool(grad.abs().reshape([1, 28, 28, 1]) as tf.Tensor4D, 3, 1, 'same');
    return smooth.div(smooth.max().maximum(1e-12)).reshape([PIXELS]);
  });
  try {
    return (await map.data()) as Float32Array;
  } finally {
    map.dispose();
  }
}
