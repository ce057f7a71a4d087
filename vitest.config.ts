import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Unit tests run in Node: main-process services, the shared contract, and the renderer's ml/
// and state modules (the tfjs cpu and wasm backends run in Node too).
export default defineConfig({
  plugins: [svelte({ configFile: false })],
  resolve: { conditions: ['browser'] },
  test: {
    include: ['src-*/**/*.test.ts', 'src-*/**/*.test.svelte.ts', 'scripts/**/*.test.ts', 'e2e/server/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
