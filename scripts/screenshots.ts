// Regenerates the README's screenshots from the built app on a first launch (fresh data folder,
// the shipped model active): `npx electron-vite build && npx tsx scripts/screenshots.ts`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium';
import { startBridgeServer } from '../e2e/server/bridge-server';

const root = join(import.meta.dirname, '..');
const out = join(root, 'docs');

async function shoot(page: Page, name: string, height: number): Promise<void> {
  await page.setViewportSize({ width: 1320, height });
  for (const scheme of ['light', 'dark'] as const) {
    await page.evaluate((t) => (document.documentElement.dataset['theme'] = t), scheme);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, `${name}-${scheme}.png`) });
  }
}

const server = await startBridgeServer({ port: 4793, rendererDir: join(root, 'out/renderer'), resourcesDir: join(root, 'resources') });
const executablePath = chromiumPath();
const browser = await chromium.launch({ args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) });
try {
  mkdirSync(out, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1320, height: 860 } });
  await page.goto('http://localhost:4793/');
  await page.getByTestId('backend').filter({ hasText: 'Backend' }).waitFor({ timeout: 60_000 });

  await page.locator('nav [data-view="evaluate"]').click();
  await page.getByTestId('eval-run').click();
  await page.getByTestId('eval-acc').waitFor({ timeout: 300_000 });
  await page.waitForTimeout(500);
  await shoot(page, 'evaluate', 1250);

  await page.locator('nav [data-view="train"]').click();
  await page.getByTestId('train-limit').fill('3000');
  await page.getByTestId('train-epochs').fill('3');
  await page.getByTestId('train-start').click();
  await page.getByTestId('train-status').filter({ hasText: /Finished|Failed/ }).waitFor({ timeout: 300_000 });
  await shoot(page, 'train', 1000);
  console.log('wrote docs/{evaluate,train}-{light,dark}.png');
} finally {
  await browser.close();
  await server.close();
}
