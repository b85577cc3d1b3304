import type { Hotspot } from './types';

/**
 * The hotspot list's rows: the API ranks station × time-window cells, so a cluster that sat at
 * one station for an hour shows as four rows of 15 minutes. The list merges each run of cells
 * of one station that follow each other (one's window end is the next one's start) into one row
 * spanning them. Only the view merges: the API's cells stay as they are for the tools that
 * check them. Only cells the list holds are merged (the API sends the top ones), so a run whose
 * middle cell ranked below the cut shows as two rows. Pure.
 */

export interface HotspotRun extends Hotspot {
  /** Cells merged into this row (1: a cell on its own). */
  readonly cells: number;
}

/**
 * Runs of adjacent cells, ranked by the API's keys (cases desc, passages desc, start, station).
 * A run has the most cases of any of its cells (the API counts distinct people per cell, and no
 * cell saw the people of the whole run at once), the passages of its cells summed (a stay that
 * spans cells counts in each, as the API counts it), and everyone who passed in any of them: as
 * a selection, it concerns the people, station and span that selecting each cell did.
 */
export function hotspotRuns(cells: readonly Hotspot[]): HotspotRun[] {
  const byStation = new Map<string, Hotspot[]>();
  for (const c of cells) {
    const list = byStation.get(c.stationId);
    if (list) list.push(c);
    else byStation.set(c.stationId, [c]);
  }
  const runs: HotspotRun[] = [];
  for (const list of byStation.values()) {
    list.sort((a, b) => Date.parse(a.windowStart) - Date.parse(b.windowStart));
    let run: Hotspot[] = [];
    for (const c of list) {
      const last = run[run.length - 1];
      if (last && Date.parse(last.windowEnd) !== Date.parse(c.windowStart)) {
        runs.push(merge(run));
        run = [];
      }
      run.push(c);
    }
    if (run.length > 0) runs.push(merge(run));
  }
  return runs.sort(
    (a, b) =>
      b.cases - a.cases ||
      b.passages - a.passages ||
      Date.parse(a.windowStart) - Date.parse(b.windowStart) ||
      // Code-point order, as the database sorts the API's ties.
      (a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : 0),
  );
}

function merge(run: readonly Hotspot[]): HotspotRun {
  const first = run[0]!;
  if (run.length === 1) return { ...first, cells: 1 };
  const people = new Set<string>();
  for (const c of run) for (const p of c.people) people.add(p);
  return {
    stationId: first.stationId,
    stationName: run.find((c) => c.stationName !== '')?.stationName ?? '',
    windowStart: first.windowStart,
    windowEnd: run[run.length - 1]!.windowEnd,
    cases: Math.max(...run.map((c) => c.cases)),
    passages: run.reduce((sum, c) => sum + c.passages, 0),
    people: [...people].sort(),
    cells: run.length,
  };
}
