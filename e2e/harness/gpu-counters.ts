/**
 * Counts what a training step asks of the GPU, at the API boundary, so it can be measured on a
 * machine without one (SwiftShader): WebGPU compute dispatches, queue submits, uploads
 * (writeBuffer, mapped-at-creation buffers) and read-backs (mapAsync for reading); WebGL draw
 * calls (one per shader program run), texture/buffer uploads and read-backs (readPixels,
 * getBufferSubData). Installed once, before any backend starts; counting is on while `counting`.
 */
export interface GpuCounts {
  /** WebGPU dispatchWorkgroups, or WebGL drawArrays/drawElements: kernels run. */
  kernels: number;
  /** WebGPU queue submits (each a round of driver work). */
  submits: number;
  uploads: number;
  uploadBytes: number;
  readbacks: number;
  readbackBytes: number;
  /** Shader programs or pipelines created. */
  compiles: number;
}

export const counts: GpuCounts = { kernels: 0, submits: 0, uploads: 0, uploadBytes: 0, readbacks: 0, readbackBytes: 0, compiles: 0 };
let counting = false;

export function startCounting(): void {
  for (const k of Object.keys(counts) as (keyof GpuCounts)[]) counts[k] = 0;
  counting = true;
}

export function stopCounting(): GpuCounts {
  counting = false;
  return { ...counts };
}

type AnyFn = (...args: never[]) => unknown;

/** Wraps `proto[name]` so that `count(args, result)` runs before the original when counting. */
function wrap<T extends object>(proto: T | undefined, name: string, count: (args: unknown[], self: unknown) => void): void {
  if (!proto) return;
  const original = (proto as Record<string, unknown>)[name] as AnyFn | undefined;
  if (typeof original !== 'function') return;
  (proto as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
    if (counting) count(args, this);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
}

const byteLength = (v: unknown): number =>
  ArrayBuffer.isView(v) ? v.byteLength : v instanceof ArrayBuffer ? v.byteLength : 0;

function installWebGpu(): void {
  if (typeof GPUComputePassEncoder === 'undefined') return;
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', () => counts.kernels++);
  wrap(GPUQueue.prototype, 'submit', () => counts.submits++);
  wrap(GPUQueue.prototype, 'writeBuffer', (args) => {
    counts.uploads++;
    const [, , data, , size] = args as [unknown, number, unknown, number?, number?];
    counts.uploadBytes += size !== undefined ? size * ((data as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1) : byteLength(data);
  });
  wrap(GPUDevice.prototype, 'createBuffer', (args) => {
    const [desc] = args as [GPUBufferDescriptor];
    // A buffer mapped at creation is filled from the host: an upload.
    if (desc.mappedAtCreation && (desc.usage & GPUBufferUsage.MAP_READ) === 0) {
      counts.uploads++;
      counts.uploadBytes += desc.size;
    }
  });
  wrap(GPUBuffer.prototype, 'mapAsync', (args, self) => {
    const [mode] = args as [number];
    if (mode & GPUMapMode.READ) {
      counts.readbacks++;
      counts.readbackBytes += (self as GPUBuffer).size;
    }
  });
  wrap(GPUDevice.prototype, 'createComputePipeline', () => counts.compiles++);
  wrap(GPUDevice.prototype, 'createComputePipelineAsync', () => counts.compiles++);
}

function installWebGl(): void {
  for (const proto of [globalThis.WebGL2RenderingContext?.prototype, globalThis.WebGLRenderingContext?.prototype]) {
    wrap(proto, 'drawArrays', () => counts.kernels++);
    wrap(proto, 'drawElements', () => counts.kernels++);
    wrap(proto, 'linkProgram', () => counts.compiles++);
    for (const name of ['texImage2D', 'texSubImage2D']) {
      wrap(proto, name, (args) => {
        const data = args.find((a) => ArrayBuffer.isView(a));
        if (data === undefined) return;
        counts.uploads++;
        counts.uploadBytes += byteLength(data);
      });
    }
    for (const name of ['bufferData', 'bufferSubData']) {
      wrap(proto, name, (args) => {
        const data = args.find((a) => ArrayBuffer.isView(a) || a instanceof ArrayBuffer);
        // Skip the static quad and index buffers tfjs makes once; count data sent per use.
        if (data === undefined) return;
        counts.uploads++;
        counts.uploadBytes += byteLength(data);
      });
    }
    wrap(proto, 'readPixels', (args) => {
      counts.readbacks++;
      counts.readbackBytes += byteLength(args.find((a) => ArrayBuffer.isView(a)));
    });
    wrap(proto, 'getBufferSubData', (args) => {
      counts.readbacks++;
      counts.readbackBytes += byteLength(args.find((a) => ArrayBuffer.isView(a)));
    });
  }
}

installWebGpu();
installWebGl();
