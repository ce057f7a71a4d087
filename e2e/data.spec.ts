import { test, expect, openApp } from './fixtures';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

test('the Data view shows the verified files, 64 named samples and the class distribution', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('view-data')).toBeVisible();
  const samples = page.getByTestId('sample-grid').getByTestId('sample');
  await expect(samples).toHaveCount(64, { timeout: 60_000 });
  for (const caption of await samples.locator('.caption').allTextContents()) expect(CLASSES).toContain(caption);
  await expect(page.getByTestId('class-chart').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('dataset-files').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('dataset-files')).toContainText('60,000');
  await expect(page.getByTestId('dataset-files')).toContainText('10,000');
  await expect(page.getByTestId('dataset-files').getByText('verified')).toHaveCount(4);

  // 10×10, browse one class, reshuffle, and open a sample large.
  await page.getByTestId('grid-10').click();
  await expect(samples).toHaveCount(100);
  await page.getByTestId('class-filter').selectOption({ label: 'Sneaker' });
  await expect(samples).toHaveCount(100);
  expect(new Set(await samples.locator('.caption').allTextContents())).toEqual(new Set(['Sneaker']));
  const before = await samples.first().getAttribute('title');
  await page.getByTestId('reshuffle').click();
  await expect.poll(() => samples.first().getAttribute('title')).not.toBe(before);
  await samples.first().click();
  await expect(page.getByTestId('sample-detail')).toContainText('Sneaker');
  await expect(page.getByTestId('sample-detail')).toContainText(/Train #[\d,]+/);
});

test('a file that is not IDX is refused with a message naming it', async ({ page, problems }) => {
  await openApp(page);
  await expect(page.getByTestId('sample-grid').getByTestId('sample')).toHaveCount(64, { timeout: 60_000 });
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-files').setInputFiles({ name: 'train-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: png });
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('dataset-error')).toContainText('train-images-idx3-ubyte.gz');
  await expect(page.getByTestId('dataset-error')).toContainText(/PNG/i);
  // The good data is still there.
  await expect(page.getByTestId('dataset-files').getByText('verified')).toHaveCount(4);
  expect(problems.errors).toEqual([]);
});

/** A small IDX pair: n images of 28×28 (a bright bar whose position is the label) and n labels. */
function idx(n: number): { images: Buffer; labels: Buffer } {
  const images = Buffer.alloc(16 + n * 784);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(n, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  const labels = Buffer.alloc(8 + n);
  labels.writeUInt32BE(0x801, 0);
  labels.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    labels[8 + i] = label;
    for (let r = 4; r < 24; r++) images[16 + i * 784 + r * 28 + 6 + label * 8] = 255;
  }
  return { images, labels };
}

test('IDX files import as a new dataset with its own class names', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('sample-grid').getByTestId('sample')).toHaveCount(64, { timeout: 60_000 });
  const train = idx(30);
  const test10k = idx(12);
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-new').check();
  await page.getByTestId('import-name').fill('Bars test set');
  await page.getByTestId('import-classes').fill('left, middle, right');
  await page.getByTestId('import-files').setInputFiles([
    { name: 'train-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: train.images },
    { name: 'train-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: train.labels },
    { name: 't10k-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: test10k.images },
    { name: 't10k-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: test10k.labels },
  ]);
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('import-panel')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 }).locator('xpath=..')).toContainText('Bars test set');
  const samples = page.getByTestId('sample-grid').getByTestId('sample');
  await expect(samples).toHaveCount(30);
  expect(new Set(await samples.locator('.caption').allTextContents())).toEqual(new Set(['left', 'middle', 'right']));
  await expect(page.getByTestId('dataset-files').getByText('verified')).toHaveCount(4);
  // Back to Fashion-MNIST through the dataset picker.
  await page.getByRole('combobox', { name: 'Dataset' }).selectOption('fashion-mnist');
  await expect(samples).toHaveCount(64, { timeout: 60_000 });
});
