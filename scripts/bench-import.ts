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
  try {
    let ticks = 0;
    for (const pid of ourPids()) {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
        ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // ended meanwhile
      }
    }
    return ticks / 100; // USER_HZ on Linux
  } catch {
    return null;
  }
}

/** Our processes (this one and its descendants) as found in /proc. */
function ourPids(): number[] {
  const parents = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      parents.set(Number(d), Number(readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) if (!ours.has(pid) && ours.has(ppid)) grew = ours.add(pid).size > 0;
  }
  return [...ours];
}

/**
 * CPU ticks per thread of our processes, sampled every second (a thread that ends keeps its last
 * sample): where the import's CPU goes, by thread name (the page's main thread, the prepare
 * workers' "DedicatedWorker" threads, Chromium's own, the bridge server's).
 */
function threadSampler(): { stop: () => Map<string, number> } {
  const last = new Map<string, { name: string; ticks: number }>();
  const sample = (): void => {
    for (const pid of ourPids()) {
      let kind = 'node';
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (/chrom/i.test(cmd.split('\0')[0] ?? '')) kind = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
      } catch {
        continue;
      }
      let tids: string[] = [];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const tid of tids) {
        try {
          const raw = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
          const name = `${kind}:${raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')'))}`;
          const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
          const ticks = Number(f[11]) + Number(f[12]);
          const key = `${pid}/${tid}`;
          last.set(key, { name, ticks });
        } catch {
          // ended meanwhile
        }
      }
    }
  };
  sample();
  const baseline = new Map([...last].map(([k, v]) => [k, v.ticks]));
  const timer = setInterval(sample, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const byName = new Map<string, number>();
      for (const [key, { name, ticks }] of last) {
        const used = (ticks - (baseline.get(key) ?? 0)) / 100;
        const group = name.replace(/\d+$/, '');
        if (used > 0) byName.set(group, (byName.get(group) ?? 0) + used);
      }
      return byName;
    },
  };
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
  const threads = process.env['THREADS'] ? threadSampler() : null;
  await start.click();
  const done = page.getByTestId('photo-import-done');
  await done.waitFor({ timeout: 1_800_000 });
  const t2 = performance.now();
  const cpu1 = cpuSeconds();
  const byThread = threads?.stop() ?? null;
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
  if (byThread) {
    const top = [...byThread].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`CPU by thread (THREADS=1): ${top.map(([n, s]) => `${n} ${s.toFixed(1)} s (${((s / photos) * 1000).toFixed(0)} ms a photo)`).join('; ')}`);
  }
} finally {
  await browser.close();
  await server.close();
  await rm(server.dataDir, { recursive: true, force: true });
}
