import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, openApp } from './fixtures';
import { BRIDGE_PREFIX } from './bridge/prefix';

test('the shell opens with navigation, backend and adapter', async ({ page, problems }) => {
  await openApp(page);
  await expect(page).toHaveTitle('Tailor');
  for (const view of ['data', 'train', 'evaluate', 'models', 'classify'] as const) {
    await page.locator(`nav [data-view="${view}"]`).click();
    await expect(page.getByTestId(`view-${view}`)).toBeVisible();
    await expect(page.locator(`nav [data-view="${view}"]`)).toHaveAttribute('aria-current', 'page');
  }
  // Headless Chromium here has only SwiftShader, so the automatic choice is wasm, multi-threaded
  // because the page is cross-origin isolated.
  await expect(page.getByTestId('backend')).toContainText('Backend wasm');
  await expect(page.getByTestId('backend')).toContainText(/\d+ threads?/);
  await expect(page.getByTestId('adapter')).toContainText('software adapter');
  expect(problems.csp).toEqual([]);
});

test('the page has no Node, Electron or IPC in reach', async ({ page }) => {
  await openApp(page);
  const reach = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    return {
      require: typeof w['require'],
      process: typeof w['process'],
      ipcRenderer: typeof w['ipcRenderer'],
      electron: typeof w['electron'],
      isolated: crossOriginIsolated,
    };
  });
  expect(reach).toEqual({ require: 'undefined', process: 'undefined', ipcRenderer: 'undefined', electron: 'undefined', isolated: true });
});

test('the CSP blocks inline and remote scripts', async ({ page, problems }) => {
  await openApp(page);
  const violations = await page.evaluate(async () => {
    const seen: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
    const inline = document.createElement('script');
    inline.textContent = 'window.__inlineRan = true';
    document.body.append(inline);
    const remote = document.createElement('script');
    remote.src = 'https://cdn.example.com/evil.js';
    document.body.append(remote);
    await new Promise((r) => setTimeout(r, 300));
    return { seen, inlineRan: (window as unknown as Record<string, unknown>)['__inlineRan'] === true };
  });
  expect(violations.inlineRan).toBe(false);
  expect(violations.seen).toEqual(expect.arrayContaining(['script-src-elem inline', 'script-src-elem https://cdn.example.com/evil.js']));
  // Those attempts were meant to be refused; clear them so the fixture checks nothing else was.
  problems.csp.length = 0;
  problems.errors = problems.errors.filter((e) => !/evil\.js/.test(e));
});

test('without the preload the window says so instead of starting', async ({ page }) => {
  // The e2e server gives the page its transport in place of Electron's preload; take it away.
  await page.route(`**${BRIDGE_PREFIX}/bridge.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
  await page.goto('/');
  await expect(page.getByRole('alert')).toContainText('Tailor cannot start: preload missing.');
  await expect(page.locator('nav')).toHaveCount(0);
});

test('the shipped renderer bundle carries no transport but the preload', () => {
  const dir = join(import.meta.dirname, '../out/renderer');
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && /\.(js|html)$/.test(f.name));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) expect(readFileSync(join(f.parentPath, f.name), 'utf8'), f.name).not.toContain(BRIDGE_PREFIX);
});

test('main refuses calls from a foreign origin', async ({ request, baseURL }) => {
  const res = await request.post(`${baseURL}${BRIDGE_PREFIX}/invoke/app:info`, {
    headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    data: Buffer.from([0, 0, 0, 0]),
  });
  expect(res.status()).toBe(403);
});

test('light and dark themes (screenshots for the README)', async ({ page }) => {
  mkdirSync('docs', { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await openApp(page);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe(scheme === 'light' ? 'rgb(245, 246, 248)' : 'rgb(20, 22, 27)');
    await page.screenshot({ path: `docs/screenshot-${scheme}.png` });
  }
  // The toggle overrides the OS: system → light → dark.
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});
