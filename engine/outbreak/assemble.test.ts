import type { Edge } from '../trace/assemble';
import { addLinks, attributeCases, caseContext, clustersOf, LinkTable, type CaseContext, type CaseTimes } from './assemble';
import type { ResolvedCase } from './cases';

const rc = (caseId: string, personId: string, from: number, to: number, confirmedAt = to): ResolvedCase => ({ caseId, personId, from, to, confirmedAt });
const edge = (generation: number, source: string, target: string, at: number, passages: [string, string] = [`${source}@${at}`, `${target}@${at}`]): Edge => ({
  source,
  target,
  stationId: 'S',
  at,
  overlapMs: 0,
  generation,
  passages,
});
const ctxOf = (cases: ResolvedCase[], until = 1_000, naive = false): CaseContext => caseContext(cases, until, naive);
/** A person's cases from [caseId, exposure] pairs, as the engine holds them. */
const timesIn = (ctx: CaseContext, pairs: [string, number][]): CaseTimes => {
  const sorted = [...pairs].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  return { cases: sorted.map(([id]) => ctx.cases.findIndex((c) => c.caseId === id)), at: sorted.map(([, at]) => at) };
};
const pairsOf = (ctx: CaseContext, t: CaseTimes | undefined): [string, number][] => (t?.cases ?? []).map((i, j) => [ctx.cases[i]!.caseId, t!.at[j]!]);
const readable = (ctx: CaseContext, m: Map<string, CaseTimes>): Record<string, [string, number][]> => Object.fromEntries([...m].map(([k, t]) => [k, pairsOf(ctx, t)]));
const linkList = (links: LinkTable): [string, string, number, number, string?][] =>
  links.values().map((l) => [l.from, l.to, l.generation, l.at, ...(l.via === undefined ? [] : [l.via])] as [string, string, number, number, string?]).sort();

