/** Kernel name of the fused ReLU gradient: registered for wasm only (wasm-kernels.ts), used by gradients.ts. */
export const RELU_GRAD = 'TailorReluGrad';

/** A convolution + bias + ReLU + 2×2 max pooling stage in one op, and its gradients (wasm only: conv-relu-pool.ts). */
export const CONV_RELU_POOL = 'TailorConvReluPool';
export const CONV_RELU_POOL_FILTER_GRAD = 'TailorConvReluPoolFilterGrad';
export const CONV_RELU_POOL_INPUT_GRAD = 'TailorConvReluPoolInputGrad';

/** One Adam step over flat weight and moment vectors (wasm only: adam-step.ts, used by flat-adam.ts). */
export const ADAM_STEP = 'TailorAdamStep';
