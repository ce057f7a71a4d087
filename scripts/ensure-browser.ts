/**
 * `npm test` runs its end-to-end tests in Chromium: $CHROMIUM_PATH, the system's (Debian's
 * chromium), or Playwright's own. When none is there it installs Playwright's (needs the network).
 * Prints one line; exits 0 with a browser, 2 without.
 *   npx tsx scripts/ensure-browser.ts
 */
import { spawnSync } from 'node:child_process';
import { chromiumPath, playwrightChromiumPath } from '../e2e/chromium';

function found(): string | undefined {
  return chromiumPath() ?? playwrightChromiumPath();
}

let path = found();
if (!path) {
  console.log('No Chromium found: installing Playwright’s (npx playwright install chromium) …');
  spawnSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit', timeout: 600_000 });
  path = found();
}
if (path) {
  console.log(`Chromium: ${path}`);
} else {
  console.log(
    'No Chromium for the end-to-end tests, and Playwright’s could not be installed: `apt-get install chromium`, ' +
      'or `npx playwright install chromium` where the network allows, or set CHROMIUM_PATH.',
  );
  process.exitCode = 2;
}
