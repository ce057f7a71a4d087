// Bundles a child script of this folder once per test file: a bundle starts in ~0.2 s of CPU, a TypeScript loader
// in ~0.9 s, which matters when a test starts dozens of children. TensorFlow.js stays external (it
// is large and loads fine as it is), so the bundle is written inside node_modules where Node finds it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function bundleChild(name: 'crash-child' | 'writer-child'): Promise<string> {
  const root = join(import.meta.dirname, '../../..');
  const outfile = join(root, 'node_modules', '.cache', 'tailor-tests', `${name}-${process.pid}.mjs`);
  await mkdir(join(outfile, '..'), { recursive: true });
  const entry = join(import.meta.dirname, `${name}.ts`);
  await build({ entryPoints: [entry], bundle: true, external: ['@tensorflow/*'], platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
  return outfile;
}
