import { assembleGeneration, traceResult } from './assemble';
import { resolveTraceParams } from './params';

const row = (source: string, target: string, a: [number, number], b: [number, number], ids: [string, string]) => ({
  source,
  target,
  stationId: 'S',
  a: { id: ids[0], at: a[0], leftAt: a[1] },
  b: { id: ids[1], at: b[0], leftAt: b[1] },
});

describe('assembling a generation', () => {
  it('takes the earliest contact as exposure, every source as via, and keeps every edge', () => {
    const g = assembleGeneration(2, [row('q', 'x', [500, 500], [400, 900], ['a1', 'b1']), row('p', 'x', [100, 300], [200, 200], ['a2', 'b2']), row('p', 'y', [50, 50], [60, 60], ['a3', 'b3'])]);
    expect(g.people).toEqual([
      { id: 'x', generation: 2, exposureAt: 200, via: ['p', 'q'], contacts: 2, overlapMs: 0 },
      { id: 'y', generation: 2, exposureAt: 60, via: ['p'], contacts: 1, overlapMs: 0 },
    ]);
    expect(g.contacts.map((c) => [c.source, c.target, c.at, c.passages])).toEqual([
      ['q', 'x', 500, ['a1', 'b1']],
      ['p', 'x', 200, ['a2', 'b2']],
      ['p', 'y', 60, ['a3', 'b3']],
    ]);
  });

  it('shapes the result: people by generation then exposure, contacts by generation then time, instants in UTC', () => {
    const g1 = assembleGeneration(1, [row('f', 'b', [0, 0], [5_000, 65_000], ['a', 'b'])]);
    const g2 = assembleGeneration(2, [row('b', 'c', [10_000, 10_000], [9_000, 9_000], ['c', 'd'])]);
    const r = traceResult(resolveTraceParams({ f0: 'f', from: 0, to: 100_000 }), [...g2.people, ...g1.people], [...g2.contacts, ...g1.contacts], 7);
    expect(r.people.map((p) => [p.id, p.generation, p.exposureAt])).toEqual([
      ['b', 1, '1970-01-01T00:00:05.000Z'],
      ['c', 2, '1970-01-01T00:00:10.000Z'],
    ]);
    expect(r.contacts.map((c) => [c.source, c.overlapSeconds])).toEqual([
      ['f', 0],
      ['b', 0],
    ]);
    expect(r.stats).toEqual({ people: 2, contacts: 2, milliseconds: 7 });
  });
});
