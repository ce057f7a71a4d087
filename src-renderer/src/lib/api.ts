// The renderer's one door to main. In Electron the preload provides window.tailor over IPC; when
// the same build is served by the e2e server there is no preload, and the HTTP bridge carries the
// same contract to the same main-process services.
import type { Result, TailorApi } from '../../../src-shared/contract';
import { createHttpBridge } from './http-bridge';

declare global {
  interface Window {
    tailor?: TailorApi;
  }
}

export const tailor: TailorApi = window.tailor ?? createHttpBridge();
export const transport: 'ipc' | 'http' = window.tailor ? 'ipc' : 'http';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Unwraps a Result, throwing an ApiError whose message is meant for the user. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (!result.ok) throw new ApiError(result.error.code, result.error.message);
  return result.value;
}
