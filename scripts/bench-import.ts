// How long the app takes to import a folder of photos, through the built renderer in Chromium
// exactly as a user does it (Data view → Import photo folder → Import): the folder's files are read
// and hashed on the page, then cut and made 28×28 in the pool of prepare workers, then committed
// by main. Printed, never asserted: `npx electron-vite build && npx tsx scripts/bench-import.ts [DIR]`
// (DIR: a folder with one subfolder per class; default ../shared/photos/train).
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium';
import { startBridgeServer } from '../e2e/server/bridge-server';

const root = join(import.meta.dirname, '..');
const dir = resolve(process.argv[2] ?? join(root, '../shared/photos/train'));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * CPU seconds used so far by this process (the bridge server: main's services) and every process it
 * started (Chromium: the page, the prepare workers), from /proc; null where there is no /proc.
 * With other work on the machine, wall time says how busy it was; CPU time says what the import costs.
 */
function cpuSeconds(): number | null {
  const TICKS = 100; // USER_HZ on Linux
  try {
    const stats = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((pid) => {
        try {
          const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
          return [{ pid: Number(pid), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }];
        } catch {
          return []; // ended meanwhile
        }
      });
    const ours = new Set([process.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of stats) if (!ours.has(s.pid) && ours.has(s.ppid)) grew = ours.add(s.pid).size > 0;
    }
    return stats.filter((s) => ours.has(s.pid)).reduce((sum, s) => sum + s.ticks, 0) / TICKS;
  } catch {
    return null;
  }
}

const server = await startBridgeServer({ port: 0, rendererDir: join(root, 'out/renderer'), resourcesDir: join(root, 'resources') });
const executablePath = chromiumPath();
const browser = await chromium.launch({ args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) });
try {
  const page = await browser.newPage({ viewport: { width: 1320, height: 860 } });
  await page.goto(server.url);
  await page.getByTestId('backend').filter({ hasText: 'Backend' }).waitFor({ timeout: 60_000 });
  await page.locator('nav [data-view="data"]').click();
  await page.getByTestId('photo-import-open').click();

  // Reading: Playwright hands the folder's files to the page's folder input, which hashes them.
  const t0 = performance.now();
  await page.getByTestId('photo-folder-input').setInputFiles(dir);
  const start = page.getByTestId('photo-import-start');
  await start.waitFor({ timeout: 600_000 });
  await page.getByTestId('naming-own').click();
  const label = (await start.innerText()).trim();
  const t1 = performance.now();

  // Preparing (the worker pool) and saving (one photos:add, committed by main).
  const load0 = loadavg()[0]!;
  const cpu0 = cpuSeconds();
  await start.click();
  const done = page.getByTestId('photo-import-done');
  await done.waitFor({ timeout: 1_800_000 });
  const t2 = performance.now();
  const cpu1 = cpuSeconds();
  const summary = (await done.innerText()).trim();
  const photos = Number(/(\d[\d,]*) photos? added/.exec(summary)?.[1]?.replace(/,/g, '') ?? 0);

  console.log(`folder: ${dir}`);
  console.log(`machine: ${cpus().length} cores, load average ${load0.toFixed(2)} at the start of preparing, ${loadavg()[0]!.toFixed(2)} at the end`);
  console.log(`reading and hashing (${label}): ${seconds(t1 - t0)}`);
  console.log(`preparing and saving: ${seconds(t2 - t1)} (${((photos / (t2 - t1)) * 1000).toFixed(1)} photos/s)`);
  console.log(`whole import: ${seconds(t2 - t0)} for ${photos} photos`);
  if (cpu0 !== null && cpu1 !== null) {
    const cpu = cpu1 - cpu0;
    const cores = cpus().length;
    console.log(`CPU used preparing and saving: ${cpu.toFixed(1)} s (${((cpu / photos) * 1000).toFixed(0)} ms a photo; ${(cpu / ((t2 - t1) / 1000)).toFixed(2)} cores on average)`);
    console.log(`the same work on ${cores} otherwise idle cores: about ${seconds((cpu / cores) * 1000 + (t1 - t0))} with reading`);
  }
  console.log(`the app says: ${summary}`);
} finally {
  await browser.close();
  await server.close();
  await rm(server.dataDir, { recursive: true, force: true });
}
