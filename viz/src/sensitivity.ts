import type { SensitivityRow } from './types';

/**
 * The sensitivity panel's series: for each generation, its head count at each tolerance, sorted
 * by tolerance, so the chart shows how the F1/F2 lists grow as the tolerance widens. Pure.
 */

export interface SensitivityPoint {
  readonly toleranceMinutes: number;
  readonly count: number;
  /** Of them, the close people (CONTRACT-25 `closeCounts`); undefined when the row has none. */
  readonly closeCount?: number;
}

/** A row's close counts, when the server sent them (absent in traces stored before close contacts). */
export function rowCloseCounts(row: SensitivityRow): Readonly<Record<string, number>> | undefined {
  const c = (row as { closeCounts?: unknown }).closeCounts;
  return c !== null && typeof c === 'object' ? (c as Record<string, number>) : undefined;
}

export interface SensitivitySeries {
  readonly generation: number;
  readonly points: readonly SensitivityPoint[];
}

export function sensitivitySeries(rows: readonly SensitivityRow[], depth: number): { series: SensitivitySeries[]; maxCount: number; tolerances: number[]; hasClose: boolean } {
  const sorted = [...rows].sort((a, b) => a.toleranceSeconds - b.toleranceSeconds);
  const gens = new Set<number>();
  for (let g = 1; g <= depth; g++) gens.add(g);
  for (const r of sorted) for (const k of Object.keys(r.counts)) if (/^\d+$/.test(k) && Number(k) >= 1) gens.add(Number(k));
  let maxCount = 0;
  const series = [...gens]
    .sort((a, b) => a - b)
    .map((generation) => ({
      generation,
      points: sorted.map((r) => {
        const count = r.counts[String(generation)] ?? 0;
        maxCount = Math.max(maxCount, count);
        const close = rowCloseCounts(r);
        return close ? { toleranceMinutes: r.toleranceSeconds / 60, count, closeCount: close[String(generation)] ?? 0 } : { toleranceMinutes: r.toleranceSeconds / 60, count };
      }),
    }));
  const hasClose = sorted.length > 0 && sorted.every((r) => rowCloseCounts(r) !== undefined);
  return { series, maxCount, tolerances: sorted.map((r) => r.toleranceSeconds / 60), hasClose };
}
