// Initialises the chosen tfjs backend inside the Worker, falling back down the order on failure
// (setBackend('webgpu') itself can throw when the adapter is missing).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { chooseBackend, type BackendName, type Probe } from '../ml/backend-rule';
import { registerWasmTrainingKernels } from '../ml/wasm-kernels';
import { startWasmWithThreads } from '../ml/kernels/wasm-threads';
import type { BackendInfo } from './protocol';

let wasmConfigured = false;

function configureWasm(probe: Probe): void {
  if (wasmConfigured) return;
  wasmConfigured = true;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  // tfjs defaults to half the cores; training is the only work of this Worker, so use them all.
  if (probe.threads) setThreadsCount(probe.cores);
  registerWasmTrainingKernels();
}

export async function initBackend(probe: Probe, override?: BackendName | null): Promise<BackendInfo> {
  const choice = chooseBackend(probe, override);
  const failures: string[] = [];
  for (const name of choice.order) {
    try {
      if (name === 'wasm') configureWasm(probe);
      if (tf.getBackend() === name) return describe(name, probe, choice.reason, failures);
      const start = () => tf.setBackend(name);
      // tfjs 4.22 would cap the pool at half the cores (one thread on two): see wasm-threads.ts.
      if (await (name === 'wasm' && probe.threads ? startWasmWithThreads(probe.cores, start) : start())) {
        await tf.ready();
        return describe(name, probe, choice.reason, failures);
      }
      failures.push(`${name}: did not initialise`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message ?? String(err)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start (${failures.join('; ')})`);
}

function describe(name: BackendName, probe: Probe, reason: string, failures: string[]): BackendInfo {
  const threads = name === 'wasm' && probe.threads ? probe.cores : 1;
  return {
    name,
    reason: failures.length ? `${reason} — fell back after ${failures.join('; ')}` : reason,
    adapter: probe.webgpu,
    webgl: probe.webgl,
    threads,
    probe,
  };
}
