import type { TraceResult } from '../types';
import type { Edge, Reached, ShapedTrace } from '../trace/assemble';

import { capResult, pageFromSlice, pageRange, peopleSlice } from './pages';

const pageOf = (r: TraceResult, n: number, size: number) => pageFromSlice(peopleSlice(r, ...pageRange(n, size)), n, size);

const result: TraceResult = {
  f0: 'F0',
  params: { from: 'a', to: 'b', depth: 2, toleranceSeconds: 900, mode: 'time-respecting', closeSeconds: 900, closeOnly: false },
  people: [
    { id: 'A', generation: 1, exposureAt: '1', via: ['F0'], score: 0.4, class: 'brief' },
    { id: 'B', generation: 1, exposureAt: '2', via: ['F0'], score: 0.4, class: 'brief' },
    { id: 'C', generation: 2, exposureAt: '3', via: ['A', 'B'], score: 0.2, class: 'brief' },
  ],
  contacts: [
    { source: 'F0', target: 'A', stationId: 's', at: '1', overlapSeconds: 0, generation: 1, passages: ['p1', 'p2'], class: 'brief' },
    { source: 'F0', target: 'B', stationId: 's', at: '2', overlapSeconds: 0, generation: 1, passages: ['p1', 'p3'], class: 'brief' },
    { source: 'A', target: 'C', stationId: 's', at: '3', overlapSeconds: 0, generation: 2, passages: ['p4', 'p5'], class: 'brief' },
    { source: 'B', target: 'C', stationId: 's', at: '4', overlapSeconds: 0, generation: 2, passages: ['p6', 'p7'], class: 'brief' },
  ],
  stats: { people: 3, contacts: 4, closePeople: 0, milliseconds: 1 },
};

describe('trace pages', () => {
  it('gives each page its people and every contact that reached them', () => {
    const p3 = pageOf(result, 3, 1);
    expect(p3.people.map((p) => p.id)).toEqual(['C']);
    expect(p3.contacts.map((c) => c.source)).toEqual(['A', 'B']);
    expect(p3.page).toEqual({ number: 3, size: 1, totalPeople: 3, totalPages: 3 });
    expect(pageOf(result, 4, 1).people).toEqual([]);
    expect(pageOf({ ...result, people: [], contacts: [] }, 1, 10).page.totalPages).toBe(1);
  });

  it('cuts a result to the cap, keeping the earliest generations and only contacts among the kept', () => {
    const reached = (id: string, generation: number, exposureAt: number, via: string[]): Reached => ({ id, generation, exposureAt, via, contacts: via.length, overlapMs: 0, longestOverlapMs: 0 });
    const edge = (source: string, target: string, at: number, generation: number): Edge => ({ source, target, stationId: 's', at, overlapMs: 0, generation, passages: [`${source}${at}`, `${target}${at}`] });
    const { people: _people, contacts: _contacts, ...head } = result;
    const shaped: ShapedTrace = {
      head,
      people: [reached('A', 1, 1, ['F0']), reached('B', 1, 2, ['F0']), reached('C', 2, 3, ['A', 'B'])],
      contacts: [edge('F0', 'A', 1, 1), edge('F0', 'B', 2, 1), edge('A', 'C', 3, 2), edge('B', 'C', 4, 2)],
    };
    const { result: cut, truncated } = capResult(shaped, 2);
    expect(truncated).toBe(true);
    expect(cut.people.map((p) => p.id)).toEqual(['A', 'B']);
    expect(cut.contacts.map((c) => c.target)).toEqual(['A', 'B']);
    expect(cut.head).toEqual(shaped.head);
    expect(capResult(shaped, 3)).toEqual({ result: shaped, truncated: false });
  });
});
