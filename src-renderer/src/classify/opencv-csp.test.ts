import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCvPath } from '../../../scripts/lib/opencv-node';
import { closingBrace, isOpenCvModule, patchOpenCvForCsp } from './opencv-csp';

const ROOT = join(import.meta.dirname, '../../..');

/** Runs `code` in a Node that refuses eval and new Function, as the CSP does (wasm still allowed). */
function runWithoutEval(code: string): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tailor-csp-'));
  try {
    const file = join(dir, 'check.mts');
    writeFileSync(file, code);
    // A failing opencv.js prints its 11 MB source line with the error: room for it.
    const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('patchOpenCvForCsp', () => {
  const source = readFileSync(openCvPath(), 'utf8');

  it('leaves the shipped opencv.js with no string-to-code call and no data: fetch', () => {
    // Booleans, not the texts: a failure must not print 11 MB.
    expect(source.includes('new Function')).toBe(true);
    const patched = patchOpenCvForCsp(source);
    expect(patched.includes('new Function')).toBe(false);
    expect(patched.includes('new_(Function')).toBe(false);
    expect(patched.includes('function getBinaryPromise(){return new Promise(function(resolve){resolve(getBinary())})}')).toBe(true);
  });

  it('refuses a file it was not written for', () => {
    expect(() => patchOpenCvForCsp('var x = 1;')).toThrow(/createNamedFunction found 0 times/);
    const twice = source.replace('function makeDynCaller(dynCall){', 'function makeDynCaller(dynCall){}function makeDynCaller(dynCall){');
    expect(() => patchOpenCvForCsp(twice)).toThrow(/makeDynCaller found 2 times/);
  });

  it('runs GrabCut where eval and new Function are refused, as in the prepare worker', () => {
    const out = runWithoutEval(`
      import { loadOpenCvNode } from '${join(ROOT, 'scripts/lib/opencv-node.ts')}';
      const cv = await loadOpenCvNode();
      const img = new cv.Mat(40, 40, cv.CV_8UC3);
      for (let p = 0; p < 1600; p++) img.data.set(Math.abs((p % 40) - 20) < 8 && Math.abs(Math.floor(p / 40) - 20) < 8 ? [200, 40, 40] : [30, 120, 30], 3 * p);
      const mask = new cv.Mat(); const bg = new cv.Mat(); const fg = new cv.Mat();
      cv.grabCut(img, mask, new cv.Rect(4, 4, 32, 32), bg, fg, 2, cv.GC_INIT_WITH_RECT);
      console.log(Array.from(mask.data).filter((v) => v === 1 || v === 3).length);
    `);
    expect(out.stderr.slice(0, 2000)).toBe('');
    expect(Number(out.stdout.trim())).toBe(15 * 15);
  }, 60_000);

  it('is needed: the unpatched module does not load there', () => {
    const out = runWithoutEval(`import { createRequire } from 'node:module'; createRequire(import.meta.url)(${JSON.stringify(openCvPath())});`);
    expect(out.status).not.toBe(0);
    expect(out.stderr.includes('Code generation from strings disallowed')).toBe(true);
  }, 60_000);
});

describe('helpers', () => {
  it('closingBrace skips braces inside strings', () => {
    const text = 'function f(){var s="}{";return "\\"}"}X';
    expect(text.slice(closingBrace(text, text.indexOf('{')))).toBe('X');
  });

  it('isOpenCvModule matches the package file only', () => {
    expect(isOpenCvModule('/a/node_modules/@techstark/opencv-js/dist/opencv.js')).toBe(true);
    expect(isOpenCvModule('C:\\a\\node_modules\\@techstark\\opencv-js\\dist\\opencv.js?commonjs-entry')).toBe(true);
    expect(isOpenCvModule('/a/src/opencv.js')).toBe(false);
  });
});
