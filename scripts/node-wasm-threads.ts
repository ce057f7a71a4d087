/**
 * tfjs's wasm backend with threads in Node. tfjs only loads its single-threaded build in Node
 * (tensorflow/tfjs#3830), though the threaded build's Emscripten glue runs its pthreads on
 * worker_threads; what stops it is how tfjs starts it (the worker script as a Blob URL, which
 * Node's Worker cannot load) and the thread cap of half the cores (tensorflow/tfjs#8513; read
 * from os.cpus() here). This registers a 'wasm' backend that starts the threaded build with
 * the worker script in a temporary file and the cap lifted, so XNNPACK uses `threads` threads.
 * Kernels registered for 'wasm' (Tailor's included) apply to it unchanged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

interface ThreadedModule {
  cwrap: (name: string, ret: string | null, args: string[]) => unknown;
  tfjs?: Record<string, unknown>;
}

/** Registers the threaded 'wasm' backend; call before tf.setBackend('wasm'). threads ≤ 1 keeps tfjs's own. */
export function registerThreadedWasm(threads: number): void {
  if (threads <= 1) return;
  const pkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const glue = join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const factory = require(glue) as (config: object) => Promise<ThreadedModule>;
  const { wasmWorkerContents } = require(join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const dir = mkdtempSync(join(os.tmpdir(), 'tailor-wasm-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const workerFile = join(dir, 'worker.cjs');
  // As tfjs does for its Blob: the source holds "\n" escapes that must stay escapes.
  writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));

  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const cpus = os.cpus;
      os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]!);
      let module: ThreadedModule;
      try {
        module = await factory({
          mainScriptUrlOrBlob: glue,
          locateFile: (path: string) =>
            path.endsWith('.worker.js') ? workerFile : path.endsWith('.wasm') ? join(pkg, 'dist/tfjs-backend-wasm-threaded-simd.wasm') : path,
        });
      } finally {
        os.cpus = cpus;
      }
      // The same bridge tfjs's own init() sets up.
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      setThreadsCount(threads);
      return new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
    },
    2,
  );
}
