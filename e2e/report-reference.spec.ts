// Issue 14: the report preset trains the way the report did (raw 0–255 pixels), and its runs are
// shown beside the report's own published log — only the epochs it published.
import type { Locator, Page } from '@playwright/test';
import { test, expect, openApp } from './fixtures';

async function openView(page: Page, view: 'train' | 'models') {
  await page.locator(`nav [data-view="${view}"]`).click();
  await expect(page.getByTestId(`view-${view}`)).toBeVisible();
}

async function ids(rows: Locator): Promise<string[]> {
  return rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? ''));
}

test("a few steps of the report preset are charted beside the report's published log, in Train and in the run overlay", async ({ page }) => {
  test.setTimeout(300_000);
  await openApp(page);
  await openView(page, 'models');
  const runsBefore = await ids(page.getByTestId('run-row'));

  await openView(page, 'train');
  await page.getByTestId('train-preset').selectOption('report');
  await expect(page.getByTestId('train-pixel-scale')).toHaveValue('raw');
  // Two batches of 512 raw-pixel images and 200 test images, on the default backend.
  await page.getByTestId('train-limit').fill('1100');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('test-limit').fill('200');
  const chart = page.getByTestId('epoch-chart');
  // Shown for the selected preset before anything runs; only the epochs the report published.
  await expect(chart).toHaveAttribute('data-reference', 'report');
  await expect(chart).toHaveAttribute('data-reference-epochs', '1,10');
  await expect(page.getByTestId('epoch-reference')).toContainText("The report's published training log");
  await expect(page.getByTestId('epoch-reference')).toContainText('only its first and last epoch are known');

  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 60_000 });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toContainText('Finished', { timeout: 240_000 });
  await expect(chart).toHaveAttribute('data-points', '1');
  await expect(chart).toHaveAttribute('data-reference', 'report');
  await expect(chart).toHaveAttribute('data-reference-epochs', '1,10');

  // The run overlay: the report's points for training metrics, a note for the others.
  await openView(page, 'models');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect.poll(async () => (await ids(page.getByTestId('run-row'))).filter((id) => !runsBefore.includes(id)).length).toBe(1);
  const runId = (await ids(page.getByTestId('run-row'))).find((id) => !runsBefore.includes(id))!;
  await page.locator(`[data-testid="run-row"][data-id="${runId}"]`).getByTestId('run-select').check();
  const overlay = page.getByTestId('run-overlay');
  await page.getByTestId('curve-acc').click();
  await expect(overlay).toHaveAttribute('data-series', '1');
  await expect(overlay).toHaveAttribute('data-reference', 'report');
  await expect(overlay).toHaveAttribute('data-reference-epochs', '1,10');
  await expect(page.getByTestId('overlay-reference')).toContainText("The report's published training log");
  await page.getByTestId('curve-valAcc').click();
  await expect(overlay).not.toHaveAttribute('data-reference', /./);
  await expect(page.getByTestId('overlay-reference')).toContainText('training loss and accuracy only');
});
