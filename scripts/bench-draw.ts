// The draw pad in the real app (built renderer, shipped model, automatic backend): how often the
// prediction follows a stroke and how long each takes, with the "Why?" overlay off and on. The
// overlay shares the ML worker with the predictions, so this is where it can slow drawing down.
import type { Browser } from '@playwright/test';

interface Seen {
  updates: number;
  median: number;
  p90: number;
  max: number;
}

const MOVES = 120;

export async function benchDrawPad(browser: Browser, url: string): Promise<Record<string, string | number>[]> {
  const page = await browser.newPage({ viewport: { width: 1320, height: 900 } });
  try {
    await page.goto(url);
    await page.getByTestId('backend').filter({ hasText: 'Backend' }).waitFor({ timeout: 60_000 });
    const backend = (await page.getByTestId('backend').textContent())?.match(/Backend (\w+)/)?.[1] ?? '?';
    await page.locator('nav [data-view="classify"]').click();
    await page.getByTestId('classify-model-name').filter({ hasText: /\w/ }).waitFor({ timeout: 60_000 });
    // Every "classified in N ms" the panel shows, as it changes.
    await page.evaluate(() => {
      const w = window as unknown as { seen: number[] };
      w.seen = [];
      new MutationObserver(() => {
        const m = document.querySelector('.timing')?.textContent?.match(/(\d+) ms/);
        if (m) w.seen.push(Number(m[1]));
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const box = (await page.getByTestId('draw-canvas').boundingBox())!;
    const stroke = async (): Promise<void> => {
      await page.mouse.move(box.x + 60, box.y + 40);
      await page.mouse.down();
      for (let i = 0; i < MOVES; i++) {
        await page.mouse.move(box.x + 60 + (i % 40) * 4, box.y + 40 + Math.floor(i / 40) * 60 + (i % 40) * 2);
        await page.waitForTimeout(16); // a pointer event per 60 Hz frame
      }
      await page.mouse.up();
      await page.waitForTimeout(800);
    };
    await stroke(); // warm-up, and the toggle appears once there is a prediction
    const rows: Record<string, string | number>[] = [];
    for (const why of [false, true, false, true]) {
      const toggle = page.getByTestId('saliency-toggle').first();
      if (why !== (await toggle.isChecked())) await toggle.click();
      await page.getByTestId('clear-pad').click();
      await page.evaluate(() => ((window as unknown as { seen: number[] }).seen = []));
      await stroke();
      const s = (await page.evaluate(() => (window as unknown as { seen: number[] }).seen)).sort((a, b) => a - b);
      const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
      const seen: Seen = { updates: s.length, median: q(0.5), p90: q(0.9), max: s.at(-1) ?? NaN };
      rows.push({ backend, 'Why? overlay': why ? 'on' : 'off', [`updates / ${MOVES} moves`]: seen.updates, 'median ms': seen.median, 'p90 ms': seen.p90, 'max ms': seen.max });
    }
    return rows;
  } finally {
    await page.close();
  }
}
