import type { Edge } from '../trace/assemble';
import type { FrontierPassage } from '../trace/queries';
import { addLinks, attributeCases, clustersOf, pairWithCasePersons, type CaseContext, type CaseTimes, type Link } from './assemble';
import { casesByPerson, type ResolvedCase } from './cases';

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
const ctxOf = (cases: ResolvedCase[], until = 1_000, naive = false): CaseContext => ({ byPerson: casesByPerson(cases), until, naive });
const linkList = (links: Map<string, Link>): [string, string, number, number, string?][] =>
  [...links.values()].map((l) => [l.from, l.to, l.generation, l.at, ...(l.via === undefined ? [] : [l.via])] as [string, string, number, number, string?]).sort();

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
    const got = attributeCases(1, [edge(1, 'A', 'x', 150), edge(1, 'A', 'x', 120), edge(1, 'A', 'x', 350), edge(1, 'A', 'y', 250), edge(1, 'B', 'y', 500)], ctxOf(cases), new Map());
    expect(got).toEqual(
      new Map([
        ['x', new Map([['a1', 120], ['a2', 350]])],
        ['y', new Map([['b', 500]])],
      ]),
    );
  });

  it('cuts generation-1 windows at until', () => {
    expect(attributeCases(1, [edge(1, 'A', 'x', 150)], ctxOf(cases, 149), new Map())).toEqual(new Map());
  });

  it('gives an Fk a case of its via from the via’s exposure to that case on (from any contact in naive mode)', () => {
    const casesOf = new Map<string, CaseTimes>([['v', new Map([['a1', 100], ['b', 500]])]]);
    const edges = [edge(2, 'v', 'x', 400), edge(2, 'v', 'x', 500)];
    expect(attributeCases(2, edges, ctxOf(cases), casesOf).get('x')).toEqual(new Map([['a1', 400], ['b', 500]]));
    expect(attributeCases(2, edges, ctxOf(cases, 1_000, true), casesOf).get('x')).toEqual(new Map([['a1', 400], ['b', 400]]));
  });
});

describe('links', () => {
  it('links generation 1 from the source’s cases whose window holds the contact to the target’s cases confirmed at or after it', () => {
    const cases = [rc('a', 'A', 100, 200), rc('b1', 'B', 0, 150), rc('b2', 'B', 0, 149)];
    const links = new Map<string, Link>();
    addLinks(links, [edge(1, 'A', 'B', 150), edge(1, 'B', 'A', 150)], ctxOf(cases), new Map());
    expect(linkList(links)).toEqual([
      ['a', 'b1', 1, 150],
      ['b1', 'a', 1, 150],
    ]);
  });

  it('links generation k ≥ 2 from the via’s cases reached by then (any in naive mode), never two cases of one person, never after until', () => {
    const cases = [rc('a', 'A', 0, 100, 900), rc('b', 'B', 0, 100, 900), rc('c', 'C', 0, 100, 900)];
    const casesOf = new Map<string, CaseTimes>([['v', new Map([['a', 10], ['b', 300], ['c', 20]])]]);
    const edges = [edge(2, 'v', 'C', 200), edge(2, 'v', 'A', 250)];
    const links = new Map<string, Link>();
    addLinks(links, edges, ctxOf(cases), casesOf);
    expect(linkList(links)).toEqual([
      ['a', 'c', 2, 200, 'v'],
      ['c', 'a', 2, 250, 'v'],
    ]);
    const naive = new Map<string, Link>();
    addLinks(naive, edges, ctxOf(cases, 1_000, true), casesOf);
    expect(linkList(naive)).toEqual([
      ['a', 'c', 2, 200, 'v'],
      ['b', 'a', 2, 250, 'v'],
      ['b', 'c', 2, 200, 'v'],
      ['c', 'a', 2, 250, 'v'],
    ]);
    const cut = new Map<string, Link>();
    addLinks(cut, edges, ctxOf(cases, 199), casesOf);
    expect(cut.size).toBe(0);
  });

  it('keeps the smallest generation, then the earliest contact, then the smallest passage ids, whatever the order they come in', () => {
    const cases = [rc('a', 'A', 0, 1_000), rc('b', 'B', 0, 1_000)];
    const casesOf = new Map<string, CaseTimes>([['v', new Map([['a', 0]])]]);
    const candidates = [edge(2, 'v', 'B', 10, ['v1', 'b1']), edge(1, 'A', 'B', 500, ['a2', 'b2']), edge(1, 'A', 'B', 400, ['a4', 'b4']), edge(1, 'A', 'B', 400, ['a3', 'b9']), edge(1, 'A', 'B', 400, ['a3', 'b3'])];
    for (const order of [candidates, [...candidates].reverse()]) {
      const links = new Map<string, Link>();
      for (const e of order) addLinks(links, [e], ctxOf(cases), casesOf);
      expect(links.get('a\u0000b')).toMatchObject({ generation: 1, at: 400, passages: ['a3', 'b3'] });
      expect(links.get('a\u0000b')).not.toHaveProperty('via');
    }
  });
});

describe('pairing the last generation with the case persons', () => {
  const p = (src: string, id: string, at: number, leftAt = at, since = 0): FrontierPassage => ({ src, since, id, at, leftAt });

  it('pairs co-located passages at contact times in [since, hi], long stays included', () => {
    const from = new Map([['S', [p('f', 'f1', 1_000, 1_000, 500), p('f', 'f2', 5_000, 5_000, 500)]]]);
    const cases = new Map([
      [
        'S',
        [
          p('A', 'long', 0, 100_000), // began long before: found through the longest stay
          p('A', 'near', 1_100), // within τ = 100 of f1
          p('A', 'far', 1_101),
          p('A', 'early', 400, 400), // co-located with nothing before since
        ],
      ],
      ['T', [p('A', 'elsewhere', 1_000)]],
    ]);
    const edges = pairWithCasePersons(3, from, cases, 4_000, 100);
    expect(edges.map((e) => [e.passages, e.at, e.generation]).sort()).toEqual([
      [['f1', 'long'], 1_000, 3],
      [['f1', 'near'], 1_100, 3],
    ]);
    expect(pairWithCasePersons(3, from, cases, 10_000, 100).map((e) => e.passages[0] + e.passages[1]).sort()).toEqual(['f1long', 'f1near', 'f2long']);
  });
});
