// The renderer's one door to main. In Electron the preload provides window.tailor over IPC; when
// the same build is served by the e2e server there is no preload, and the HTTP bridge carries the
// same contract to the same main-process services. State classes take the API in their
// constructor (state/instances.ts passes this one), so their tests pass a stand-in.
import type { TailorApi } from '../../../src-shared/contract';
import { createHttpBridge } from './http-bridge';

export { ApiError, unwrap } from './result';

declare global {
  interface Window {
    tailor?: TailorApi;
  }
}

export const tailor: TailorApi = window.tailor ?? createHttpBridge();
