// The README's screenshots of teaching Tailor your own photos, from the built app on a first launch
// (fresh data folder, the shipped model), with real photos from ../shared/photos:
//   docs/screenshot-import.png          the Data view after importing a folder (train/, as a user's own photos)
//   docs/screenshot-fine-tune.png       the shipped model fine-tuned on it, charts live mid-run
//   docs/screenshot-classify-photos.png Classify with validation/ photos: the cut outlined (an unsure answer when there is one)
// `npx electron-vite build && npx tsx scripts/screenshots-photos.ts` (light theme; about 15 minutes on 2 busy cores).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium';
import { startBridgeServer } from '../e2e/server/bridge-server';
import { FINE_TUNE_HYPER } from '../src-renderer/src/ml/fine-tune';

const root = join(import.meta.dirname, '..');
const photos = join(root, '../shared/photos');
const out = join(root, 'docs');
/** Photos a class from train/ (all by default; fewer for a quicker run: PER_CLASS=100). */
const PER_CLASS = Number(process.env['PER_CLASS'] ?? Infinity);
/** The fine-tune recipe's epochs for a new output layer. */
const EPOCHS = FINE_TUNE_HYPER.epochs;

/** "My clothes": the first PER_CLASS photos (by name) of each class folder of train/, copied. */
function myClothes(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'tailor-shots-')), 'My clothes');
  for (const cls of readdirSync(join(photos, 'train')).sort()) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (const f of readdirSync(join(photos, 'train', cls)).sort().slice(0, PER_CLASS)) copyFileSync(join(photos, 'train', cls, f), join(dir, cls, f));
  }
  return dir;
}

async function shoot(page: Page, name: string, height: number): Promise<void> {
  await page.setViewportSize({ width: 1320, height });
  await page.evaluate(() => (document.documentElement.dataset['theme'] = 'light'));
  await page.evaluate(() => document.querySelector('main')?.scrollTo(0, 0));
  await page.waitForTimeout(500); // colour transitions finish
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(`wrote docs/${name}.png`);
}

const folder = myClothes();
const server = await startBridgeServer({ port: 0, rendererDir: join(root, 'out/renderer'), resourcesDir: join(root, 'resources') });
const executablePath = chromiumPath();
const browser = await chromium.launch({ args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) });
try {
  mkdirSync(out, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1320, height: 860 } });
  await page.goto(server.url);
  await page.getByTestId('backend').filter({ hasText: 'Backend' }).waitFor({ timeout: 60_000 });

  // Import: the ten folders as own classes, a seeded split.
  await page.locator('nav [data-view="data"]').click();
  await page.getByTestId('photo-import-open').click();
  await page.getByTestId('photo-folder-input').setInputFiles(folder);
  await page.getByTestId('photo-import-start').waitFor({ timeout: 300_000 });
  await page.getByTestId('naming-own').click();
  await page.getByTestId('photo-import-start').click();
  await page.getByTestId('photo-import-done').waitFor({ timeout: 900_000 });
  await page.getByTestId('photo-grid').getByTestId('photo-tile').first().waitFor();
  await shoot(page, 'screenshot-import', 1400);

  // Fine-tune from the shipped model, shot while it runs (after epoch 4).
  await page.setViewportSize({ width: 1320, height: 860 });
  await page.locator('nav [data-view="train"]').click();
  await page.getByTestId('start-from-note').waitFor({ timeout: 60_000 });
  await page.getByTestId('train-epochs').fill(String(EPOCHS));
  await page.getByTestId('train-start').click();
  await page.getByTestId('train-memory').filter({ hasText: 'after epoch 4' }).waitFor({ timeout: 900_000 });
  await shoot(page, 'screenshot-fine-tune', 1150);
  await page.getByTestId('train-status').filter({ hasText: /Finished|Failed|Stopped/ }).waitFor({ timeout: 900_000 });
  console.log(await page.getByTestId('train-status').innerText());

  // Classify photos it was not taught (validation/), the first unsure one opened.
  await page.setViewportSize({ width: 1320, height: 860 });
  await page.locator('nav [data-view="classify"]').click();
  const picks = ['t-shirt', 'pants', 'shoes', 'skirt', 'outwear', 'hat', 'dress', 'shirt'].map((c) => {
    const f = readdirSync(join(photos, 'validation', c)).sort()[3]!;
    return join(photos, 'validation', c, f);
  });
  await page.getByTestId('open-files').setInputFiles(picks);
  // Every file answered: the summary's counts (classified, no garment found, not readable) add up.
  await page.waitForFunction(
    (n) => {
      const text = document.querySelector('[data-testid="files-summary"]')?.textContent ?? '';
      const counts = [...text.replace(/\([^)]*\)/g, '').matchAll(/(\d+) (?:classified|with no garment|not readable)/g)].map((m) => Number(m[1]));
      return counts.reduce((a, b) => a + b, 0) === n;
    },
    picks.length,
    { timeout: 300_000 },
  );
  const unsure = page.getByTestId('result-row').filter({ has: page.getByTestId('row-unsure') });
  const row = (await unsure.count()) ? unsure.first() : page.getByTestId('result-row').first();
  await row.getByRole('button').first().click();
  await page.getByTestId('image-result').getByTestId('cut-canvas').waitFor();
  await shoot(page, 'screenshot-classify-photos', 1500);
} finally {
  await browser.close();
  await server.close();
  await rm(server.dataDir, { recursive: true, force: true });
  await rm(join(folder, '..'), { recursive: true, force: true });
}
