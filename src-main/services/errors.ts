import type { AppError, ErrorCode } from '../../src-shared/contract';

/** The one error type services throw; the IPC layer turns it into `{ok:false, error}`. */
export class TailorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TailorError';
  }

  toAppError(): AppError {
    return { code: this.code, message: this.message };
  }
}

/** Maps Node fs errors to messages a user can act on. */
export function fsError(err: unknown, what: string): TailorError {
  if (err instanceof TailorError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new TailorError('not-found', `${what}: not found`, { cause: err });
    case 'ENOSPC':
      return new TailorError('io', `${what}: the disk is full`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new TailorError('io', `${what}: permission denied`, { cause: err });
    case 'EROFS':
      return new TailorError('io', `${what}: the disk is read-only`, { cause: err });
    default:
      return new TailorError('io', `${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}
