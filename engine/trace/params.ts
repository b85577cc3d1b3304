import { z } from 'zod';
import { invalidInput, type TruyvetError } from '../errors';
import { closeSeconds as closeSecondsSetting } from '../config';
import { isoUtc } from '../time';
import { DEFAULT_DEPTH, DEFAULT_TOLERANCE_SECONDS, MAX_CLOSE_SECONDS, MAX_TRACE_DEPTH, type TraceMode, type TraceParams } from '../types';

/**
 * The rules of a trace's parameters, each written once. The edges check a request against them
 * before any work is done (request.ts: the API's schema and the command line's flags, which read
 * the text); the engine's entry (resolveTraceParams) holds calls that come without a request
 * (benchmarks, tests, the outbreak trace) to the same rules, so the two cannot disagree.
 */

/** A trace's parameters checked and with every default filled in; instants in epoch ms. */
export interface ResolvedTrace {
  readonly f0: string;
  readonly from: number;
  readonly to: number;
  /** The horizon: no contact after it counts, at any generation (default `to`). */
  readonly until: number;
  readonly depth: number;
  readonly toleranceSeconds: number;
  readonly tolMs: number;
  readonly mode: TraceMode;
  /** The overlap from which a contact is close (TRUYVET_CLOSE_SECONDS unless given). */
  readonly closeSeconds: number;
  readonly closeMs: number;
  /** Only close co-locations count, at every generation. */
  readonly closeOnly: boolean;
}

/**
 * The longest infectious period a tracer may ask for (TRUYVET_TRACE_MAX_DAYS): 21 days covers
 * the 2021 rules (2 days before onset to isolation, 14-day quarantine) and is what retention
 * keeps; a longer one reveals far more people than any case justifies.
 */
export const DEFAULT_TRACE_MAX_DAYS = 21;

/** One day: a wider tolerance would call a whole day's visitors to a station contacts. */
export const MAX_TOLERANCE_SECONDS = 86_400;

export const TRACE_MODES = ['time-respecting', 'naive'] as const satisfies readonly TraceMode[];

const WHOLE_SECONDS = { error: 'not a whole number of seconds, 0 or more', abort: true };

/** A co-location tolerance in seconds: whole, from 0 to a day. */
export const ToleranceSeconds = z
  .number(WHOLE_SECONDS)
  .int(WHOLE_SECONDS)
  .min(0, WHOLE_SECONDS)
  .max(MAX_TOLERANCE_SECONDS, { error: `at most a day (${MAX_TOLERANCE_SECONDS} s): a wider tolerance calls a whole day's visitors to a station contacts` });

/**
 * Generations to trace: a whole number from 1 to `max()`, MAX_TRACE_DEPTH or less (the API's
 * TRUYVET_TRACE_MAX_DEPTH); read at each check, so one schema serves every server's setting.
 */
export function depth(max: () => number = () => MAX_TRACE_DEPTH) {
  const problem = (d: unknown): string => `${String(d)} is not a whole number from 1 to ${max()}`;
  return z
    .number({ error: (iss) => problem(iss.input) })
    .int({ error: (iss) => problem(iss.input), abort: true })
    .superRefine((d, ctx) => {
      if (d < 1 || d > max()) ctx.addIssue({ code: 'custom', message: problem(d) });
    })
    .meta({ minimum: 1, maximum: MAX_TRACE_DEPTH });
}

const CLOSE_SECONDS = { error: `not a whole number of seconds from 1 to ${MAX_CLOSE_SECONDS}`, abort: true };

/** The overlap of a close contact in seconds: whole, from 1 s to a day. */
export const CloseSeconds = z.number(CLOSE_SECONDS).int(CLOSE_SECONDS).min(1, CLOSE_SECONDS).max(MAX_CLOSE_SECONDS, CLOSE_SECONDS);

export const TraceModeSchema = z.enum(TRACE_MODES, { error: `not one of ${TRACE_MODES.join(', ')}` });

export interface PeriodProblem {
  readonly field: 'from' | 'to' | 'until';
  readonly reason: string;
}

/**
 * Why a trace's period is too long: `to − from`, and the horizon `until − from` (else a late
 * horizon would widen F2… past the limit), at most `maxDays` days. Undefined when it is not.
 */
