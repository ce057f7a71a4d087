// Without --enable-unsafe-webgpu, Chromium on Linux offers no WebGPU adapter: the app must say so,
// keep working on the next backend, and refuse a WebGPU override with a reason.
import { CHROMIUM_ARGS, chromiumPath } from './chromium';
import { test, expect, openApp } from './fixtures';

const executablePath = chromiumPath();
test.use({ launchOptions: { args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'), ...(executablePath ? { executablePath } : {}) } });

test('with no WebGPU adapter the app says so and runs on wasm', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('adapter')).toContainText('no WebGPU adapter');
  await expect(page.getByTestId('backend')).toContainText('Backend wasm');
  await page.getByTestId('backend-select').selectOption('webgpu');
  await expect(page.getByTestId('backend')).toHaveAttribute('title', /webgpu is not available here/);
  await expect(page.getByTestId('backend')).toContainText('Backend wasm');
  // The rest of the app is unaffected: the Data view has its samples.
  await expect(page.getByTestId('sample-grid').getByTestId('sample')).toHaveCount(64, { timeout: 60_000 });
});
