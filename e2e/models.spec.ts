import { mkdirSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { test, expect, openApp } from './fixtures';

const SHOTS = 'test-results/screens';

async function openView(page: Page, view: 'train' | 'evaluate' | 'models') {
  await page.locator(`nav [data-view="${view}"]`).click();
  await expect(page.getByTestId(`view-${view}`)).toBeVisible();
}

/** Ids listed in rows of a table (the e2e server may already hold models and runs from other tests). */
async function ids(rows: Locator): Promise<string[]> {
  return rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? ''));
}

async function listed(page: Page): Promise<{ models: string[]; runs: string[] }> {
  await openView(page, 'models');
  await expect(page.getByTestId('model-import')).toBeEnabled();
  await page.getByRole('button', { name: 'Refresh' }).click();
  return { models: await ids(page.getByTestId('model-row')), runs: await ids(page.getByTestId('run-row')) };
}

/** A tiny run of the corrected report CNN: 600 images, one epoch, on the default (wasm) backend. */
async function trainTiny(page: Page) {
  await openView(page, 'train');
  await page.getByTestId('train-preset').selectOption('report-fixed');
  await page.getByTestId('train-limit').fill('600');
  await page.getByTestId('train-epochs').fill('1');
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 60_000 });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toContainText('Finished', { timeout: 300_000 });
  await expect(page.getByTestId('train-status')).toContainText('model saved', { timeout: 60_000 });
}

async function newId(page: Page, testid: 'model-row' | 'run-row', before: string[]): Promise<string> {
  const rows = page.getByTestId(testid);
  await expect.poll(async () => (await ids(rows)).filter((id) => !before.includes(id)).length).toBeGreaterThan(0);
  const fresh = (await ids(rows)).filter((id) => !before.includes(id));
  expect(fresh).toHaveLength(1);
  return fresh[0]!;
}

/** The view in both themes, in a window tall enough to show all of it (the view scrolls inside the shell). */
async function screenshots(page: Page, name: string, height: number) {
  mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: size.width, height });
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => (document.documentElement.dataset['theme'] = t), theme);
    await page.waitForTimeout(200); // charts rebuild with the theme's colours
    await page.screenshot({ path: `${SHOTS}/${name}-${theme}.png` });
  }
  await page.evaluate(() => delete document.documentElement.dataset['theme']);
  await page.setViewportSize(size);
}

