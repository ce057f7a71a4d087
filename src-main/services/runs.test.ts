import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EpochMetrics, RunRecord } from '../../src-shared/types/run';
import { TailorError } from './errors';
import { RunStore } from './runs';

const epoch = (n: number, valAcc: number | null): EpochMetrics => ({ epoch: n, loss: 1 / n, acc: 0.5 + n / 100, valLoss: valAcc === null ? null : 0.4, valAcc, lr: 0.001, ms: 900 });

function run(id: string, startedAt: string, history: EpochMetrics[] = [epoch(1, 0.81), epoch(2, 0.86), epoch(3, 0.84)]): RunRecord {
  return {
    id,
    name: `Run ${id}`,
    preset: 'small-cnn',
    layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }],
    hyper: {
      epochs: 3, batchSize: 128, optimizer: 'adam', learningRate: 0.001, decay: 0, schedule: 'cosine', validationSplit: 0.1,
      augment: { shift: 2, flip: true }, labelSmoothing: 0.1, seed: 1, patience: 0, limit: 0, pixelScale: 'unit'
    },
    backend: 'webgpu',
    startedAt,
    endedAt: startedAt,
    state: 'completed',
    history,
    bestEpoch: 2,
    testMetrics: { loss: 0.4, acc: 0.85 },
    imagesPerSecond: 5400,
    modelId: null,
  };
}

async function expectError(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TailorError);
  expect((err as TailorError).code).toBe(code);
  if (message) expect((err as TailorError).message).toMatch(message);
}

let root: string;
beforeEach(async () => {
  root = join(await fs.mkdtemp(join(tmpdir(), 'tailor-runs-')), 'runs');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fs.rm(join(root, '..'), { recursive: true, force: true });
});

describe('RunStore', () => {
  it('saves a run as one JSON file and gets it back unchanged', async () => {
    const store = new RunStore({ root });
    const record = run('r1', '2025-03-01T10:00:00.000Z');
    const summary = await store.save(record);
    expect(summary).toEqual({ ...record, layers: undefined, history: undefined, epochs: 3, bestValAcc: 0.86 });
    expect(summary).not.toHaveProperty('layers');
    expect(await fs.readdir(root)).toEqual(['r1.json']);
    expect(await new RunStore({ root }).get('r1')).toEqual(record);
  });

  it('reads runs recorded before pixel scales existed as pixels /255', async () => {
    const record = run('before', '2025-03-01T10:00:00.000Z');
    const { pixelScale: _scale, ...oldHyper } = record.hyper;
    await fs.mkdir(root, { recursive: true });
    await fs.writeFile(join(root, 'before.json'), JSON.stringify({ ...record, hyper: oldHyper }));
    expect(await new RunStore({ root }).get('before')).toEqual(record);
    expect((await new RunStore({ root }).list()).map((r) => r.id)).toEqual(['before']);
  });

  it('lists summaries newest first, with no best accuracy when nothing was validated', async () => {
    const store = new RunStore({ root });
    await store.save(run('old', '2025-01-01T00:00:00.000Z'));
    await store.save(run('new', '2025-06-01T00:00:00.000Z', [epoch(1, null)]));
    await store.save(run('mid', '2025-03-01T00:00:00.000Z', []));
    const listed = await store.list();
    expect(listed.map((r) => [r.id, r.epochs, r.bestValAcc])).toEqual([
      ['new', 1, null],
      ['mid', 0, null],
      ['old', 3, 0.86],
    ]);
  });

  it('replaces a run saved again under its id', async () => {
    const store = new RunStore({ root });
    await store.save(run('r1', '2025-03-01T10:00:00.000Z'));
    await store.save({ ...run('r1', '2025-03-01T10:00:00.000Z'), state: 'stopped' });
    expect((await store.list()).map((r) => [r.id, r.state])).toEqual([['r1', 'stopped']]);
  });

  it.each([
    ['bad JSON', '{"id": "bad", '],
    ['a JSON array', '[]'],
    ['a record of the wrong shape', JSON.stringify({ id: 'bad', name: 'x' })],
    ['a record filed under another id', JSON.stringify(run('other', '2025-01-01T00:00:00.000Z'))],
  ])('skips %s in the list and reports it as corrupt', async (what, content) => {
    const store = new RunStore({ root });
    await store.save(run('good', '2025-01-01T00:00:00.000Z'));
    await fs.writeFile(join(root, 'bad.json'), content);
    await fs.writeFile(join(root, 'notes.txt'), 'not a run');
    await fs.writeFile(join(root, 'Not An Id.json'), '{}');
    expect((await store.list()).map((r) => r.id)).toEqual(['good']);
    await expectError(store.get('bad'), 'corrupt', what === 'bad JSON' ? /^Run "bad" is damaged: its file is not valid JSON/ : /^Run "bad" is damaged/);
  });

  it('deletes runs and says whether there was one', async () => {
    const store = new RunStore({ root });
    await store.save(run('r1', '2025-01-01T00:00:00.000Z'));
    expect(await store.delete('r1')).toBe(true);
    expect(await store.delete('r1')).toBe(false);
    await expectError(store.get('r1'), 'not-found');
    expect(await store.list()).toEqual([]);
  });

  it.each(['../x', '/etc/passwd', 'a/b', 'con', 'x'.repeat(300)])('rejects the id %j', async (id) => {
    const store = new RunStore({ root });
    await expectError(store.get(id), 'invalid-argument');
    await expectError(store.delete(id), 'invalid-argument');
    await expectError(store.save(run(id, '2025-01-01T00:00:00.000Z')), 'invalid-argument');
    expect(await fs.readdir(join(root, '..'))).toEqual(['runs']);
  });

  it('refuses a record that does not match the schema', async () => {
    const store = new RunStore({ root });
    const bad = { ...run('r1', '2025-01-01T00:00:00.000Z'), history: [epoch(1, Number.NaN)] };
    await expectError(store.save(bad), 'invalid-argument', /history\.0\.valAcc/);
    expect(await fs.readdir(root)).toEqual([]);
  });

  it('sweeps temp files a crash left and reports a full disk', async () => {
    await fs.mkdir(root, { recursive: true });
    await fs.writeFile(join(root, '.tmp-r1.json-0123456789ab'), '{"half');
    const store = new RunStore({ root });
    expect(await store.list()).toEqual([]);
    expect(await fs.readdir(root)).toEqual([]);

    const realOpen = fs.open.bind(fs);
    vi.spyOn(fs, 'open').mockImplementation(async (path, flags, mode) => {
      if (flags === 'wx') throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return realOpen(path, flags, mode);
    });
    await expectError(store.save(run('r1', '2025-01-01T00:00:00.000Z')), 'io', /^Saving run "Run r1": the disk is full$/);
    vi.restoreAllMocks();
    expect(await fs.readdir(root)).toEqual([]);
  });
});
