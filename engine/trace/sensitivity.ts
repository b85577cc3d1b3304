import { performance } from 'node:perf_hooks';
import type { TraceParams, TraceResult } from '../types';
import { checkTolerance, resolveTraceParams } from './params';
import { resultOf, shapeTrace, type ShapedTrace } from './assemble';
import { traceGenerations, type TraceOptions } from './trace';
import { weighTrust } from './trust';

/**
 * The view's sensitivity panel: how the F1, F2, … counts move with the tolerance. One full trace
 * per tolerance (the tolerance changes who is reached, so nothing can be shared between them).
 */
export interface SensitivityRow {
  toleranceSeconds: number;
  /** People per generation, "1" … String(depth), zeros included. */
  counts: Record<string, number>;
}

export type TraceWithSensitivity = TraceResult & { sensitivity: SensitivityRow[] };

export function generationCounts(r: { readonly people: readonly { readonly generation: number }[] }, depth: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let g = 1; g <= depth; g++) counts[String(g)] = 0;
  for (const p of r.people) counts[String(p.generation)] = (counts[String(p.generation)] ?? 0) + 1;
  return counts;
}

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
  const sensitivity: SensitivityRow[] = [{ toleranceSeconds: main.toleranceSeconds, counts: generationCounts({ people }, main.depth) }];
  for (const t of rest) {
    const other = { ...main, toleranceSeconds: t, tolMs: t * 1000 };
    const r = await traceGenerations(other, options);
    sensitivity.push({ toleranceSeconds: t, counts: generationCounts(r, main.depth) });
  }
  const trusted = await weighTrust(people, contacts, main.tolMs, options);
  const shaped = shapeTrace(main, trusted.people, contacts, Math.round(performance.now() - started), trusted.national);
  return { ...shaped, head: { ...shaped.head, sensitivity } };
}
