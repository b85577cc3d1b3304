import { z } from 'zod';
import { instant } from '../input';
import { isoUtc } from '../time';
import { depth, TraceModeSchema } from '../trace/params';
import { Tolerance, type TraceInputContext } from '../trace/request';
import { DEFAULT_DEPTH, DEFAULT_TOLERANCE_SECONDS, type OutbreakCase, type OutbreakParams, type TraceMode } from '../types';
import { infectiousPeriod } from './cases';

/**
 * An outbreak run as a tracer asks for it (`POST /api/outbreaks`, `truyvet outbreak trace`), read
 * by one set of parsers on both edges, as a single trace's request is (engine/trace/request.ts,
 * whose rules it reuses for the depth, the tolerance and the mode): which cases (by id, or by
 * confirmation time from the registry; the command line may also give a file), the horizon and
 * the trace's own settings. The period rule needs the cases' periods, so it is checked once the
 * cases are chosen (runPeriodProblem).
 */

/** Most case ids one request names (a day's cases of a city in 2021; a larger set is chosen by confirmation time). */
export const MAX_RUN_CASE_IDS = 10_000;

export interface OutbreakSelection {
  readonly caseIds?: readonly string[];
  /** Epoch ms. */
  readonly confirmedSince?: number;
  readonly confirmedUntil?: number;
}

export interface OutbreakRequest {
  readonly selection: OutbreakSelection;
  /** The horizon; absent: the latest infectious end of the cases. */
  readonly until?: number;
  readonly depth: number;
  readonly toleranceSeconds: number;
  readonly mode: TraceMode;
  /** Close contacts only (DESIGN.md, "Close contacts"). */
  readonly closeOnly: boolean;
  /** Close F2s become follow-ups too, not only close F1s (engine/followups; default false). */
  readonly followUpF2?: boolean;
}

/** The fields of a run request, each with its parser (an edge adds its own: the request number, the purpose…). */
export function outbreakRequestFields(c: TraceInputContext) {
  return {
    caseIds: z
      .array(z.string().trim().min(1).max(64))
      .min(1)
      .max(MAX_RUN_CASE_IDS)
      .optional()
      .meta({ description: `registry case ids to trace (at most ${MAX_RUN_CASE_IDS}); with confirmedSince/confirmedUntil, only those confirmed in that window` }),
    confirmedSince: instant(c.now).optional(),
    confirmedUntil: instant(c.now).optional(),
    until: instant(c.now).optional(),
    depth: depth(() => c.limits().maxDepth).default(DEFAULT_DEPTH),
    tolerance: Tolerance.optional(),
    mode: TraceModeSchema.default('time-respecting'),
    closeOnly: z.boolean().default(false).meta({ description: 'only close contacts count, at every generation (DESIGN.md, "Close contacts")' }),
    followUpF2: z.boolean().default(false).meta({ description: 'close F2s become follow-ups too (default: close F1s only)' }),
  };
}

type Fields = z.output<z.ZodObject<ReturnType<typeof outbreakRequestFields>>>;

/**
 * The rules across fields: cases chosen by id or confirmation time (unless the edge brings them
 * otherwise, `casesGiven`: the command line's file); a window that ends after it starts.
 */
export function outbreakRequestRules(o: { casesGiven?: boolean } = {}) {
  return (v: Pick<Fields, 'caseIds' | 'confirmedSince' | 'confirmedUntil'>, ctx: z.RefinementCtx): void => {
    if (o.casesGiven !== true && v.caseIds === undefined && v.confirmedSince === undefined) {
      ctx.addIssue({ code: 'custom', path: ['confirmedSince'], message: 'choose the cases: confirmedSince (cases confirmed since then) or caseIds' });
    }
    if (v.confirmedSince !== undefined && v.confirmedUntil !== undefined && v.confirmedUntil < v.confirmedSince) {
      ctx.addIssue({ code: 'custom', path: ['confirmedUntil'], message: `confirmedUntil (${isoUtc(v.confirmedUntil)}) is before confirmedSince (${isoUtc(v.confirmedSince)})` });
    }
  };
}

export function toOutbreakRequest(v: Fields): OutbreakRequest {
  return {
    selection: {
      ...(v.caseIds !== undefined ? { caseIds: [...new Set(v.caseIds)] } : {}),
      ...(v.confirmedSince !== undefined ? { confirmedSince: v.confirmedSince } : {}),
      ...(v.confirmedUntil !== undefined ? { confirmedUntil: v.confirmedUntil } : {}),
    },
    ...(v.until !== undefined ? { until: v.until } : {}),
    depth: v.depth,
    toleranceSeconds: v.tolerance ?? DEFAULT_TOLERANCE_SECONDS,
    mode: v.mode,
    closeOnly: v.closeOnly,
    ...(v.followUpF2 ? { followUpF2: true } : {}),
  };
}

/** A run request on its own (the command line's parser; the API's schema adds its fields). */
export function outbreakRequestSchema(c: TraceInputContext, o: { casesGiven?: boolean } = {}) {
  return z.object(outbreakRequestFields(c)).superRefine(outbreakRequestRules(o)).transform(toOutbreakRequest);
}

/**
 * The period rule of a run, once its cases are known (TRUYVET_TRACE_MAX_DAYS, as for a single
 * trace): the run reads movement data from the earliest infectious start of its cases up to its
 * horizon, so that span, `until − earliest from`, is at most `maxDays` — for one case exactly the
 * single trace's rule (to − from and until − from at most maxDays). A day's cases span three or
 * four days with their periods; cases confirmed over more than about two and a half weeks are
 * traced in several runs. Also: a horizon before every period starts answers nobody, a mistake.
 * `field`: `until` when the horizon is what breaks it, else `cases`.
 */
export function runPeriodProblem(cases: readonly OutbreakCase[], until: number | undefined, maxDays: number): { field: 'until' | 'cases'; reason: string } | undefined {
  if (cases.length === 0) return undefined;
  let from = Infinity;
  let to = -Infinity;
  let first = '';
  let last = '';
  for (const c of cases) {
    const p = infectiousPeriod(c);
    if (p.from < from) [from, first] = [p.from, c.caseId];
    if (p.to > to) [to, last] = [p.to, c.caseId];
  }
  if (until !== undefined && until < from) return { field: 'until', reason: `until (${isoUtc(until)}) is before the earliest infectious period starts (${isoUtc(from)}, case '${first}')` };
  const max = maxDays * 86_400_000;
  if (to - from > max) {
    return {
      field: 'cases',
      reason: `the cases' infectious periods span ${isoUtc(from)} (case '${first}') to ${isoUtc(to)} (case '${last}'), more than ${maxDays} days: trace them in several runs`,
    };
  }
  if (until !== undefined && until - from > max) return { field: 'until', reason: `until (${isoUtc(until)}) is more than ${maxDays} days after the earliest infectious start (${isoUtc(from)}, case '${first}')` };
  return undefined;
}

/** The engine's parameters of a request over these cases. */
export function outbreakParamsOf(cases: readonly OutbreakCase[], r: OutbreakRequest): OutbreakParams {
  return { cases, ...(r.until !== undefined ? { until: r.until } : {}), depth: r.depth, toleranceSeconds: r.toleranceSeconds, mode: r.mode };
}
