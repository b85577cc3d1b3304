import { sensitivitySeries } from './sensitivity';

describe('sensitivitySeries', () => {
  it('gives one series per generation, sorted by tolerance, in minutes', () => {
    const r = sensitivitySeries(
      [
        { toleranceSeconds: 3600, counts: { '1': 9, '2': 40 } },
        { toleranceSeconds: 300, counts: { '1': 2, '2': 5 } },
        { toleranceSeconds: 900, counts: { '1': 4, '2': 12 } },
      ],
      2,
    );
    expect(r.tolerances).toEqual([5, 15, 60]);
    expect(r.series.map((s) => s.generation)).toEqual([1, 2]);
    expect(r.series[0]!.points).toEqual([
      { toleranceMinutes: 5, count: 2 },
      { toleranceMinutes: 15, count: 4 },
      { toleranceMinutes: 60, count: 9 },
    ]);
    expect(r.maxCount).toBe(40);
  });

  it('counts a generation missing from a row as zero, up to the depth', () => {
    const r = sensitivitySeries([{ toleranceSeconds: 0, counts: { '1': 1 } }], 3);
    expect(r.series.map((s) => [s.generation, s.points[0]!.count])).toEqual([
      [1, 1],
      [2, 0],
      [3, 0],
    ]);
  });

  it('carries the close people of each generation when every row has them (issue 25: closeCounts)', () => {
    const rows = [
      { toleranceSeconds: 900, counts: { '1': 4, '2': 12 }, closeCounts: { '1': 1, '2': 3 } },
      { toleranceSeconds: 300, counts: { '1': 2, '2': 5 }, closeCounts: { '1': 1 } },
    ];
    const r = sensitivitySeries(rows, 2);
    expect(r.hasClose).toBe(true);
    expect(r.series.map((s) => s.points.map((p) => [p.count, p.closeCount]))).toEqual([
      [
        [2, 1],
        [4, 1],
      ],
      [
        [5, 0],
        [12, 3],
      ],
    ]);
  });

  it('has no close counts for rows stored before close contacts', () => {
    const r = sensitivitySeries([{ toleranceSeconds: 900, counts: { '1': 4 } }], 1);
    expect(r.hasClose).toBe(false);
    expect(r.series[0]!.points[0]).toEqual({ toleranceMinutes: 15, count: 4 });
  });
});
