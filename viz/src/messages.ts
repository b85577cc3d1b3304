import { ApiError } from './api';
import { t, type Lang } from './i18n';

/** What the tracer reads for a failed request: in their language where the view knows the case, else the server's detail. */
export function errorMessage(lang: Lang, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t(lang, 'error.network');
    // Traces wait their turn on the server; past its queue it says when to come back (api/trace-gate.ts).
    if (e.status === 503 && e.code === 'busy') return t(lang, 'error.busy', { seconds: e.retryAfterSeconds ?? 5 });
    const fields = e.fields.map((f) => `${f.path}: ${f.message}`).join('; ');
    return fields ? `${e.message} (${fields})` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
