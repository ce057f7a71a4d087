#!/usr/bin/env node
// `npm test`: type checks, unit tests (Node), build, e2e tests (Chromium, and Electron where its
// binary is installed). Stops at the first failing stage and prints one summary line of counts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = { passed: 0, failed: 0, skipped: 0 };
const started = Date.now();

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

function finish(ok) {
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`\nAll stages ${ok ? 'passed' : 'did NOT pass'} in ${secs} s.`);
  console.log(`tests: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
  process.exit(ok && results.failed === 0 ? 0 : 1);
}

mkdirSync('test-results', { recursive: true });
rmSync('test-results/unit.json', { force: true });
rmSync('test-results/e2e.json', { force: true });

if (!run('typecheck (main, preload, shared, tests)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])) finish(false);
if (!run('typecheck (renderer, svelte-check)', 'npx', ['svelte-check', '--tsconfig', 'tsconfig.web.json', '--fail-on-warnings', '--output', 'human']))
  finish(false);

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

const e2eOk = run('e2e tests (Playwright)', 'npx', ['playwright', 'test']);
count('test-results/e2e.json', (j) => {
  results.passed += j.stats.expected + j.stats.flaky;
  results.failed += j.stats.unexpected;
  results.skipped += j.stats.skipped;
});
finish(e2eOk);
