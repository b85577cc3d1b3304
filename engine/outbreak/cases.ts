import { invalidInput } from '../errors';
import { isoUtc } from '../time';
import { checkCloseSeconds, checkTolerance, closeOf } from '../trace/params';
import { DEFAULT_DEPTH, DEFAULT_TOLERANCE_SECONDS, MAX_TRACE_DEPTH, type OutbreakCase, type OutbreakParams, type TraceMode } from '../types';

/**
 * The case model of an outbreak trace (DESIGN.md, "Outbreak semantics"): a case's infectious
 * period with its defaults, and an outbreak's parameters checked and filled in. Pure; instants in
 * epoch ms; every problem is an `invalid_input` naming the field (`cases[i].field`).
 */

const DAY_MS = 86_400_000;

/** Without an explicit start, a case is infectious from this long before onset (or confirmation). */
export const INFECTIOUS_LEAD_MS = 2 * DAY_MS;

/** A case checked, with its infectious period resolved. */
export interface ResolvedCase {
  readonly caseId: string;
  readonly personId: string;
  readonly confirmedAt: number;
  /** infectiousFrom, or (onsetAt ?? confirmedAt) − 2 days. */
  readonly from: number;
  /** infectiousTo, or confirmedAt (isolated when confirmed). */
  readonly to: number;
}

/** An outbreak's parameters checked, with every default filled in. */
export interface ResolvedOutbreak {
  /** Sorted by caseId, ids unique. */
  readonly cases: readonly ResolvedCase[];
  /** The earliest case `from`: naive mode counts contacts from it. */
  readonly from: number;
  /** The latest case `to`. */
  readonly to: number;
  /** The horizon: no contact after it counts (default `to`). */
  readonly until: number;
  readonly depth: number;
  readonly toleranceSeconds: number;
  readonly tolMs: number;
  readonly mode: TraceMode;
  /** The overlap from which a contact is close (TRUYVET_CLOSE_SECONDS unless given). */
  readonly closeSeconds: number;
  readonly closeMs: number;
  /** Only close co-locations count, at every generation and for links. */
  readonly closeOnly: boolean;
}

/** A case's infectious period: the explicit bounds, each missing one by its default. Unchecked. */
export function infectiousPeriod(c: OutbreakCase): { from: number; to: number } {
  return { from: c.infectiousFrom ?? (c.onsetAt ?? c.confirmedAt) - INFECTIOUS_LEAD_MS, to: c.infectiousTo ?? c.confirmedAt };
}

/** Checks one case; `field` prefixes the field names of errors (its place in the request). */
export function resolveCase(c: OutbreakCase, field = 'case'): ResolvedCase {
  if (typeof c.caseId !== 'string' || c.caseId.trim() === '') throw invalidInput(`${field}: caseId is empty`, [{ field: `${field}.caseId`, reason: 'empty' }]);
  const name = `case '${c.caseId}'`;
  if (typeof c.personId !== 'string' || c.personId.trim() === '') throw invalidInput(`${name}: personId is empty`, [{ field: `${field}.personId`, reason: 'empty' }]);
  instant(name, field, 'confirmedAt', c.confirmedAt);
  if (c.onsetAt !== undefined) instant(name, field, 'onsetAt', c.onsetAt);
  if (c.infectiousFrom !== undefined) instant(name, field, 'infectiousFrom', c.infectiousFrom);
  if (c.infectiousTo !== undefined) instant(name, field, 'infectiousTo', c.infectiousTo);
  const { from, to } = infectiousPeriod(c);
  if (from > to) {
    // Name the bound the user gave: that is the one to fix.
    const [f, why] =
      c.infectiousFrom !== undefined && c.infectiousTo !== undefined
        ? ['infectiousFrom', 'after infectiousTo']
        : c.infectiousTo !== undefined
          ? ['infectiousTo', `before the default start, ${c.onsetAt === undefined ? 'confirmedAt' : 'onsetAt'} − 2 days`]
          : c.infectiousFrom !== undefined
            ? ['infectiousFrom', 'after confirmedAt, the default end']
            : ['onsetAt', 'more than 2 days after confirmedAt'];
    throw invalidInput(`${name}: the infectious period starts (${isoUtc(from)}) after it ends (${isoUtc(to)}): ${f} is ${why}`, [{ field: `${field}.${f}`, reason: why }]);
  }
  return { caseId: c.caseId, personId: c.personId, confirmedAt: c.confirmedAt, from, to };
}

/** Checks the cases of one run (ids unique), sorted by caseId. */
export function resolveCases(cases: readonly OutbreakCase[]): ResolvedCase[] {
  if (cases.length === 0) throw invalidInput('an outbreak trace needs at least one case', [{ field: 'cases', reason: 'empty' }]);
  const ids = new Set<string>();
  const out = cases.map((c, i) => {
    const r = resolveCase(c, `cases[${i}]`);
    if (ids.has(r.caseId)) throw invalidInput(`case '${r.caseId}' is listed twice`, [{ field: `cases[${i}].caseId`, reason: 'duplicate' }]);
    ids.add(r.caseId);
    return r;
  });
  return out.sort((a, b) => cmp(a.caseId, b.caseId));
}

const MODES: readonly TraceMode[] = ['time-respecting', 'naive'];

/** Checks an outbreak trace request and fills in its defaults. */
export function resolveOutbreakParams(p: OutbreakParams): ResolvedOutbreak {
  const cases = resolveCases(p.cases);
  let from = Infinity;
  let to = -Infinity;
  for (const c of cases) {
    if (c.from < from) from = c.from;
    if (c.to > to) to = c.to;
  }
  const until = p.until ?? to;
  if (!Number.isSafeInteger(until)) throw invalidInput('until is not an instant', [{ field: 'until', reason: 'not an instant' }]);
  // A horizon before every infectious period starts would silently answer "nobody": a mistake, not a question.
  if (until < from) throw invalidInput(`until (${isoUtc(until)}) is before the earliest infectious period starts (${isoUtc(from)})`, [{ field: 'until', reason: 'before from' }]);
  const depth = p.depth ?? DEFAULT_DEPTH;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_TRACE_DEPTH) {
    throw invalidInput(`depth ${String(depth)} is not a whole number from 1 to ${MAX_TRACE_DEPTH}`, [{ field: 'depth', reason: 'out of range' }]);
  }
  const toleranceSeconds = p.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  checkTolerance(toleranceSeconds);
  const mode = p.mode ?? 'time-respecting';
  if (!MODES.includes(mode)) throw invalidInput(`mode '${String(mode)}' is not one of ${MODES.join(', ')}`, [{ field: 'mode', reason: 'unknown' }]);
  if (p.closeSeconds !== undefined) checkCloseSeconds(p.closeSeconds);
  if (p.closeOnly !== undefined && typeof p.closeOnly !== 'boolean') throw invalidInput('closeOnly is not true or false', [{ field: 'closeOnly', reason: 'not true or false' }]);
  return { cases, from, to, until, depth, toleranceSeconds, tolMs: toleranceSeconds * 1000, mode, ...closeOf(p) };
}

function instant(name: string, field: string, key: string, v: unknown): void {
  if (!Number.isSafeInteger(v)) throw invalidInput(`${name}: ${key} is not an instant`, [{ field: `${field}.${key}`, reason: 'not an instant' }]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
