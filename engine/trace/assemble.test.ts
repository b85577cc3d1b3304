import fc from 'fast-check';
import { assembleGeneration, contactEdge, radixOrder, resultOf, shapeTrace, sortEdges, sortPeople, type Edge, type Reached } from './assemble';
import { resolveTraceParams } from './params';

const row = (source: string, target: string, a: [number, number], b: [number, number], ids: [string, string], generation = 1) =>
  contactEdge(generation, source, target, 'S', { id: ids[0], at: a[0], leftAt: a[1] }, { id: ids[1], at: b[0], leftAt: b[1] });

describe('assembling a generation', () => {
  it('lists every distinct source once in via, however many reach one person', () => {
    const rows = [];
    for (let i = 0; i < 120; i++) rows.push(row(`s${(i * 7) % 40}`, 'x', [i, i], [i, i], [`a${i}`, `b${i}`]));
    const [x] = assembleGeneration(1, rows).people;
    expect(x!.via).toEqual(Array.from({ length: 40 }, (_, i) => `s${i}`).sort());
    expect(x!.contacts).toBe(120);
  });

  it('takes the earliest contact as exposure, every source as via, and keeps every edge', () => {
    const g = assembleGeneration(2, [row('q', 'x', [500, 500], [400, 900], ['a1', 'b1'], 2), row('p', 'x', [100, 300], [200, 200], ['a2', 'b2'], 2), row('p', 'y', [50, 50], [60, 60], ['a3', 'b3'], 2)]);
    expect(g.people).toEqual([
      { id: 'x', generation: 2, exposureAt: 200, via: ['p', 'q'], contacts: 2, overlapMs: 0, longestOverlapMs: 0 },
      { id: 'y', generation: 2, exposureAt: 60, via: ['p'], contacts: 1, overlapMs: 0, longestOverlapMs: 0 },
    ]);
    expect(g.contacts.map((c) => [c.source, c.target, c.at, c.passages])).toEqual([
      ['q', 'x', 500, ['a1', 'b1']],
      ['p', 'x', 200, ['a2', 'b2']],
      ['p', 'y', 60, ['a3', 'b3']],
    ]);
  });

  it('shapes the result: people by generation then exposure, contacts by generation then time, instants in UTC', () => {
    const g1 = assembleGeneration(1, [row('f', 'b', [0, 0], [5_000, 65_000], ['a', 'b'])]);
    const g2 = assembleGeneration(2, [row('b', 'c', [10_000, 10_000], [9_000, 9_000], ['c', 'd'], 2)]);
    const r = resultOf(shapeTrace(resolveTraceParams({ f0: 'f', from: 0, to: 100_000 }), [...g2.people, ...g1.people], [...g2.contacts, ...g1.contacts], 7));
    expect(r.people.map((p) => [p.id, p.generation, p.exposureAt])).toEqual([
      ['b', 1, '1970-01-01T00:00:05.000Z'],
      ['c', 2, '1970-01-01T00:00:10.000Z'],
    ]);
    expect(r.contacts.map((c) => [c.source, c.overlapSeconds])).toEqual([
      ['f', 0],
      ['b', 0],
    ]);
    expect(r.stats).toEqual({ people: 2, contacts: 2, closePeople: 0, milliseconds: 7 });
  });

  it('classes each contact by its overlap and each person by their longest contact: close from closeSeconds of overlap on', () => {
    const S = 1000;
    // x: 15:00 together with p (close) and 14:59 with q; y: 14:59 only; z: a point scan beside a long stay.
    const g = assembleGeneration(1, [
      row('p', 'x', [0, 900 * S], [0, 1000 * S], ['a1', 'b1']),
      row('q', 'x', [0, 899 * S], [0, 899 * S], ['a2', 'b2']),
      row('p', 'y', [0, 899 * S], [0, 1000 * S], ['a3', 'b3']),
      row('p', 'z', [0, 3600 * S], [60 * S, 60 * S], ['a4', 'b4']),
    ]);
    expect(g.people.map((r) => [r.id, r.longestOverlapMs])).toEqual([
      ['x', 900 * S],
      ['y', 899 * S],
      ['z', 0],
    ]);
    const r = resultOf(shapeTrace(resolveTraceParams({ f0: 'f', from: 0, to: 100_000, closeSeconds: 900 }), g.people, g.contacts, 1));
    expect(r.people.map((p) => [p.id, p.class])).toEqual([
      ['x', 'close'],
      ['y', 'brief'],
      ['z', 'brief'],
    ]);
    expect(r.contacts.map((c) => [c.passages[0], c.overlapSeconds, c.class])).toEqual([
      ['a1', 900, 'close'],
      ['a3', 899, 'brief'],
      ['a2', 899, 'brief'],
      ['a4', 0, 'brief'],
    ]);
    expect(r.stats.closePeople).toBe(1);
    expect(r.params).toMatchObject({ closeSeconds: 900, closeOnly: false });
  });
});

