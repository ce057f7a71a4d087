import { test, expect } from './fixtures';
import { buildHarness } from './harness/build';

test.beforeAll(async () => {
  await buildHarness('gradcheck');
});

for (const preset of ['report-fixed', 'best'] as const) {
  test(`WebGPU gradients of the ${preset} network equal the cpu backend's`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto('/__test/gradcheck.html');
    await page.waitForFunction(() => 'gradcheck' in window);
    const r = await page.evaluate((p) => (window as unknown as { gradcheck: (p: string) => Promise<unknown> }).gradcheck(p), preset);
    const result = r as {
      backend: string;
      adapter: string;
      loss: { cpu: number; webgpu: number };
      worst: { name: string; relErr: number };
      variables: number;
      adam: { cpu: number[]; webgpu: number[] };
    };
    console.log(`gradcheck ${preset}:`, JSON.stringify(result));
    expect(result.backend).toBe('webgpu');
    expect(result.adapter).toMatch(/swiftshader/i);
    expect(result.variables).toBeGreaterThan(4);
    expect(Math.abs(result.loss.cpu - result.loss.webgpu)).toBeLessThan(1e-4);
    expect(result.worst.relErr, `worst gradient: ${result.worst.name}`).toBeLessThan(1e-3);
    for (let i = 0; i < 3; i++) expect(result.adam.webgpu[i]).toBeCloseTo(result.adam.cpu[i]!, 4);
  });
}
