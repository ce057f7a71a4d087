// Which TensorFlow.js backend to train on, from what the machine offers. Pure, so tests cover it.
// Measured on a 2-core machine with only SwiftShader: wasm (SIMD+threads) ~600–790 images/s,
// webgl 21–33, webgpu ~11, cpu 2–10 — a software GPU adapter is far slower than wasm.

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A software adapter (SwiftShader, llvmpipe, WARP): WebGPU runs on the CPU. */
  software: boolean;
}

export interface Probe {
  webgpu: GpuAdapterInfo | null;
  /** The WebGL renderer string, or null when WebGL is unavailable. */
  webgl: { renderer: string; software: boolean } | null;
  wasm: boolean;
  /** SharedArrayBuffer is usable (cross-origin isolated): wasm may run multi-threaded. */
  threads: boolean;
  cores: number;
}

export interface BackendChoice {
  order: BackendName[];
  reason: string;
}

const SOFTWARE_RE = /swiftshader|llvmpipe|softpipe|software|basic render|warp|mesa offscreen/i;

export function isSoftwareRenderer(name: string): boolean {
  return SOFTWARE_RE.test(name);
}

/** The order to try backends in, first = preferred, and a sentence that says why. */
export function chooseBackend(probe: Probe, override?: BackendName | null): BackendChoice {
  const available = (b: BackendName): boolean =>
    b === 'webgpu' ? probe.webgpu !== null : b === 'webgl' ? probe.webgl !== null : b === 'wasm' ? probe.wasm : true;
  const hwGpu = probe.webgpu !== null && !probe.webgpu.software;
  const hwGl = probe.webgl !== null && !probe.webgl.software;

  let order: BackendName[];
  let reason: string;
  if (hwGpu) {
    order = ['webgpu', 'webgl', 'wasm', 'cpu'];
    reason = `WebGPU on ${probe.webgpu?.description || probe.webgpu?.vendor || 'a hardware adapter'}`;
  } else if (hwGl) {
    order = ['webgl', 'wasm', 'webgpu', 'cpu'];
    reason = probe.webgpu ? 'the WebGPU adapter is software only; WebGL has a hardware GPU' : 'no WebGPU adapter; WebGL has a hardware GPU';
  } else if (probe.wasm) {
    order = ['wasm', 'webgl', 'webgpu', 'cpu'];
    reason = probe.webgpu
      ? `the only GPU adapter is a software one (${probe.webgpu.architecture || probe.webgpu.description || 'software'}); WebAssembly is 20–30× faster here`
      : 'no GPU adapter; WebAssembly is the fastest CPU backend';
  } else {
    order = ['webgl', 'webgpu', 'cpu'];
    reason = 'no WebAssembly; trying the GPU backends, then plain JavaScript';
  }
  order = order.filter(available);
  if (!order.includes('cpu')) order.push('cpu');

  if (override && override !== order[0]) {
    if (available(override)) {
      return { order: [override, ...order.filter((b) => b !== override)], reason: `chosen by you (automatic: ${order[0]})` };
    }
    return { order, reason: `${override} is not available here; ${reason}` };
  }
  return { order, reason };
}
