// Two processes saving one model id at once (issue 10.6): neither is ever told "not found" or
// sees a half-replaced model while the data is fine, and what is left is one whole version.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ModelStore } from './models';
import { bundleChild } from './testing/bundle-child';

const run = promisify(execFile);
let child = '';
let dir = '';

beforeAll(async () => {
  child = await bundleChild('writer-child');
  dir = await fs.mkdtemp(join(tmpdir(), 'tailor-two-writers-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(child, { force: true });
});

it('two processes saving, loading and updating one id both succeed every time, and leave one whole model', async () => {
  const root = join(dir, 'models');
  const writers = ['a', 'b'].map((who) => run(process.execPath, [child, root, who], { timeout: 120_000 }));
  const results = (await Promise.all(writers)).map((r) => JSON.parse(r.stdout) as { errors: string[]; mixed: number });
  expect(results).toEqual([
    { errors: [], mixed: 0 },
    { errors: [], mixed: 0 },
  ]);
  const store = new ModelStore({ root, pickFolder: async () => null });
  const [model] = await store.list();
  expect(model).toMatchObject({ id: 'shared', name: expect.stringMatching(/^[ab]-\d+$/) });
  expect(model?.problem).toBeUndefined();
  expect(await fs.readdir(root)).toEqual(['shared']);
});
