// Results from main as the UI uses them: an error's message is meant for the user.
import type { Result } from '../../../src-shared/contract';

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
