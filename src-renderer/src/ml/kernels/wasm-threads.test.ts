import { afterEach, describe, expect, it } from 'vitest';
import { startWasmWithThreads } from './wasm-threads';

/** A navigator whose hardwareConcurrency is a prototype getter, as in browsers and workers. */
function fakeNavigator(cores: number): { hardwareConcurrency: number } {
  const proto = { get hardwareConcurrency() { return cores; } };
  return Object.create(proto) as { hardwareConcurrency: number };
}

const globals = globalThis as { navigator?: unknown };
const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

afterEach(() => {
  if (original) Object.defineProperty(globalThis, 'navigator', original);
  else delete globals.navigator;
});

describe('startWasmWithThreads', () => {
  it('reports twice the threads while the backend starts, and the real count after, even on failure', async () => {
    const nav = fakeNavigator(2);
    Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true });
    let seen = 0;
    expect(await startWasmWithThreads(2, async () => ((seen = nav.hardwareConcurrency), true))).toBe(true);
    expect(seen).toBe(4);
    expect(nav.hardwareConcurrency).toBe(2);
    await expect(startWasmWithThreads(2, () => Promise.reject(new Error('no wasm')))).rejects.toThrow('no wasm');
    expect(nav.hardwareConcurrency).toBe(2);
  });

  it('leaves the count alone when it already allows the threads asked for', async () => {
    const nav = fakeNavigator(8);
    Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true });
    let seen = 0;
    await startWasmWithThreads(2, async () => (seen = nav.hardwareConcurrency));
    expect(seen).toBe(8);
  });
});