describe('sorting contact edges', () => {
  const edge = (generation: number, at: number, source: string, target: string, p0: string, p1: string): Edge => ({ source, target, stationId: 'S', at, overlapMs: 0, generation, passages: [p0, p1] });
  const naive = (xs: Edge[]): Edge[] =>
    [...xs].sort((x, y) => x.generation - y.generation || x.at - y.at || (x.source < y.source ? -1 : x.source > y.source ? 1 : 0) || (x.target < y.target ? -1 : x.target > y.target ? 1 : 0) || (x.passages[0] < y.passages[0] ? -1 : x.passages[0] > y.passages[0] ? 1 : 0) || (x.passages[1] < y.passages[1] ? -1 : x.passages[1] > y.passages[1] ? 1 : 0));

  it('orders by generation, time, then ids, exactly like the comparator, with many ties', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const grouped of [true, false]) {
      const xs: Edge[] = [];
      for (let g = 1; g <= 3; g++) for (let i = 0; i < 400; i++) xs.push(edge(grouped ? g : 1 + rnd(3), rnd(50), `s${rnd(4)}`, `t${rnd(4)}`, `a${rnd(3)}`, `b${rnd(3)}`));
      expect(sortEdges(xs)).toEqual(naive(xs));
    }
  });

  it('gives the same order with real instants, and past 32-bit offsets (the fallback)', () => {
    const t0 = Date.UTC(2021, 7, 1);
    for (const spread of [14 * 86_400_000, 2 ** 52]) {
      const xs: Edge[] = [];
      for (let i = 0; i < 3000; i++) xs.push(edge(1 + (i >= 2000 ? 1 : 0), t0 + Math.floor(((i * 7919) % 1000) / 1000 * spread / 1000) * 1000, `s${i % 7}`, `t${i % 5}`, `a${i % 3}`, `b${i % 2}`));
      expect(sortEdges(xs)).toEqual(naive(xs));
    }
  });

  it('sorts times 2^32 − 1 ms apart by radix, and falls back past that with the same order', () => {
    for (const spread of [2 ** 32 - 1, 2 ** 32]) {
      const xs: Edge[] = [];
      for (let i = 0; i < 500; i++) xs.push(edge(1, i === 7 ? spread : (i * 7919) % 97, `s${i % 3}`, `t${i % 4}`, `a${i % 2}`, 'b'));
      expect(sortEdges(xs)).toEqual(naive(xs));
    }
  });
});

describe('the radix order', () => {
  it('is the stable ascending order of any 32-bit keys', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2047, 2048, 2 ** 22 - 1, 2 ** 22, 2 ** 32 - 1));
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300 }), (xs) => {
        const expected = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]! || a - b);
        expect([...radixOrder(Uint32Array.from(xs))]).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

});

describe('sorting people', () => {
  const person = (generation: number, exposureAt: number, id: string): Reached => ({ id, generation, exposureAt, via: [], contacts: 1, overlapMs: 0, longestOverlapMs: 0 });
  const naive = (xs: Reached[]): Reached[] => [...xs].sort((x, y) => x.generation - y.generation || x.exposureAt - y.exposureAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));

  it('orders by generation, exposure, then id, exactly like the comparator, grouped or not', () => {
    const t0 = Date.UTC(2021, 7, 1);
    for (const grouped of [true, false]) {
      const xs: Reached[] = [];
      for (let i = 0; i < 3000; i++) xs.push(person(grouped ? 1 + Math.floor(i / 1000) : 1 + ((i * 31) % 3), t0 + ((i * 7919) % 97) * 60_000, `p${(i * 104729) % 3001}`));
      expect(sortPeople(xs)).toEqual(naive(xs));
    }
  });
});
