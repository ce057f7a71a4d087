import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './e2e/chromium';
import { BRIDGE_PREFIX } from './e2e/bridge/prefix';

const port = Number(process.env['TAILOR_E2E_PORT'] ?? 4780);
const executablePath = chromiumPath();
/** Separate output folders let two Playwright runs share a checkout (e.g. a bench beside a test). */
const out = process.env['TAILOR_PW_OUT'] ?? 'test-results';

export default defineConfig({
  testDir: 'e2e',
  // *.spec.ts only: e2e/server/*.test.ts are Node unit tests of the harness, run by vitest.
  testMatch: '**/*.spec.ts',
  // Two cores: one test at a time, generous timeouts (WebGPU runs on SwiftShader, on the CPU).
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  forbidOnly: !!process.env['CI'],
  // CI gets one retry for a test that fails once on a busy machine; `npm test` names every such
  // test as FLAKY with what it saw, and counts it in its summary, so it is seen, never hidden.
  retries: process.env['CI'] ? 1 : 0,
  reporter: [['list'], ['json', { outputFile: `${out}/e2e.json` }]],
  outputDir: `${out}/artifacts`,
  use: {
    baseURL: `http://localhost:${port}`,
    viewport: { width: 1320, height: 860 },
    launchOptions: { args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) },
    trace: 'retain-on-failure',
    // A click that can never happen fails with its locator named, not as a bare test timeout.
    actionTimeout: 30_000,
  },
  projects: [
    { name: 'chromium', testIgnore: /electron\.spec\.ts/ },
    { name: 'electron', testMatch: /electron\.spec\.ts/ },
  ],
  webServer: {
    command: `npx tsx e2e/server/bridge-server.ts ${port}`,
    url: `http://127.0.0.1:${port}${BRIDGE_PREFIX}/health`,
    reuseExistingServer: !process.env['CI'],
    timeout: 60_000,
    stdout: 'pipe',
  },
});
