import { describe, expect, it } from 'vitest';
import { startOnce, type AppLifecycle } from './lifecycle';

function fakeApp(locked: boolean) {
  const calls: string[] = [];
  const app: AppLifecycle = {
    requestSingleInstanceLock: () => locked,
    quit: () => void calls.push('quit'),
    // A quitting Electron app can still become ready: the start must not hang on that.
    whenReady: () => Promise.resolve().then(() => void calls.push('ready')),
  };
  return { app, calls };
}

describe('startOnce', () => {
  it('a second instance quits and never builds the app, even when it becomes ready', async () => {
    const { app, calls } = fakeApp(false);
    let started = 0;
    expect(startOnce(app, () => started++)).toBe(false);
    await app.whenReady();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(['quit', 'ready']);
    expect(started).toBe(0);
  });

  it('the first instance builds the app once it is ready', async () => {
    const { app, calls } = fakeApp(true);
    let started = 0;
    expect(startOnce(app, () => started++)).toBe(true);
    expect(started).toBe(0); // not before ready
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(['ready']);
    expect(started).toBe(1);
  });
});
