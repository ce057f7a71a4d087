/**
 * The pieces of a training step that are plain functions of the hyperparameters: the loss,
 * the optimizer, and the learning rate at each step.
 */
import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from '../../../src-shared/types/train';
import { FlatAdamOptimizer } from './kernels/flat-adam';

const EPSILON = 1e-7;

/**
 * Keras' categorical cross-entropy: predictions are rescaled to sum to 1 (which is what lets
 * the report's sigmoid output train at all) and clipped away from 0 before the log.
 */
export function categoricalCrossentropy(yTrue: tf.Tensor2D, yPred: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
    return tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(p)), -1)));
  });
}

/** The learning rate at a global step: schedule over the whole run, then Keras' decay. */
export function learningRateAt(hyper: Hyperparameters, step: number, stepsPerEpoch: number): number {
  const totalSteps = Math.max(1, hyper.epochs * stepsPerEpoch);
  let lr = hyper.learningRate;
  if (hyper.schedule === 'cosine') {
    lr *= 0.5 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps));
  } else if (hyper.schedule === 'step') {
    const period = Math.max(1, Math.ceil(hyper.epochs / 3));
    lr *= 0.5 ** Math.floor(Math.floor(step / stepsPerEpoch) / period);
  }
  return lr / (1 + hyper.decay * step);
}

export function makeOptimizer(hyper: Hyperparameters): tf.Optimizer {
  switch (hyper.optimizer) {
    case 'adam':
      // tfjs's Adam with one update for all weights (kernels/flat-adam.ts): same numbers, far fewer kernels.
      return new FlatAdamOptimizer(hyper.learningRate, 0.9, 0.999);
    case 'rmsprop':
      // Keras' RMSprop defaults: rho 0.9, no momentum.
      return tf.train.rmsprop(hyper.learningRate, 0.9);
    case 'sgd':
      return tf.train.momentum(hyper.learningRate, 0.9);
  }
}

export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // Not instanceof: tfjs optimizers override Symbol.hasInstance, so any optimizer passes it.
  if (optimizer.getClassName() === tf.MomentumOptimizer.className) {
    (optimizer as tf.MomentumOptimizer).setLearningRate(lr);
  } else {
    // Adam and RMSprop read this field on every step; tfjs only marks it protected.
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  }
}
