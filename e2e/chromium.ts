// Where the tests find a browser: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else (the
// config passes no path) Playwright's own, which scripts/ensure-browser.ts installs when missing.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

/** An explicitly chosen or system Chromium; undefined lets Playwright use its own. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

/** Playwright's own Chromium, when it is installed. */
export function playwrightChromiumPath(): string | undefined {
  try {
    const path = chromium.executablePath();
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined; // this Playwright has no Chromium build for the platform
  }
}

/** WebGPU needs --enable-unsafe-webgpu on Linux (it then offers the SwiftShader adapter headless). */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
