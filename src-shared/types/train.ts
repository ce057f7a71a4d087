/** A layer of the model editor; the ml/ module turns these into tf.layers. */
export type LayerSpec =
  | { type: 'conv2d'; filters: number; kernel: number; stride?: number; padding: 'valid' | 'same'; activation: Activation }
  | { type: 'maxPool'; size: number }
  | { type: 'dense'; units: number; activation: Activation }
  | { type: 'dropout'; rate: number }
  | { type: 'batchNorm' }
  | { type: 'flatten' }
  | { type: 'globalAvgPool' };

export type Activation = 'relu' | 'sigmoid' | 'softmax' | 'linear' | 'tanh' | 'elu';

export type OptimizerName = 'adam' | 'rmsprop' | 'sgd';

export interface Hyperparameters {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** Learning-rate decay per step as Keras' old `decay` (lr / (1 + decay·step)), or 0. */
  decay: number;
  /** 'none' | 'cosine' (to 0 over the run) | 'step' (×0.5 every third of the run). */
  schedule: 'none' | 'cosine' | 'step';
  validationSplit: number;
  augment: { shift: number; flip: boolean };
  labelSmoothing: number;
  seed: number;
  /** 0 = off; else stop after this many epochs without val-acc gain and restore the best weights. */
  patience: number;
  /** Number of training images to use (0 = all): small runs for quick looks and tests. */
  limit: number;
}
