// Bundles the in-browser test harnesses (esbuild, which Vite already brings) into
// test-results/harness/, which the bridge server serves under /__test/ for e2e tests only.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export const HARNESS_DIR = join(import.meta.dirname, '../../test-results/harness');

export async function buildHarness(name: string): Promise<void> {
  mkdirSync(HARNESS_DIR, { recursive: true });
  await build({
    entryPoints: [join(import.meta.dirname, `${name}.ts`)],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(HARNESS_DIR, `${name}.js`),
    logLevel: 'warning',
  });
  // The wasm backend's binaries, next to the bundle (setWasmPaths('./')).
  const wasmDir = join(import.meta.dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(HARNESS_DIR, f));
  writeFileSync(
    join(HARNESS_DIR, `${name}.html`),
    `<!doctype html><meta charset="utf-8"><title>${name}</title><script type="module" src="./${name}.js"></script>`,
  );
}
