import { test, expect, openApp } from './fixtures';

test('the WebGPU backend initialises on the SwiftShader adapter when forced', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('backend-select').selectOption('webgpu');
  await expect(page.getByTestId('backend')).toContainText('Backend webgpu', { timeout: 60_000 });
  await expect(page.getByTestId('adapter')).toContainText(/swiftshader/i);
  await expect(page.getByTestId('adapter')).toContainText('software adapter');
  await expect(page.getByTestId('backend')).toHaveAttribute('title', /chosen by you/);
  // Back to automatic, which prefers wasm over a software adapter.
  await page.getByTestId('backend-select').selectOption('auto');
  await expect(page.getByTestId('backend')).toContainText('Backend wasm', { timeout: 60_000 });
});