describe('clusters', () => {
  const cases = [rc('c1', 'p1', 50, 100), rc('c2', 'p2', 10, 100), rc('c3', 'p3', 10, 100), rc('c4', 'p4', 5, 100), rc('c5', 'p5', 40, 100), rc('c6', 'p6', 0, 100)];

  it('joins cases linked in either direction, ordered and indexed by the earliest from, then the smallest id', () => {
    // c1 → c2 ← c3 (joined only through c2's incoming links), c5 ⇄ c4; c6 alone.
    const got = clustersOf(
      [
        { from: 'c1', to: 'c2' },
        { from: 'c3', to: 'c2' },
        { from: 'c5', to: 'c4' },
        { from: 'c4', to: 'c5' },
      ],
      cases,
    );
    expect(got).toEqual([
      { id: 'cl-c4', index: 'c4', cases: ['c4', 'c5'] },
      { id: 'cl-c2', index: 'c2', cases: ['c1', 'c2', 'c3'] },
    ]);
  });

  it('merges chains that meet late, and leaves no cluster without links', () => {
    const links = [
      { from: 'c1', to: 'c2' },
      { from: 'c3', to: 'c4' },
      { from: 'c5', to: 'c6' },
      { from: 'c2', to: 'c6' },
      { from: 'c4', to: 'c1' },
    ];
    expect(clustersOf(links, cases)).toEqual([{ id: 'cl-c6', index: 'c6', cases: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'] }]);
    expect(clustersOf([], cases)).toEqual([]);
  });
});

describe('the cases attribution', () => {
  const cases = [rc('a1', 'A', 100, 200), rc('a2', 'A', 300, 400), rc('b', 'B', 0, 1_000)];

  it('gives an F1 each case of its source whose window holds the contact, at the earliest such contact', () => {
    const ctx = ctxOf(cases);
    const got = attributeCases(1, [edge(1, 'A', 'x', 150), edge(1, 'A', 'x', 120), edge(1, 'A', 'x', 350), edge(1, 'A', 'y', 250), edge(1, 'B', 'y', 500)], ctx, new Map());
    expect(readable(ctx, got)).toEqual({ x: [['a1', 120], ['a2', 350]], y: [['b', 500]] });
  });

  it('cuts generation-1 windows at until', () => {
    const ctx = ctxOf(cases, 149);
    expect(readable(ctx, attributeCases(1, [edge(1, 'A', 'x', 150)], ctx, new Map()))).toEqual({ x: [] });
  });

  it('gives an Fk a case of its via from the via’s exposure to that case on (from any contact in naive mode)', () => {
    for (const naive of [false, true]) {
      const ctx = ctxOf(cases, 1_000, naive);
      const casesOf = new Map([['v', timesIn(ctx, [['a1', 100], ['b', 500]])]]);
      const got = attributeCases(2, [edge(2, 'v', 'x', 500), edge(2, 'v', 'x', 400)], ctx, casesOf);
      expect(readable(ctx, got)).toEqual({ x: naive ? [['a1', 400], ['b', 400]] : [['a1', 400], ['b', 500]] });
    }
  });

  it('takes each case at the earliest contact over every via, ordered by time then case id', () => {
    const ctx = ctxOf(cases);
    const casesOf = new Map([
      ['v', timesIn(ctx, [['a1', 100], ['b', 500]])],
      ['w', timesIn(ctx, [['b', 200], ['a2', 255]])],
    ]);
    // v's first edge (150) precedes its exposure to b; w reaches x with b at 250 and a2 at 260.
    const edges = [edge(2, 'v', 'x', 600), edge(2, 'w', 'x', 260), edge(2, 'v', 'x', 150), edge(2, 'w', 'x', 250), edge(2, 'w', 'y', 250)];
    expect(readable(ctx, attributeCases(2, edges, ctx, casesOf))).toEqual({ x: [['a1', 150], ['b', 250], ['a2', 260]], y: [['b', 250]] });
  });
});

describe('links', () => {
  it('links generation 1 from the source’s cases whose window holds the contact to the target’s cases confirmed at or after it', () => {
    const cases = [rc('a', 'A', 100, 200), rc('b1', 'B', 0, 150), rc('b2', 'B', 0, 149)];
    const links = new LinkTable();
    addLinks(links, [edge(1, 'A', 'B', 150), edge(1, 'B', 'A', 150)], ctxOf(cases), new Map());
    expect(linkList(links)).toEqual([
      ['a', 'b1', 1, 150],
      ['b1', 'a', 1, 150],
    ]);
  });

  it('links generation k ≥ 2 from the via’s cases reached by then (any in naive mode), never two cases of one person, never after until', () => {
    const cases = [rc('a', 'A', 0, 100, 900), rc('b', 'B', 0, 100, 900), rc('c', 'C', 0, 100, 900)];
    const edges = [edge(2, 'v', 'C', 200), edge(2, 'v', 'A', 250)];
    const run = (ctx: CaseContext): LinkTable => {
      const links = new LinkTable();
      addLinks(links, edges, ctx, new Map([['v', timesIn(ctx, [['a', 10], ['b', 300], ['c', 20]])]]));
      return links;
    };
    expect(linkList(run(ctxOf(cases)))).toEqual([
      ['a', 'c', 2, 200, 'v'],
      ['c', 'a', 2, 250, 'v'],
    ]);
    expect(linkList(run(ctxOf(cases, 1_000, true)))).toEqual([
      ['a', 'c', 2, 200, 'v'],
      ['b', 'a', 2, 250, 'v'],
      ['b', 'c', 2, 200, 'v'],
      ['c', 'a', 2, 250, 'v'],
    ]);
    expect(run(ctxOf(cases, 199)).size).toBe(0);
  });

  it('takes, over every via, the earliest contact at or after the via’s exposure, ties to the smallest passage ids', () => {
    const cases = [rc('a', 'A', 0, 1_000), rc('b', 'B', 0, 1_000, 299), rc('b2', 'B', 0, 1_000, 300)];
    const ctx = ctxOf(cases);
    const casesOf = new Map([
      ['v', timesIn(ctx, [['a', 250]])],
      ['w', timesIn(ctx, [['a', 100]])],
    ]);
    const edges = [edge(2, 'w', 'B', 300, ['w1', 'b2']), edge(2, 'v', 'B', 200, ['v0', 'b0']), edge(2, 'v', 'B', 300, ['v9', 'b1'])];
    const links = new LinkTable();
    addLinks(links, edges, ctx, casesOf);
    // v's edge at 200 precedes its exposure; at 300 v and w tie, and v's passage id is smaller; b was confirmed before 300.
    expect(links.values()).toEqual([{ from: 'a', to: 'b2', generation: 2, at: 300, stationId: 'S', overlapMs: 0, passages: ['v9', 'b1'], via: 'v' }]);
  });

  it('reads edges the other way round for the link round: the case person’s edge to a listed person', () => {
    const cases = [rc('a', 'A', 0, 1_000), rc('b', 'B', 0, 1_000)];
    const ctx = ctxOf(cases);
    const links = new LinkTable();
    addLinks(links, [edge(1, 'B', 'v', 400, ['b1', 'v1'])], ctx, new Map([['v', timesIn(ctx, [['a', 100]])]]), 3);
    expect(links.values()).toEqual([{ from: 'a', to: 'b', generation: 3, at: 400, stationId: 'S', overlapMs: 0, passages: ['v1', 'b1'], via: 'v' }]);
  });

  it('keeps the smallest generation, then the earliest contact, then the smallest passage ids, whatever the order they come in', () => {
    const cases = [rc('a', 'A', 0, 1_000), rc('b', 'B', 0, 1_000)];
    const ctx = ctxOf(cases);
    const casesOf = new Map([['v', timesIn(ctx, [['a', 0]])]]);
    const candidates = [edge(2, 'v', 'B', 10, ['v1', 'b1']), edge(1, 'A', 'B', 500, ['a2', 'b2']), edge(1, 'A', 'B', 400, ['a4', 'b4']), edge(1, 'A', 'B', 400, ['a3', 'b9']), edge(1, 'A', 'B', 400, ['a3', 'b3'])];
    for (const order of [candidates, [...candidates].reverse()]) {
      const links = new LinkTable();
      for (const e of order) addLinks(links, [e], ctx, casesOf);
      expect(links.get('a', 'b')).toMatchObject({ generation: 1, at: 400, passages: ['a3', 'b3'] });
      expect(links.get('a', 'b')).not.toHaveProperty('via');
    }
  });
});
