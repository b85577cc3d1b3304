import { hotspotRuns } from './hotspot-runs';
import type { Hotspot } from './types';
import { A, B, C, D } from './testing/sample';

/** A 15-minute cell of `station` starting at `hhmm` UTC on 1 August 2021. */
function cell(stationId: string, hhmm: string, cases: number, passages: number, people: string[]): Hotspot {
  const start = Date.parse(`2021-08-01T${hhmm}:00.000Z`);
  return { stationId, stationName: `Trạm ${stationId}`, windowStart: new Date(start).toISOString(), windowEnd: new Date(start + 15 * 60_000).toISOString(), cases, passages, people };
}

const span = (r: Hotspot) => `${r.stationId} ${r.windowStart.slice(11, 16)}–${r.windowEnd.slice(11, 16)}`;

describe('hotspot runs', () => {
  it('merges adjacent cells of a station: the span, the most cases of a cell, the passages summed, everyone', () => {
    const runs = hotspotRuns([cell('ST1', '05:00', 2, 3, [A, C]), cell('ST1', '05:15', 3, 4, [A, B, D])]);
    expect(runs).toEqual([
      { stationId: 'ST1', stationName: 'Trạm ST1', windowStart: '2021-08-01T05:00:00.000Z', windowEnd: '2021-08-01T05:30:00.000Z', cases: 3, passages: 7, people: [A, B, C, D].sort(), cells: 2 },
    ]);
  });

  it('merges a run of three given in any order', () => {
    const runs = hotspotRuns([cell('ST1', '05:30', 2, 2, [A, B]), cell('ST1', '05:00', 2, 2, [A, B]), cell('ST1', '05:15', 2, 2, [A, B])]);
    expect(runs.map((r) => [span(r), r.cells, r.passages])).toEqual([['ST1 05:00–05:45', 3, 6]]);
  });

  it('keeps cells apart when a window between them is missing, or when they are far apart', () => {
    const runs = hotspotRuns([cell('ST1', '05:00', 2, 2, [A, B]), cell('ST1', '05:30', 2, 2, [A, B]), cell('ST1', '09:00', 2, 2, [A, B])]);
    expect(runs.map(span)).toEqual(['ST1 05:00–05:15', 'ST1 05:30–05:45', 'ST1 09:00–09:15']);
    expect(runs.every((r) => r.cells === 1)).toBe(true);
  });

  it('never merges the same or following windows of different stations', () => {
    const runs = hotspotRuns([cell('ST1', '05:00', 2, 2, [A, B]), cell('ST2', '05:15', 2, 2, [A, B]), cell('ST2', '05:00', 2, 2, [C, D])]);
    expect(runs.map((r) => [span(r), r.cells])).toEqual([
      ['ST2 05:00–05:30', 2],
      ['ST1 05:00–05:15', 1],
    ]);
  });

  it('gives a cell on its own back unchanged, counted as one cell', () => {
    const c = cell('ST3', '07:45', 1, 1, [D]);
    expect(hotspotRuns([c])).toEqual([{ ...c, cells: 1 }]);
    expect(hotspotRuns([])).toEqual([]);
  });

  it('ranks rows by the API’s keys: cases, then passages (summed), then start, then station', () => {
    const runs = hotspotRuns([
      cell('ST1', '05:00', 3, 3, [A, B, C]), // ranked first by the API
      cell('ST2', '06:00', 2, 2, [A, B]),
      cell('ST2', '06:15', 3, 2, [A, B, C]), // with its neighbour: 3 cases, 4 passages
      cell('ST4', '04:00', 2, 2, [A, B]),
      cell('ST3', '04:00', 2, 2, [C, D]),
      cell('ST5', '03:00', 1, 9, [A]),
    ]);
    expect(runs.map(span)).toEqual(['ST2 06:00–06:30', 'ST1 05:00–05:15', 'ST3 04:00–04:15', 'ST4 04:00–04:15', 'ST5 03:00–03:15']);
  });

  it('names a run from any of its cells when the first has no name', () => {
    const runs = hotspotRuns([{ ...cell('ST1', '05:00', 2, 2, [A, B]), stationName: '' }, cell('ST1', '05:15', 2, 2, [A, B])]);
    expect(runs[0]!.stationName).toBe('Trạm ST1');
  });
});
