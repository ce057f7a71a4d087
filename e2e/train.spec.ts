import { test, expect, openApp } from './fixtures';
import type { Page } from '@playwright/test';

async function setUp(page: Page, limit: number, epochs: number, batch = 50) {
  await page.locator('nav [data-view="train"]').click();
  await page.getByTestId('train-preset').selectOption('report-fixed');
  await page.getByTestId('train-limit').fill(String(limit));
  await page.getByTestId('train-epochs').fill(String(epochs));
  await page.getByTestId('train-batch').fill(String(batch));
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 60_000 });
}

function testAccuracy(status: string): number {
  const m = /test accuracy ([\d.]+)%/.exec(status);
  expect(m, status).not.toBeNull();
  return Number(m![1]);
}

test('trains the corrected report CNN on WebGPU with live charts, pause, resume and a stable tensor count', async ({ page }) => {
  test.setTimeout(600_000);
  await openApp(page);
  // Force the WebGPU path (SwiftShader here): ~11 images/s, so a few hundred images.
  await page.getByTestId('backend-select').selectOption('webgpu');
  await expect(page.getByTestId('backend')).toContainText('Backend webgpu', { timeout: 60_000 });
  // 180 training images in batches of 10: 36 Adam steps, enough to leave chance level behind.
  await setUp(page, 200, 2, 10);
  await page.getByTestId('test-limit').fill('200');

  await page.getByTestId('train-start').click();
  const batchChart = page.getByTestId('batch-chart');
  // The first batches also compile the WebGPU shaders (slow on SwiftShader).
  await expect.poll(async () => Number(await batchChart.getAttribute('data-points')), { timeout: 300_000 }).toBeGreaterThan(0);
  const progress = page.getByTestId('train-progress').getByRole('progressbar');
  const before = Number(await progress.getAttribute('aria-valuenow'));

  await page.getByTestId('train-pause').click();
  // 'Paused' shows once the trainer waits at its gate, after its batch and its last progress report:
  // from then on the chart holds still until Resume (the trainer's unit test checks it holds still).
  await expect(page.getByTestId('train-status')).toHaveText('Paused', { timeout: 120_000 });
  const pausedAt = Number(await batchChart.getAttribute('data-points'));
  expect(Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(before);
  await expect(batchChart).toHaveAttribute('data-points', String(pausedAt));
  await page.getByTestId('train-resume').click();
  await expect.poll(async () => Number(await batchChart.getAttribute('data-points')), { timeout: 480_000 }).toBeGreaterThan(pausedAt);

  await expect(page.getByTestId('train-status')).toContainText(/Finished|Failed|Stopped/, { timeout: 480_000 });
  await expect(page.getByTestId('train-status')).toContainText('Finished');
  expect(Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(before);
  await expect(page.getByTestId('epoch-chart')).toHaveAttribute('data-points', '2');
  const status = (await page.getByTestId('train-status').textContent()) ?? '';
  expect(status).toContain('on webgpu');
  expect(status).toContain('(200 test images)');
  expect(testAccuracy(status)).toBeGreaterThan(25); // chance is 10%
  const tensors = (await page.getByTestId('train-memory').getAttribute('data-tensors'))!.split(',');
  expect(tensors).toHaveLength(2);
  expect(new Set(tensors).size).toBe(1);
});

test('stop keeps the weights trained so far, on the default backend', async ({ page }) => {
  await openApp(page);
  await setUp(page, 3000, 5);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('epoch-chart')).toHaveAttribute('data-points', '1', { timeout: 120_000 });
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-status')).toContainText('Stopped early by you', { timeout: 120_000 });
  const status = (await page.getByTestId('train-status').textContent()) ?? '';
  expect(status).toContain('on wasm');
  expect(testAccuracy(status)).toBeGreaterThan(40);
  expect(Number(await page.getByTestId('epoch-chart').getAttribute('data-points'))).toBeLessThan(5);
});

test('the layer editor explains an invalid stack and blocks training', async ({ page }) => {
  await openApp(page);
  await page.locator('nav [data-view="train"]').click();
  await expect(page.getByTestId('total-params')).toHaveText('93,322');
  // Remove the final Dense layer: the stack no longer ends in 10 classes.
  const rows = page.getByTestId('layer-editor').locator('li');
  const count = await rows.count();
  await page.getByRole('button', { name: `Remove layer ${count}` }).click();
  await expect(page.getByTestId('layer-problem').first()).toContainText('10 units');
  await expect(page.getByTestId('train-start')).toBeDisabled();
});