export function tracePeriodProblem(p: { readonly from: number; readonly to: number; readonly until?: number | undefined }, maxDays: number): PeriodProblem | undefined {
  const max = maxDays * 86_400_000;
  if (p.to - p.from > max) return { field: 'to', reason: `the period from ${isoUtc(p.from)} to ${isoUtc(p.to)} is longer than ${maxDays} days` };
  if (p.until !== undefined && p.until - p.from > max) return { field: 'until', reason: `until (${isoUtc(p.until)}) is more than ${maxDays} days after from (${isoUtc(p.from)})` };
  return undefined;
}

/**
 * What is wrong with a period whose instants are each valid: from after to; a horizon before
 * from (it would silently answer "nobody": a mistake, not a question); and, given `maxDays`
 * (the edges: TRUYVET_TRACE_MAX_DAYS; the engine itself traces any period), too long.
 */
export function periodProblems(p: { readonly from: number; readonly to: number; readonly until?: number | undefined }, maxDays?: number): PeriodProblem[] {
  if (![p.from, p.to, p.until ?? p.to].every(Number.isSafeInteger)) return [];
  const out: PeriodProblem[] = [];
  if (p.from > p.to) out.push({ field: 'from', reason: `from (${isoUtc(p.from)}) is after to (${isoUtc(p.to)})` });
  if (p.until !== undefined && p.until < p.from) out.push({ field: 'until', reason: `until (${isoUtc(p.until)}) is before from (${isoUtc(p.from)})` });
  const tooLong = maxDays === undefined || out.length > 0 ? undefined : tracePeriodProblem(p, maxDays);
  if (tooLong) out.push(tooLong);
  return out;
}

/** Epoch ms, as the engine takes instants. */
const InstantMs = z.number().refine(Number.isSafeInteger, 'not an instant (epoch ms)');

/** TraceParams as the engine takes them from a caller with no request (an edge checked those with the same rules). */
const Params = z
  .object({
    f0: z.string().min(1, 'empty: a person id'),
    from: InstantMs,
    to: InstantMs,
    until: InstantMs.optional(),
    depth: depth().optional(),
    toleranceSeconds: ToleranceSeconds.optional(),
    mode: TraceModeSchema.optional(),
    closeOnly: z.boolean().optional(),
    closeSeconds: CloseSeconds.optional(),
  })
  .superRefine((p, ctx) => {
    for (const q of periodProblems(p)) ctx.addIssue({ code: 'custom', path: [q.field], message: q.reason });
  });

function refused(issues: readonly z.core.$ZodIssue[]): TruyvetError {
  const details = issues.map((i) => ({ field: i.path.map(String).join('.'), reason: i.message }));
  return invalidInput(details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
}

/** Checks a trace's parameters against the rules above; every problem is an `invalid_input` naming the field. */
export function resolveTraceParams(p: TraceParams): ResolvedTrace {
  const r = Params.safeParse(p);
  if (!r.success) throw refused(r.error.issues);
  const { f0, from, to } = r.data;
  const toleranceSeconds = r.data.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  return {
    f0,
    from,
    to,
    until: r.data.until ?? to,
    depth: r.data.depth ?? DEFAULT_DEPTH,
    toleranceSeconds,
    tolMs: toleranceSeconds * 1000,
    mode: r.data.mode ?? 'time-respecting',
    ...closeOf(r.data),
  };
}

/** The close-contact fields of resolved parameters: closeSeconds given, else the setting (read now). */
export function closeOf(p: { readonly closeOnly?: boolean | undefined; readonly closeSeconds?: number | undefined }): { closeSeconds: number; closeMs: number; closeOnly: boolean } {
  const closeSeconds = p.closeSeconds ?? closeSecondsSetting();
  return { closeSeconds, closeMs: closeSeconds * 1000, closeOnly: p.closeOnly ?? false };
}

/** Checks one close-contact overlap in seconds (`field` names it in the error). */
export function checkCloseSeconds(seconds: number, field = 'closeSeconds'): void {
  const r = CloseSeconds.safeParse(seconds);
  if (!r.success) throw refused(r.error.issues.map((i) => ({ ...i, path: [field] })));
}

/** Checks one tolerance in seconds (`field` names it in the error). */
export function checkTolerance(seconds: number, field = 'toleranceSeconds'): void {
  const r = ToleranceSeconds.safeParse(seconds);
  if (!r.success) throw refused(r.error.issues.map((i) => ({ ...i, path: [field] })));
}
