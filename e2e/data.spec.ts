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
  await page.locator('input[type=file]').setInputFiles({ name: 'train-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: png });
  await expect(page.getByTestId('dataset-error')).toContainText('train-images-idx3-ubyte.gz');
  await expect(page.getByTestId('dataset-error')).toContainText(/PNG/i);
  // The good data is still there.
  await expect(page.getByTestId('dataset-files').getByText('verified')).toHaveCount(4);
  expect(problems.errors).toEqual([]);
});
