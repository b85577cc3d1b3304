import { performance } from 'node:perf_hooks';
import type { TraceParams, TraceResult } from '../types';
import { checkTolerance, resolveTraceParams } from './params';
import { resultOf, shapeTrace, type Reached, type ShapedTrace } from './assemble';
import { generationCounts } from './counts';
import { tolerancesOf, traceParamsOf, type TraceRequest } from './request';
import { traceGenerations, traceShaped, type TraceOptions } from './trace';
import { weighTrust } from './trust';

/**
 * The view's sensitivity panel: how the F1, F2, … counts move with the tolerance, and how many
 * of them are close. One full trace per tolerance (the tolerance changes who is reached, so
 * nothing can be shared between them). A close-only trace's rows are all alike: a close pair
 * overlaps, so the tolerance changes nothing there.
 */
export interface SensitivityRow {
  toleranceSeconds: number;
  /** People per generation, "1" … String(depth), zeros included. */
  counts: Record<string, number>;
  /** Of them, the close people (DESIGN.md, "Close contacts"), per generation the same way. */
  closeCounts: Record<string, number>;
}

/** The row of one tolerance's people. */
function rowOf(toleranceSeconds: number, people: readonly Reached[], depth: number, closeMs: number): SensitivityRow {
  return { toleranceSeconds, counts: generationCounts({ people }, depth), closeCounts: generationCounts({ people: people.filter((r) => r.longestOverlapMs >= closeMs) }, depth) };
}

export type TraceWithSensitivity = TraceResult & { sensitivity: SensitivityRow[] };

/**
 * The trace at the first tolerance in `tolerancesSeconds` (its `params.toleranceSeconds` is
 * ignored), plus a `sensitivity` row for every tolerance in the given order, the first included.
 */
export async function traceWithSensitivity(params: TraceParams, tolerancesSeconds: readonly number[], options: TraceOptions = {}): Promise<TraceWithSensitivity> {
  return resultOf(await traceWithSensitivityShaped(params, tolerancesSeconds, options));
}

/** traceWithSensitivity() as a ShapedTrace (assemble.ts), the rows in its head. */
export async function traceWithSensitivityShaped(
  params: TraceParams,
  tolerancesSeconds: readonly number[],
  options: TraceOptions = {},
): Promise<ShapedTrace<{ sensitivity: SensitivityRow[] }>> {
  const started = performance.now();
  tolerancesSeconds.forEach((t, i) => checkTolerance(t, `tolerances[${i}]`));
  const [first, ...rest] = tolerancesSeconds;
  const main = resolveTraceParams(first === undefined ? params : { ...params, toleranceSeconds: first });
  const { people, contacts } = await traceGenerations(main, options);
  const sensitivity: SensitivityRow[] = [rowOf(main.toleranceSeconds, people, main.depth, main.closeMs)];
  for (const t of rest) {
    const other = { ...main, toleranceSeconds: t, tolMs: t * 1000 };
    const r = await traceGenerations(other, options);
    sensitivity.push(rowOf(t, r.people, main.depth, main.closeMs));
  }
  const trusted = await weighTrust(people, contacts, main.tolMs, options);
  const shaped = shapeTrace(main, trusted.people, contacts, Math.round(performance.now() - started), trusted.national);
  return { ...shaped, head: { ...shaped.head, sensitivity } };
}

/** A checked request (request.ts) traced for case `f0`: with the sensitivity panel when it asks for one. */
export async function traceRequestShaped(f0: string, r: TraceRequest, options: TraceOptions = {}): Promise<ShapedTrace<Partial<{ sensitivity: SensitivityRow[] }>>> {
  const params = traceParamsOf(f0, r);
  return r.sensitivity === undefined ? traceShaped(params, options) : traceWithSensitivityShaped(params, tolerancesOf(r), options);
}
