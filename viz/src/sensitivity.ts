import type { SensitivityRow } from './types';

/**
 * The sensitivity panel's series: for each generation, its head count at each tolerance, sorted
 * by tolerance, so the chart shows how the F1/F2 lists grow as the tolerance widens. Pure.
 */

export interface SensitivityPoint {
  readonly toleranceMinutes: number;
  readonly count: number;
}

export interface SensitivitySeries {
  readonly generation: number;
  readonly points: readonly SensitivityPoint[];
}

export function sensitivitySeries(rows: readonly SensitivityRow[], depth: number): { series: SensitivitySeries[]; maxCount: number; tolerances: number[] } {
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
        return { toleranceMinutes: r.toleranceSeconds / 60, count };
      }),
    }));
  return { series, maxCount, tolerances: sorted.map((r) => r.toleranceSeconds / 60) };
}
