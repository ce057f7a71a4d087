/**
 * tfjs's Adam, with all of a model's moments in two flat vectors: one update of ~13 kernels
 * over every weight at once, instead of ~13 kernels per weight tensor (130 for the report CNN's
 * 10 tensors, 300 for Tailor best's). The same arithmetic, element for element, so the same
 * numbers. On a GPU each kernel is a dispatch and on wasm a call with fixed costs, and the
 * optimizer's were about half of a step's. On wasm the update itself is one kernel (adam-step.ts).
 *
 * Its moments are not in getWeights(): Tailor never saves optimizer state.
 */
import * as tf from '@tensorflow/tfjs';
import { adamStep, hasAdamStep } from './adam-step';

/** The fields of tfjs's AdamOptimizer the flat update reads (protected there). */
interface AdamFields {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export class FlatAdamOptimizer extends tf.AdamOptimizer {
  private flatFirst: tf.Variable | null = null;
  private flatSecond: tf.Variable | null = null;

  override applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const pairs: [string, tf.Tensor | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    if (pairs.some(([, g]) => g == null)) throw new Error('FlatAdamOptimizer needs a gradient for every variable.');
    const self = this as unknown as AdamFields;
    tf.tidy(() => {
      const values = pairs.map(([name]) => tf.engine().registeredVariables[name]!);
      const gradient = tf.concat(pairs.map(([, g]) => tf.reshape(g!, [-1])));
      const value = tf.concat(values.map((v) => tf.reshape(v, [-1])));
      this.flatFirst ??= tf.variable(tf.zerosLike(gradient), false);
      this.flatSecond ??= tf.variable(tf.zerosLike(gradient), false);
      if (this.flatFirst.size !== gradient.size) throw new Error('FlatAdamOptimizer updates one fixed set of variables.');
      const [updated, first, second] = hasAdamStep()
        ? adamStep(
            { gradient, value, first: this.flatFirst, second: this.flatSecond, accBeta1: self.accBeta1, accBeta2: self.accBeta2 },
            { beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, learningRate: this.learningRate },
          )
        : this.composedStep(gradient, value);
      this.flatFirst.assign(first);
      this.flatSecond.assign(second);
      const parts = tf.split(updated, values.map((v) => v.size));
      values.forEach((v, i) => v.assign(tf.reshape(parts[i]!, v.shape)));
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    (this as unknown as { incrementIterations(): void }).incrementIterations();
  }

  /** tfjs's Adam arithmetic as tf ops, for backends without the fused step: [value, first, second]. */
  private composedStep(gradient: tf.Tensor, value: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const self = this as unknown as AdamFields;
    const first = tf.add(tf.mul(this.flatFirst!, self.beta1), tf.mul(gradient, 1 - self.beta1));
    const second = tf.add(tf.mul(this.flatSecond!, self.beta2), tf.mul(tf.square(gradient), 1 - self.beta2));
    const correctedFirst = tf.div(first, tf.sub(1, self.accBeta1));
    const correctedSecond = tf.div(second, tf.sub(1, self.accBeta2));
    const updated = tf.add(tf.mul(tf.div(correctedFirst, tf.add(tf.sqrt(correctedSecond), self.epsilon)), -this.learningRate), value);
    return [updated, first, second];
  }

  override dispose(): void {
    super.dispose();
    tf.dispose([this.flatFirst, this.flatSecond].filter((v): v is tf.Variable => v !== null));
    this.flatFirst = null;
    this.flatSecond = null;
  }
}
