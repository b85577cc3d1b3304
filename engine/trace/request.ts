import { z } from 'zod';
import { duration, instant } from '../input';
import { DEFAULT_DEPTH, DEFAULT_TOLERANCE_SECONDS, MAX_TRACE_DEPTH, type TraceMode, type TraceParams } from '../types';
import { DEFAULT_TRACE_MAX_DAYS, depth, periodProblems, ToleranceSeconds, TraceModeSchema } from './params';

/**
 * A trace as a tracer asks for it, read from what was typed (the API's JSON body, the command
 * line's flags) by one parser and checked there, before the trace waits for its turn: the
 * instants, the tolerances (`15m`, `1d`, whole seconds), the depth, the mode and the period
 * follow the rules of params.ts. What comes out is typed (epoch ms, seconds, defaults filled in)
 * and the engine runs it as it is.
 */
export interface TraceRequest {
  readonly from: number;
  readonly to: number;
  /** The horizon; absent: `to`. */
  readonly until?: number;
  readonly depth: number;
  readonly toleranceSeconds: number;
  readonly mode: TraceMode;
  /** Only close co-locations count, at every generation (DESIGN.md, "Close contacts"). */
  readonly closeOnly: boolean;
  /** More tolerances for the sensitivity panel, after the trace's own; absent: no panel. */
  readonly sensitivity?: readonly number[];
}

/** What a request is checked against besides itself, read at each parse. */
export interface TraceInputContext {
  /** The clock of "no instant more than a day ahead". */
  readonly now: () => number;
  readonly limits: () => TraceLimits;
}

export interface TraceLimits {
  /** Deepest trace accepted (the API's TRUYVET_TRACE_MAX_DEPTH; MAX_TRACE_DEPTH on the command line). */
  readonly maxDepth: number;
  /** Longest period in days (TRUYVET_TRACE_MAX_DAYS). */
  readonly maxDays: number;
}

export const DEFAULT_TRACE_LIMITS: TraceLimits = { maxDepth: MAX_TRACE_DEPTH, maxDays: DEFAULT_TRACE_MAX_DAYS };

/** A co-location tolerance as typed: whole seconds or a duration such as `15m`, `90s`, `1h`, `1d`; at most a day. */
export const Tolerance = duration(ToleranceSeconds).meta({ description: 'seconds, or a duration such as 15m, 90s, 1h or 1d; at most a day' });

/** Most tolerances the sensitivity panel adds (each is a whole trace). */
export const MAX_SENSITIVITY = 8;

/** The fields of a trace request, each with its parser (an edge adds its own: the case, the request number…). */
export function traceRequestFields(c: TraceInputContext) {
  return {
    from: instant(c.now),
    to: instant(c.now),
    until: instant(c.now).optional(),
    depth: depth(() => c.limits().maxDepth).default(DEFAULT_DEPTH),
    tolerance: Tolerance.optional(),
    mode: TraceModeSchema.default('time-respecting'),
    closeOnly: z
      .boolean({ error: 'not true or false' })
      .default(false)
      .meta({ description: 'only close contacts (together at least TRUYVET_CLOSE_SECONDS, default 15 minutes) count, at every generation' }),
    sensitivity: z
      .array(Tolerance)
      .min(1)
      .max(MAX_SENSITIVITY)
      .optional()
      .meta({ description: 'more tolerances to count F1, F2, … for (the sensitivity panel); the trace itself uses `tolerance`' }),
  };
}

type Fields = z.output<z.ZodObject<ReturnType<typeof traceRequestFields>>>;

/** The rules across fields (params.ts, periodProblems), as a refinement of an object holding the fields. */
export function traceRequestRules(c: TraceInputContext) {
  return (v: Pick<Fields, 'from' | 'to' | 'until'>, ctx: z.RefinementCtx): void => {
    for (const p of periodProblems(v, c.limits().maxDays)) ctx.addIssue({ code: 'custom', path: [p.field], message: p.reason });
  };
}

/** The typed request of checked fields. */
export function toTraceRequest(v: Fields): TraceRequest {
  return {
    from: v.from,
    to: v.to,
    ...(v.until !== undefined ? { until: v.until } : {}),
    depth: v.depth,
    toleranceSeconds: v.tolerance ?? DEFAULT_TOLERANCE_SECONDS,
    mode: v.mode,
    closeOnly: v.closeOnly,
    ...(v.sensitivity !== undefined ? { sensitivity: v.sensitivity } : {}),
  };
}

/** A trace request on its own: the fields, the rules, the typed result (the command line's parser). */
export function traceRequestSchema(c: TraceInputContext) {
  return z.object(traceRequestFields(c)).superRefine(traceRequestRules(c)).transform(toTraceRequest);
}

/** A period alone, by the same rules (the command line's hotspots). */
export function periodSchema(c: TraceInputContext) {
  return z.object({ from: instant(c.now), to: instant(c.now) }).superRefine(traceRequestRules(c));
}

/** The engine's parameters of a request for case `f0` (a pseudonym). */
export function traceParamsOf(f0: string, r: TraceRequest): TraceParams {
  return { f0, from: r.from, to: r.to, ...(r.until !== undefined ? { until: r.until } : {}), depth: r.depth, toleranceSeconds: r.toleranceSeconds, mode: r.mode, closeOnly: r.closeOnly };
}

/** The tolerances a request traces at: its own first, then the sensitivity panel's. */
export function tolerancesOf(r: TraceRequest): number[] {
  return [r.toleranceSeconds, ...(r.sensitivity ?? [])];
}
