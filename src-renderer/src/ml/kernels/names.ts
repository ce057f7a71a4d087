/** Kernel name of the fused ReLU gradient: registered for wasm only (wasm-kernels.ts), used by gradients.ts. */
export const RELU_GRAD = 'TailorReluGrad';
