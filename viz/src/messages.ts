import { ApiError } from './api';
import { t, type Lang } from './i18n';

/**
 * What the tracer reads for a failed request, always in their language: every problem `code` the
 * API answers (engine/errors.ts's codes through api/errors.ts, and the API's own HTTP problems) has
 * a sentence here, and a few read better for what was being done (a trace, a login). The server's
 * English detail is added only where it says which value was wrong (a field's rule).
 */

/** Every problem code the API answers (messages.test.ts checks this against the API's sources), and the client's own two. */
export const ERROR_CODES = [
  // engine/errors.ts ErrorCode, through api/errors.ts STATUS
  'validation',
  'invalid_input',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'unavailable',
  // the API's own (api/errors.ts, api/app.ts, the trace gate, the progress board, imports)
  'internal',
  'malformed',
  'malformed_path',
  'aborted',
  'too_large',
  'unsupported_media_type',
  'invalid_header',
  'rate_limited',
  'busy',
  'cancelled',
  'progress_in_use',
  // the client's: no answer at all, or an answer without a problem body
  'network',
  'error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What was being done when it failed: a code may say more there. */
export type ErrorContext = 'trace' | 'login' | 'other';

/** Codes with a sentence of their own in a context (i18n keys `error.<context>.<code>`). */
const IN_CONTEXT: Readonly<Record<Exclude<ErrorContext, 'other'>, readonly ErrorCode[]>> = {
  trace: ['not_found', 'forbidden', 'invalid_input', 'unavailable', 'cancelled'],
  login: ['rate_limited', 'unauthenticated'],
};

/** The trace form's fields by the request's field path, for a `validation` answer. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  'body.f0': 'form.f0',
  'body.from': 'form.from',
  'body.to': 'form.to',
  'body.until': 'form.until',
  'body.depth': 'form.depth',
  'body.tolerance': 'form.tolerance',
  'body.mode': 'form.mode',
  'body.requestRef': 'form.requestRef',
  'body.purpose': 'form.purpose',
  'body.sensitivity': 'form.sensitivityShort',
  'body.closeOnly': 'form.closeOnly',
};

const isKnown = (code: string): code is ErrorCode => (ERROR_CODES as readonly string[]).includes(code);

/** The code a failure counts as: the API's own, or what its status says when the code is unknown. */
export function errorCode(e: ApiError): ErrorCode {
  if (isKnown(e.code)) return e.code;
  if (e.status === 0) return 'network';
  if (e.status === 401) return 'unauthenticated';
  if (e.status === 403) return 'forbidden';
  if (e.status === 404) return 'not_found';
  if (e.status === 409) return 'conflict';
  if (e.status === 429) return 'rate_limited';
  if (e.status === 503) return 'unavailable';
  if (e.status >= 500) return 'internal';
  return 'error';
}

export function errorMessage(lang: Lang, e: unknown, context: ErrorContext = 'other'): string {
  // Not the server's: a step of the page itself failed (drawing a PNG…); its own words help whoever reports it.
  if (!(e instanceof ApiError)) return `${t(lang, 'error.error')}${e instanceof Error && e.message !== '' ? ` (${e.message})` : ''}`;
  const code = errorCode(e);
  if (code === 'busy') return t(lang, 'error.busy', { seconds: e.retryAfterSeconds ?? 5 });
  if (code === 'validation' && e.fields.length > 0) {
    // The field's name in the tracer's language, and the server's rule as it wrote it.
    const fields = e.fields.map((f) => {
      const label = FIELD_LABELS[f.path];
      return `${label ? t(lang, label) : f.path}: ${f.message}`;
    });
    return t(lang, 'error.validationFields', { fields: fields.join('; ') });
  }
  const own = context !== 'other' && IN_CONTEXT[context].includes(code) ? `error.${context}.${code}` : `error.${code}`;
  return t(lang, own, { status: e.status });
}
