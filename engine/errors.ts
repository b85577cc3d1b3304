/**
 * The one error type of the engine. The API maps `code` to an HTTP status in one table
 * (api/errors.ts); the CLI maps it to an exit code. The engine never knows about HTTP.
 */
export type ErrorCode = 'not_found' | 'forbidden' | 'invalid_input' | 'conflict' | 'unavailable' | 'unauthenticated';

export interface ErrorDetail {
  /** Where the problem is: a field path, a CSV column, a CLI flag. */
  readonly field?: string;
  /** 1-based line of an input file, when the problem comes from one. */
  readonly line?: number;
  readonly reason: string;
}

export class TruyvetError extends Error {
  override readonly name = 'TruyvetError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (message: string): TruyvetError => new TruyvetError('not_found', message);
export const invalidInput = (message: string, details: readonly ErrorDetail[] = []): TruyvetError =>
  new TruyvetError('invalid_input', message, details);
export const conflict = (message: string): TruyvetError => new TruyvetError('conflict', message);
export const forbidden = (message: string): TruyvetError => new TruyvetError('forbidden', message);
export const unavailable = (message: string, cause?: unknown): TruyvetError =>
  new TruyvetError('unavailable', message, [], { cause });

/**
 * The stored account no longer matches what a request was authorized with (disabled, a new role,
 * jurisdiction or token version since): the caller authorizes the request again and retries.
 * Raised by work that checks its caller's account inside its own transaction (checkpoint scans).
 */
export class AccountChanged extends TruyvetError {
  constructor() {
    super('unauthenticated', 'the account changed since this request was authorized; log in again');
  }
}

export function isTruyvetError(e: unknown): e is TruyvetError {
  return e instanceof TruyvetError;
}
