#!/usr/bin/env node
// `npm test`: type checks, unit tests (Node), build, e2e tests (Chromium, and Electron where its
// binary is installed). Stops at the first failing stage and prints one summary line of counts.
// On a machine without the system's Fashion-MNIST or Chromium it fetches them (the dataset through
// the app's own checksummed download, Playwright's Chromium) or, offline, says in one line what is
// missing and skips what needs it — except under CI, where a missing prerequisite fails the run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = { passed: 0, failed: 0, skipped: 0, flaky: 0 };
const started = Date.now();
/** Stages not run for want of a prerequisite, with the reason. */
const skippedStages = [];

function run(title, cmd, args, env = {}) {
  console.log(`\n▶ ${title}: ${cmd} ${args.join(' ')}`);
  const t = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`  ${title} ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return r.status === 0;
}

function count(file, read) {
  if (!existsSync(file)) return false;
  try {
    read(JSON.parse(readFileSync(file, 'utf8')));
    return true;
  } catch (err) {
    console.error(`could not read ${file}: ${err.message}`);
    return false;
  }
}

/** Runs a prerequisite script, echoing its output; returns its exit status and its `KEY=value` lines. */
function prerequisite(title, script) {
  console.log(`\n▶ ${title}: npx tsx ${script}`);
  const r = spawnSync('npx', ['tsx', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = (r.stdout ?? '').split('\n').filter(Boolean);
  for (const line of lines.filter((l) => !/^[A-Z_]+=/.test(l))) console.log(`  ${line}`);
  const values = Object.fromEntries(lines.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { ok: r.status === 0, values };
}

function finish(ok) {
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  const some = skippedStages.length ? ' that could run' : '';
  console.log(`\nAll stages${some} ${ok ? 'passed' : 'did NOT pass'} in ${secs} s.`);
  for (const s of skippedStages) console.log(`Not run: ${s}`);
  const flaky = results.flaky ? `, ${results.flaky} flaky (failed, then passed on a retry: see above)` : '';
  console.log(`tests: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped${flaky}`);
  process.exit(ok && results.failed === 0 ? 0 : 1);
}

mkdirSync('test-results', { recursive: true });
rmSync('test-results/unit.json', { force: true });
rmSync('test-results/e2e.json', { force: true });

if (!run('typecheck (main, preload, shared, tests)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])) finish(false);
if (!run('typecheck (renderer, svelte-check)', 'npx', ['svelte-check', '--tsconfig', 'tsconfig.web.json', '--fail-on-warnings', '--output', 'human']))
  finish(false);

// The real dataset: the system copy, or fetched once into a test cache; offline, its tests skip.
const data = prerequisite('test data', 'scripts/ensure-test-data.ts');
if (data.values.FASHION_MNIST_DIR) process.env.FASHION_MNIST_DIR = data.values.FASHION_MNIST_DIR;
if (!data.ok && process.env.CI) finish(false);

const unitOk = run('unit tests (vitest)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/unit.json']);
count('test-results/unit.json', (j) => {
  results.passed += j.numPassedTests;
  results.failed += j.numFailedTests;
  // A file that fails outside its tests (an import or beforeAll error) counts its tests as
  // skipped, not failed: count each such file as a failure so the summary never reads green.
  const brokenFiles = j.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'));
  results.failed += brokenFiles.length;
  results.skipped += j.numPendingTests + j.numTodoTests;
  for (const f of brokenFiles) console.log(`  failed outside its tests: ${f.name}: ${(f.message ?? '').split('\n')[0]}`);
});
if (!unitOk) finish(false);

if (!run('build (electron-vite)', 'npx', ['electron-vite', 'build'])) finish(false);

/** Every test of a Playwright JSON report, with the title path that names it. */
function* e2eTests(suite, path = []) {
  for (const spec of suite.specs ?? []) for (const t of spec.tests) yield { title: [...path, spec.title].join(' › '), test: t };
  for (const child of suite.suites ?? []) yield* e2eTests(child, suite.title ? [...path, suite.title] : path);
}

/**
 * CI keeps only this log: for each failed attempt, print the page as it was (Playwright's
 * error-context snapshot), so a failure seen once can still be read afterwards.
 */
function reportFailures(report) {
  for (const suite of report.suites ?? []) {
    for (const { title, test } of e2eTests(suite)) {
      if (test.status !== 'unexpected' && test.status !== 'flaky') continue;
      console.log(`\n${test.status === 'flaky' ? 'FLAKY' : 'FAILED'}: ${title}`);
      for (const r of test.results.filter((r) => r.status !== 'passed' && r.status !== 'skipped')) {
        console.log(`  attempt ${r.retry + 1}: ${r.status} after ${(r.duration / 1000).toFixed(1)} s`);
        for (const e of r.errors ?? []) console.log(`    ${(e.message ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(0, 8).join('\n    ')}`);
        const context = r.attachments.find((a) => a.name === 'error-context' && a.path && existsSync(a.path));
        if (!context) continue;
        const text = readFileSync(context.path, 'utf8');
        const snapshot = text.slice(Math.max(0, text.indexOf('# Page snapshot'))).split('\n').slice(0, 80);
        console.log(snapshot.map((l) => `    ${l}`).join('\n'));
      }
    }
  }
}

if (!data.ok) {
  skippedStages.push('e2e tests: they need Fashion-MNIST (see "test data" above)');
  finish(true);
}
const browser = prerequisite('browser', 'scripts/ensure-browser.ts');
if (!browser.ok) {
  if (process.env.CI) finish(false);
  skippedStages.push('e2e tests: no Chromium (see "browser" above)');
  finish(true);
}

const e2eOk = run('e2e tests (Playwright)', 'npx', ['playwright', 'test']);
count('test-results/e2e.json', (j) => {
  results.passed += j.stats.expected;
  results.failed += j.stats.unexpected;
  results.skipped += j.stats.skipped;
  results.flaky += j.stats.flaky;
  reportFailures(j);
});
finish(e2eOk);
