// The prepare worker as built, under the CSP it is served with (no 'unsafe-eval'): real photos
// must take the GrabCut route, i.e. OpenCV.js loads and runs there, with no CSP violation and no
// console error (the fixture checks both). Messages go straight to the worker, so this holds
// whatever the Classify view does with the results.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures';

const PHOTOS = 'e2e/fixtures/photos';

test('the prepare worker finds the garment in real photos with OpenCV under the strict CSP', async ({ page }) => {
  const worker = readdirSync('out/renderer/assets').find((f) => /^prepare\.worker-.*\.js$/.test(f));
  expect(worker, 'the built prepare worker').toBeTruthy();
  const folders = readdirSync(PHOTOS, { withFileTypes: true }).filter((d) => d.isDirectory());
  const photos = folders.slice(0, 4).map((d) => {
    const name = readdirSync(join(PHOTOS, d.name))[0]!;
    return { name: `${d.name}/${name}`, b64: readFileSync(join(PHOTOS, d.name, name)).toString('base64') };
  });
  await page.goto('/');
  const results = await page.evaluate(
    async ({ url, photos }) => {
      const w = new Worker(url, { type: 'module' });
      const out: { name: string; ok: boolean; route?: string; outline: number; mask: number }[] = [];
      for (const [i, { name, b64 }] of photos.entries()) {
        const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/jpeg' });
        const reply = await new Promise<{ ok: boolean; value?: { ok: boolean; photo?: { route: string; outline: Float32Array; mask: { data: Uint8Array } } } }>((resolve) => {
          w.onmessage = (e) => resolve(e.data);
          w.postMessage({ kind: 'call', id: i + 1, method: 'prepare', arg: { blob, name } }, []);
        });
        const photo = reply.value?.photo;
        out.push({ name, ok: reply.ok && !!reply.value?.ok, route: photo?.route, outline: photo?.outline.length ?? 0, mask: photo?.mask.data.reduce((s, v) => s + v, 0) ?? 0 });
      }
      w.terminate();
      return out;
    },
    { url: `/assets/${worker}`, photos },
  );
  for (const r of results) {
    expect(r, r.name).toMatchObject({ ok: true, route: 'grabcut' });
    expect(r.outline, r.name).toBeGreaterThan(0);
    expect(r.mask, r.name).toBeGreaterThan(0);
  }
});
