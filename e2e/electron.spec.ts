// The real desktop app, through Playwright's Electron driver. Runs wherever the Electron binary is
// installed (a plain `npm install` fetches it); where it is not, the test is skipped and says why.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown as string;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
if (!binary) {
  console.log('electron.spec: SKIPPED — no Electron binary here (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run `npm install` without it to test the desktop app.');
}

test('the desktop app opens its window and reports its backend', async () => {
  test.skip(!binary, 'no Electron binary installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1)');
  const app = await electron.launch({
    executablePath: binary!,
    args: [join(import.meta.dirname, '..'), ...(process.env['CI'] ? ['--no-sandbox'] : [])],
  });
  try {
    const page = await app.firstWindow();
    await expect(page).toHaveTitle('Tailor');
    await expect(page.getByTestId('backend')).toContainText(/Backend (webgpu|webgl|wasm|cpu)/, { timeout: 60_000 });
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0]!.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> };
      return wc.getLastWebPreferences?.() ?? null;
    });
    // Older and newer Electron versions differ in exposing this; where they do, check it.
    if (prefs) expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    const reach = await page.evaluate(() => ({
      require: typeof (window as unknown as Record<string, unknown>)['require'],
      tailor: typeof (window as unknown as Record<string, unknown>)['tailor'],
    }));
    expect(reach).toEqual({ require: 'undefined', tailor: 'object' });
    // New windows are denied and navigation away from the app is blocked.
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(1000);
    expect(page.url()).toMatch(/^app:\/\/tailor\//);
    expect(app.windows()).toHaveLength(1);
    // The typed API answers, through the preload and ipcMain, with a value.
    const info = await page.evaluate(() => (window as unknown as { tailor: { app: { info: () => Promise<unknown> } } }).tailor.app.info());
    expect(info).toMatchObject({ ok: true, value: { shell: 'electron' } });
  } finally {
    await app.close();
  }
});
