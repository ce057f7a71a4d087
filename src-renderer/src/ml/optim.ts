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

/**
 * Cross-entropy against the set of classes that are right for each image (`allowed`: rows of 0/1,
 * one-hot when one class is right): −log Σ_allowed p, so the model may put the probability on any
 * of them (a shoe photo is right as Sandal, Sneaker or Ankle boot). With label smoothing ε it is
 * (1−ε)·that + ε·mean_c(−log p_c), which for one-hot rows is exactly Keras' cross-entropy against
 * targets (1−ε)·y + ε/K. Predictions are rescaled and clipped as in `categoricalCrossentropy`.
 */
export function allowedCrossentropy(allowed: tf.Tensor2D, yPred: tf.Tensor2D, smoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
    const right = tf.clipByValue(tf.sum(tf.mul(allowed, p), -1), EPSILON, 1 - EPSILON);
    const hit = tf.neg(tf.mean(tf.log(right))) as tf.Scalar;
    if (smoothing <= 0) return hit;
    const spread = tf.neg(tf.mean(tf.log(p)));
    return tf.add(tf.mul(hit, 1 - smoothing), tf.mul(spread, smoothing)) as tf.Scalar;
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
