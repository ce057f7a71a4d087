// What this Worker can run on. Probed once, before any tfjs backend initialises.
import { isSoftwareRenderer, type GpuAdapterInfo, type Probe } from '../ml/backend-rule';

async function probeWebGpu(): Promise<GpuAdapterInfo | null> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    const info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } = adapter.info ?? {};
    const legacyFallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
    const vendor = info.vendor ?? '';
    const architecture = info.architecture ?? '';
    const description = info.description || [vendor, architecture].filter(Boolean).join(' ');
    const software =
      info.isFallbackAdapter === true ||
      legacyFallback === true ||
      isSoftwareRenderer(`${vendor} ${architecture} ${description}`);
    return { vendor, architecture, description, software };
  } catch {
    return null;
  }
}

function probeWebGl(): Probe['webgl'] {
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { renderer, software: isSoftwareRenderer(renderer) };
  } catch {
    return null;
  }
}

export async function probe(): Promise<Probe> {
  return {
    webgpu: await probeWebGpu(),
    webgl: probeWebGl(),
    wasm: typeof WebAssembly === 'object',
    threads: typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true,
    cores: Math.max(1, navigator.hardwareConcurrency || 1),
  };
}
