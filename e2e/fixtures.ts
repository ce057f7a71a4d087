// Shared Playwright fixture: every page records CSP violations, page errors and console errors, and
// each test fails if any appeared (the app must run under its strict CSP without complaint).
import { test as base, expect, type Page } from '@playwright/test';

export interface Problems {
  csp: string[];
  errors: string[];
}

export const test = base.extend<{ problems: Problems }>({
  problems: async ({ page }, use) => {
    const problems: Problems = { csp: [], errors: [] };
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
      });
    });
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      if (/CSP violation|Content Security Policy/i.test(text)) problems.csp.push(text);
      else problems.errors.push(text);
    });
    page.on('pageerror', (err) => problems.errors.push(`pageerror: ${err.message}`));
    await use(problems);
    expect(problems.csp, 'CSP violations').toEqual([]);
    expect(problems.errors, 'console errors').toEqual([]);
  },
});

export { expect };

/** Opens the app and waits until the ML worker reports its backend. */
export async function openApp(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('backend')).toContainText(/Backend \w+/, { timeout: 60_000 });
}
