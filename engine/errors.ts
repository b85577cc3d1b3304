/**
 * The one error type of the engine. The API maps `code` to an HTTP status in one table
 * (api/errors.ts); the CLI maps it to an exit code (cli/run.ts). The engine never knows about HTTP.
 *
 * `validation`: a request does not follow the rules of its input (a field's form or range, the
 * period), found where it arrives, before any work (engine/trace/request.ts); `invalid_input`:
 * well-formed input the engine cannot process (a file that is no CSV, a trace too large to answer).
 */
export type ErrorCode = 'not_found' | 'forbidden' | 'validation' | 'invalid_input' | 'conflict' | 'unavailable' | 'unauthenticated';

export interface ErrorDetail {
  /** Where the problem is: a field path, a CSV column, a CLI flag. */
  readonly field?: string;
  /** 1-based line of an input file, when the problem comes from one. */
  readonly line?: number;
  readonly reason: string;
  /** A stable code of the problem, for clients that translate it (declarations' field issues). */
  readonly code?: string;
  /** The reason in Vietnamese and English, where the input is a citizen's (declarations). */
  readonly messages?: { readonly vi: string; readonly en: string };
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
/** Input that breaks its rules, each detail naming the field (`body.depth`, `--depth`) and why. */
export const validationFailed = (message: string, details: readonly ErrorDetail[]): TruyvetError => new TruyvetError('validation', message, details);
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
