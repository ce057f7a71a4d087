// The renderer's one door to main: window.tailor, which Electron's preload provides over IPC (the
// e2e server puts the same contract over HTTP in its place, before the app's script runs). There
// is no fallback: a window without it is not the app, and main.ts says "preload missing" instead
// of starting. State classes take the API in their constructor (state/instances.ts passes this
// one), so their tests pass a stand-in.
import type { TailorApi } from '../../../src-shared/contract';

declare global {
  interface Window {
    tailor?: TailorApi;
  }
}

export const PRELOAD_MISSING = 'preload missing';

/** The preload's API; throws when the window was opened without it. */
export function preloadApi(): TailorApi {
  if (!window.tailor) throw new Error(`${PRELOAD_MISSING}: window.tailor is not defined`);
  return window.tailor;
}

export const tailor: TailorApi = preloadApi();
