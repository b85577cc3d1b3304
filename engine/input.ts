import { z } from 'zod';
import { DEFAULT_TZ, MAX_FUTURE_MS, parseDurationSeconds, parseInstant, type InstantParse } from './time';

/**
 * The values people type where requests arrive, read the same way on every edge: the API's
 * schemas (api/schemas.ts) and the command line's flags (cli/commands/) build on these zod
 * schemas, so a duration or an instant that one accepts the other accepts too, and a refusal
 * gives the same reason. Pure: the clock is passed in.
 */

/** Whole seconds, or units: `15m`, `90s`, `1h30m`, `1d` (case and surrounding spaces do not matter). */
const DURATION_TEXT = /^\s*(?:(?:\d+[smhdSMHD])+|\d+)\s*$/;

/**
 * A duration in seconds: a number as it is, or text read by parseDurationSeconds; either way
 * checked by `seconds`, so a bound holds for both forms with the same message.
 */
export function duration(seconds: z.ZodNumber) {
  const text = z
    .string()
    .max(40)
    .regex(DURATION_TEXT, 'not a duration such as 15m, 90s, 1h or 1d, nor whole seconds')
    .transform((t) => parseDurationSeconds(t) ?? Number.NaN)
    .pipe(seconds);
  // When neither form fits, the reason of the form the value has (text: the text's), not "invalid input".
  return z.union([seconds, text], { error: (iss) => (iss.code === 'invalid_union' ? iss.errors[typeof iss.input === 'string' ? 1 : 0]?.[0]?.message : undefined) });
}

/**
 * An ISO 8601 instant as epoch ms. Without an offset it is read in Asia/Ho_Chi_Minh (DESIGN.md);
 * a bare date (`2021-08-02`) is its midnight there. Outside [2000-01-01T00:00Z, now + aheadMs]
 * it is refused (engine/time.ts says why).
 */
export function readInstant(text: string, now: number, aheadMs: number = MAX_FUTURE_MS): InstantParse {
  const t = text.trim();
  const r = parseInstant(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00` : t, DEFAULT_TZ, now, aheadMs);
  // The range's reason names the bound; any other quotes the text back, which says nothing more.
  return r.ok || r.range ? r : { ok: false, reason: 'not an ISO 8601 date-time (e.g. 2021-08-02T07:30:00+07:00)' };
}

/** readInstant() as a schema; `now` is read at each parse (the server passes its own clock). */
export function instant(now: () => number, aheadMs: number = MAX_FUTURE_MS) {
  const ahead = aheadMs === MAX_FUTURE_MS ? 'a day' : `${Math.round(aheadMs / 86_400_000)} days`;
  return z
    .string()
    .max(40)
    .transform((text, ctx) => {
      const r = readInstant(text, now(), aheadMs);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.reason });
        return z.NEVER;
      }
      return r.ms;
    })
    .meta({
      description: `ISO 8601 date-time; without an offset it is read in Asia/Ho_Chi_Minh, a bare date is its midnight there; from 2000-01-01T00:00Z to ${ahead} after now`,
      example: '2021-08-02T07:30:00+07:00',
    });
}
