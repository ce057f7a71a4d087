/**
 * Where pixels meet a model. Outside the model every picture is gray: dataset images as bytes
 * 0–255, pictures from the draw pad and from files as values in [0, 1]. A model takes them on the
 * scale it was trained on — 'unit' ([0, 1], Tailor's default) or 'raw' (0–255, as the report's
 * notebook fed Keras) — and at its own size. These functions are the only conversions, so a model
 * trained on raw pixels is never fed scaled ones, or the other way round.
 */
import * as tf from '@tensorflow/tfjs';

export type PixelScale = 'unit' | 'raw';

/** [rows, cols, channels] of one image. */
export type ImageShape = [number, number, number];

/** The fixed image shape a model takes; throws for a model that does not take images. */
export function imageInputShape(model: tf.LayersModel): ImageShape {
  const shape = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || !shape || shape.length !== 4 || shape.slice(1).some((d) => d == null)) {
    throw new RangeError(`the model takes ${JSON.stringify(model.inputs.map((i) => i.shape))}, not images of a fixed [rows, cols, channels] shape`);
  }
  return shape.slice(1) as ImageShape;
}

/** What a byte 0–255 is divided by on the model's scale (a division, so 'unit' stays bit-exact with x / 255). */
export function byteDivisor(scale: PixelScale): number {
  return scale === 'raw' ? 1 : 255;
}

/**
 * `n` dataset images as bytes (already of the model's rows × cols) → the model's input.
 * Call inside tf.tidy.
 */
export function bytesToModel(bytes: Uint8Array, n: number, shape: ImageShape, scale: PixelScale): tf.Tensor4D {
  const [rows, cols, channels] = shape;
  const gray = tf.tensor4d(bytes, [n, rows, cols, 1], 'float32');
  const scaled = scale === 'raw' ? gray : tf.div(gray, byteDivisor(scale));
  return toChannels(scaled as tf.Tensor4D, channels);
}

/**
 * Gray pictures in [0, 1], [n, h, w, 1] → the model's input: resized (bilinear) when the model
 * takes another size, repeated to its channels, on its scale. Call inside tf.tidy.
 */
export function unitToModel(x: tf.Tensor4D, shape: ImageShape, scale: PixelScale): tf.Tensor4D {
  const [rows, cols, channels] = shape;
  const sized = x.shape[1] === rows && x.shape[2] === cols ? x : tf.image.resizeBilinear(x, [rows, cols], true);
  const scaled = scale === 'raw' ? tf.mul(sized, 255) : sized;
  return toChannels(scaled as tf.Tensor4D, channels);
}

function toChannels(gray: tf.Tensor4D, channels: number): tf.Tensor4D {
  return channels === 1 ? gray : tf.tile(gray, [1, 1, 1, channels]);
}