test('models and runs: train, reload, use, evaluate, filter mistakes, compare runs, rename and delete', async ({ page }) => {
  test.setTimeout(600_000);
  await openApp(page);
  const before = await listed(page);

  // 1. A finished run saves its model, which the Models view lists.
  await trainTiny(page);
  await openView(page, 'models');
  const modelId = await newId(page, 'model-row', before.models);
  const firstRun = await newId(page, 'run-row', before.runs);
  const row = page.locator(`[data-testid="model-row"][data-id="${modelId}"]`);
  await expect(row.getByTestId('model-name')).toContainText('Report CNN, corrected');

  // 2. A new renderer (reload) finds the model on disk and loads it into the worker.
  await openApp(page);
  await openView(page, 'models');
  await row.getByTestId('model-use').click();
  await expect(row.getByTestId('model-in-use')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('models-error')).toHaveCount(0);

  // 3. Evaluate it on the 10,000 test images.
  await openView(page, 'evaluate');
  await expect(page.getByTestId('eval-model')).toHaveValue(modelId);
  await page.getByTestId('eval-run').click();
  await expect(page.getByTestId('eval-summary')).toBeVisible({ timeout: 180_000 });
  const cells = page.getByTestId('cm-cell');
  await expect(cells).toHaveCount(100);
  const counts = await cells.evaluateAll((els) =>
    els.map((el) => ({ t: Number(el.dataset['true']), p: Number(el.dataset['pred']), n: Number(el.querySelector('.count')!.textContent!.replace(/\D/g, '')) })),
  );
  expect(counts.reduce((a, c) => a + c.n, 0)).toBe(10_000);
  const mistakes = counts.filter((c) => c.t !== c.p).reduce((a, c) => a + c.n, 0);
  expect(mistakes).toBeGreaterThan(0);
  await expect(page.getByTestId('class-score-row')).toHaveCount(10);
  await expect(page.getByTestId('confused-pairs').locator('li')).toHaveCount(5);
  const gallery = page.getByTestId('mistake');
  await expect(gallery).toHaveCount(48); // first page of a non-empty gallery
  await expect(page.getByTestId('gallery-count')).toContainText(`${mistakes.toLocaleString('en-US')} mistakes`);
  await screenshots(page, 'evaluate', 2000);

  // 4. Clicking a matrix cell filters the gallery to that true → predicted pair.
  const cell = counts.filter((c) => c.t !== c.p && c.n > 0).sort((a, b) => a.n - b.n)[0]!;
  await page.locator(`[data-testid="cm-cell"][data-true="${cell.t}"][data-pred="${cell.p}"]`).click();
  await expect(page.getByTestId('gallery-count')).toContainText(`${cell.n.toLocaleString('en-US')} of ${mistakes.toLocaleString('en-US')} mistakes`);
  await expect(gallery).toHaveCount(Math.min(cell.n, 48));
  await expect(page.getByTestId('gallery-true')).toHaveValue(String(cell.t));
  await expect(page.getByTestId('gallery-pred')).toHaveValue(String(cell.p));
  const predNames = new Set(await page.getByTestId('mistake-pred').allTextContents());
  expect(predNames.size).toBe(1);
  // A second click on the same cell shows every mistake again.
  await page.locator(`[data-testid="cm-cell"][data-true="${cell.t}"][data-pred="${cell.p}"]`).click();
  await expect(gallery).toHaveCount(48);

  // 5. A second run; the two runs' validation curves overlay in one chart.
  await trainTiny(page);
  await openView(page, 'models');
  const secondRun = await newId(page, 'run-row', [...before.runs, firstRun]);
  for (const id of [firstRun, secondRun]) await page.locator(`[data-testid="run-row"][data-id="${id}"]`).getByTestId('run-select').check();
  const overlay = page.getByTestId('run-overlay');
  await expect(overlay).toHaveAttribute('data-series', '2');
  const labels = ((await overlay.getAttribute('data-labels')) ?? '').split('\n');
  expect(labels).toHaveLength(2);
  expect(new Set(labels).size).toBe(2);
  await page.getByTestId('curve-valLoss').click();
  await expect(overlay).toHaveAttribute('data-series', '2');
  await page.getByTestId('curve-valAcc').click();
  // Sorting by a column reorders the runs table (newest first by default).
  const runOrder = async () => (await ids(page.getByTestId('run-row'))).filter((id) => id === firstRun || id === secondRun);
  expect(await runOrder()).toEqual([secondRun, firstRun]);
  await page.getByTestId('run-table').locator('[data-sort="startedAt"]').click();
  expect(await runOrder()).toEqual([firstRun, secondRun]);
  await screenshots(page, 'models', 1150);

  // 6. Rename, then delete with a confirmation (cancel first).
  await row.getByTestId('model-rename').click();
  await page.getByTestId('rename-input').fill('Tiny e2e model');
  await page.getByTestId('rename-input').press('Enter');
  await expect(row.getByTestId('model-name')).toHaveText('Tiny e2e model');
  await expect(page.getByTestId('models-notice')).toContainText('Renamed to Tiny e2e model');

  await row.getByTestId('model-delete').click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Tiny e2e model');
  await page.getByTestId('confirm-cancel').click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveCount(1);
  await row.getByTestId('model-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('models-notice')).toContainText('Deleted Tiny e2e model');
});

test('importing files that are not a model shows why', async ({ page }) => {
  await openApp(page);
  await openView(page, 'models');
  await page.getByTestId('model-import-input').setInputFiles([
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "layers-model"') },
  ]);
  await expect(page.getByTestId('models-error')).toBeVisible();
  await expect(page.getByTestId('models-error')).not.toBeEmpty();
});
