// A dataset other than Fashion-MNIST, end to end: another image size and another class count are
// imported, trained on, saved, reloaded, evaluated and classified with their own class names, and
// a dataset that does not fit the model is refused with the reason.
import type { Page } from '@playwright/test';
import { test, expect, openApp } from './fixtures';

const SIDE = 32;
const CLASSES = ['left', 'middle', 'right'];

/** n images of 32×32, a bright vertical bar whose position is the label, and n labels (IDX, raw). */
function idx(n: number): { images: Buffer; labels: Buffer } {
  const pixels = SIDE * SIDE;
  const images = Buffer.alloc(16 + n * pixels);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(n, 4);
  images.writeUInt32BE(SIDE, 8);
  images.writeUInt32BE(SIDE, 12);
  const labels = Buffer.alloc(8 + n);
  labels.writeUInt32BE(0x801, 0);
  labels.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    labels[8 + i] = label;
    for (let r = 4; r < 28; r++) for (let c = 0; c < 3; c++) images[16 + i * pixels + r * SIDE + 5 + label * 10 + c] = 255;
  }
  return { images, labels };
}

async function openView(page: Page, view: 'data' | 'train' | 'evaluate' | 'models' | 'classify'): Promise<void> {
  await page.locator(`nav [data-view="${view}"]`).click();
  await expect(page.getByTestId(`view-${view}`)).toBeVisible();
}

async function importBars(page: Page): Promise<void> {
  await expect(page.getByTestId('dataset-files')).toBeVisible({ timeout: 60_000 });
  const train = idx(90);
  const test10k = idx(30);
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-new').check();
  await page.getByTestId('import-name').fill('Bars 32');
  await page.getByTestId('import-classes').fill(CLASSES.join(', '));
  await page.getByTestId('import-files').setInputFiles([
    { name: 'train-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: train.images },
    { name: 'train-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: train.labels },
    { name: 't10k-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: test10k.images },
    { name: 't10k-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: test10k.labels },
  ]);
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('import-panel')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 }).locator('xpath=..')).toContainText('3 classes of 32×32');
}

test('a 3-class 32×32 IDX set trains, saves, reloads, evaluates and classifies with its own class names', async ({ page }) => {
  test.setTimeout(400_000);
  await openApp(page);
  await importBars(page);

  // Train: the preset's output layer follows the dataset (3 classes); the selector is locked meanwhile.
  await openView(page, 'train');
  await page.getByTestId('train-preset').selectOption('report-fixed');
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 60_000 });
  await expect(page.getByTestId('layer-problem')).toHaveCount(0);
  await page.getByTestId('train-epochs').fill('3');
  await page.getByTestId('train-batch').fill('10');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toContainText(/Finished|Failed|Stopped/, { timeout: 300_000 });
  await expect(page.getByTestId('train-status')).toContainText('Finished');
  await expect(page.getByTestId('train-status')).toContainText('model saved');

  // A fresh renderer: the saved model is the active one, and knows its dataset.
  await openApp(page);
  await openView(page, 'classify');
  await expect(page.getByTestId('classify-model-name')).toContainText('Report CNN, corrected', { timeout: 60_000 });
  await expect(page.getByTestId('classify-resized')).toHaveText('resized to 32×32');
  await openView(page, 'models');
  const inUse = page.getByTestId('model-row').filter({ has: page.getByTestId('model-in-use') });
  await expect(inUse.getByTestId('model-dataset')).toContainText('Bars 32');
  await expect(inUse.getByTestId('model-dataset')).toContainText('32×32 · 3 classes');

  // Evaluate: Fashion-MNIST is selected after the reload and does not fit — refused, with why.
  await openView(page, 'evaluate');
  await page.getByTestId('eval-run').click();
  await expect(page.getByTestId('eval-error')).toContainText('This model takes 32×32 images and Fashion-MNIST has 28×28 images');
  await expect(page.getByTestId('eval-summary')).toHaveCount(0);

  // On its own dataset it evaluates, with its class names, and the metrics are kept with it.
  await openView(page, 'data');
  await page.getByRole('combobox', { name: 'Dataset' }).selectOption({ label: 'Bars 32' });
  await expect(page.getByTestId('sample-grid').getByTestId('sample')).toHaveCount(64, { timeout: 60_000 });
  await openView(page, 'evaluate');
  await page.getByTestId('eval-run').click();
  await expect(page.getByTestId('eval-summary')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('eval-error')).toHaveCount(0);
  await expect(page.getByTestId('cm-cell')).toHaveCount(9);
  const counts = await page.getByTestId('cm-cell').evaluateAll((els) => els.map((el) => Number(el.querySelector('.count')!.textContent!.replace(/\D/g, ''))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
  const scoreRows = await page.getByTestId('class-score-row').allTextContents();
  expect(scoreRows).toHaveLength(3);
  for (const name of CLASSES) expect(scoreRows.some((r) => r.includes(name))).toBe(true);
  await expect(page.getByTestId('eval-measured')).toContainText('on the test set of Bars 32 · kept with the model');

  // Classify: a drawn vertical bar gets one of the dataset's class names.
  await openView(page, 'classify');
  const box = (await page.getByTestId('draw-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 30);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 30, { steps: 12 });
  await page.mouse.up();
  await expect(page.getByTestId('draw-class')).toHaveText(new RegExp(`^(${CLASSES.join('|')})$`), { timeout: 30_000 });
  const bars = await page.getByTestId('draw-bars').innerText();
  for (const name of CLASSES) expect(bars).toContain(name);
});
