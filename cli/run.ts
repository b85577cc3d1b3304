import { isTruyvetError, type ErrorCode } from '../engine/errors';
import { envText } from '../engine/config';
import { closeDriver } from '../engine/db';

/** Exit codes the CLI uses; scripts rely on them. */
export const EXIT = { ok: 0, failure: 1, usage: 2, notRunning: 3, notFound: 4, unavailable: 5 } as const;

const CODE_EXIT: Record<ErrorCode, number> = {
  validation: EXIT.usage,
  invalid_input: EXIT.usage,
  not_found: EXIT.notFound,
  unavailable: EXIT.unavailable,
  forbidden: EXIT.failure,
  unauthenticated: EXIT.failure,
  conflict: EXIT.failure,
};

/**
 * Wraps a command's action: prints errors as one line on stderr (with details, never a stack
 * unless DEBUG is set), closes the shared driver, and sets the exit code.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    let code: number;
    try {
      code = (await fn(...args)) ?? EXIT.ok;
    } catch (e) {
      code = report(e);
    } finally {
      await closeDriver().catch(() => undefined);
    }
    process.exitCode = code;
  };
}

export function report(e: unknown): number {
  if (isTruyvetError(e)) {
    console.error(`truyvet: ${e.message}`);
    for (const d of e.details) console.error(`  ${d.line !== undefined ? `line ${d.line}: ` : ''}${d.field ?? ''}${d.field ? ': ' : ''}${d.reason}`);
    return CODE_EXIT[e.code];
  }
  const err = e as Error;
  console.error(`truyvet: ${err.message ?? String(e)}`);
  if (envText('DEBUG')) console.error(err.stack);
  return EXIT.failure;
}
