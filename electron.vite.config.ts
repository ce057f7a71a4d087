import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { isOpenCvModule, patchOpenCvForCsp } from './src-renderer/src/classify/opencv-csp';

const root = import.meta.dirname;

/**
 * Dev server only: Vite injects component CSS as <style> tags for hot reload, which the strict CSP
 * in index.html blocks. Built bundles (npm start, tests) keep the strict policy.
 */
function devStyleCsp(): Plugin {
  return {
    name: 'tailor-dev-style-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  };
}

/**
 * OpenCV.js's glue calls `new Function` and fetches a data: URL, which the app's CSP refuses:
 * bundle it with the CSP-clean stand-ins (src-renderer/src/classify/opencv-csp.ts). It is loaded
 * by the prepare worker, so the worker build needs the plugin too.
 */
function openCvCsp(): Plugin {
  return {
    name: 'tailor-opencv-csp',
    enforce: 'pre',
    transform: (code, id) => (isOpenCvModule(id) ? { code: patchOpenCvForCsp(code), map: null } : null),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: { entry: resolve(root, 'src-main/index.ts') },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload must be one CommonJS bundle.
      lib: { entry: resolve(root, 'src-preload/index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') }), devStyleCsp(), openCvCsp()],
    worker: { format: 'es', plugins: () => [openCvCsp()] },
    // Cross-origin isolation in development too, so wasm runs multi-threaded as in the app.
    server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
    build: {
      outDir: resolve(root, 'out/renderer'),
      target: 'es2022',
      chunkSizeWarningLimit: 4096,
      rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});
