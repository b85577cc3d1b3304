import { invalidInput } from '../errors';
import { isoUtc } from '../time';
import { DEFAULT_DEPTH, DEFAULT_TOLERANCE_SECONDS, MAX_TRACE_DEPTH, type TraceMode, type TraceParams } from '../types';

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
}

/**
 * The longest infectious period a tracer may ask for (TRUYVET_TRACE_MAX_DAYS): 21 days covers
 * the 2021 rules (2 days before onset to isolation, 14-day quarantine) and is what retention
 * keeps; a longer one reveals far more people than any case justifies.
 */
export const DEFAULT_TRACE_MAX_DAYS = 21;

/**
 * Why a trace's period is too long: `to − from`, and the horizon `until − from` (else a late
 * horizon would widen F2… past the limit), at most `maxDays` days. Undefined when it is not.
 * Checked by the API and the CLI, where requests arrive; the engine itself traces any period.
 */
export function tracePeriodProblem(p: { readonly from: number; readonly to: number; readonly until?: number | undefined }, maxDays: number): { field: 'to' | 'until'; reason: string } | undefined {
  const max = maxDays * 86_400_000;
  if (p.to - p.from > max) return { field: 'to', reason: `the period from ${isoUtc(p.from)} to ${isoUtc(p.to)} is longer than ${maxDays} days` };
  if (p.until !== undefined && p.until - p.from > max) return { field: 'until', reason: `until (${isoUtc(p.until)}) is more than ${maxDays} days after from (${isoUtc(p.from)})` };
  return undefined;
}

/** One day: a wider tolerance would call a whole day's visitors to a station contacts. */
export const MAX_TOLERANCE_SECONDS = 86_400;

const MODES: readonly TraceMode[] = ['time-respecting', 'naive'];

/** Checks a trace request; every problem is an `invalid_input` naming the field. */
export function resolveTraceParams(p: TraceParams): ResolvedTrace {
  if (typeof p.f0 !== 'string' || p.f0 === '') throw invalidInput('f0 must be a person id', [{ field: 'f0', reason: 'empty' }]);
  instant('from', p.from);
  instant('to', p.to);
  if (p.from > p.to) throw invalidInput(`from (${isoUtc(p.from)}) is after to (${isoUtc(p.to)})`, [{ field: 'from', reason: 'after to' }]);
  const until = p.until ?? p.to;
  instant('until', until);
  // A horizon before the infectious period starts would silently answer "nobody": a mistake, not a question.
  if (until < p.from) throw invalidInput(`until (${isoUtc(until)}) is before from (${isoUtc(p.from)})`, [{ field: 'until', reason: 'before from' }]);
  const depth = p.depth ?? DEFAULT_DEPTH;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_TRACE_DEPTH) {
    throw invalidInput(`depth ${String(depth)} is not a whole number from 1 to ${MAX_TRACE_DEPTH}`, [{ field: 'depth', reason: 'out of range' }]);
  }
  const toleranceSeconds = p.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  checkTolerance(toleranceSeconds);
  const mode = p.mode ?? 'time-respecting';
  if (!MODES.includes(mode)) throw invalidInput(`mode '${String(mode)}' is not one of ${MODES.join(', ')}`, [{ field: 'mode', reason: 'unknown' }]);
  return { f0: p.f0, from: p.from, to: p.to, until, depth, toleranceSeconds, tolMs: toleranceSeconds * 1000, mode };
}

export function checkTolerance(seconds: number, field = 'toleranceSeconds'): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_TOLERANCE_SECONDS) {
    throw invalidInput(`tolerance ${String(seconds)} s is not a whole number of seconds from 0 to ${MAX_TOLERANCE_SECONDS}`, [
      { field, reason: 'out of range' },
    ]);
  }
}

function instant(field: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw invalidInput(`${field} is not an instant`, [{ field, reason: 'not an instant' }]);
}
