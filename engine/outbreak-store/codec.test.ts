import fc from 'fast-check';
import { outbreakResultOf, type Link, type OutbreakReached, type ShapedOutbreak } from '../outbreak/assemble';
import type { Edge } from '../trace/assemble';
import { decodeTraceResult, sealTrace, unsealedBytes } from '../trace-store/codec';
import { contactRows } from './graph';
import { encodeShapedOutbreak, openOutbreak, outbreakPeople, outbreakResultOfOpened } from './codec';

/** Plain objects, as the engine makes them (fc.record's default has no prototype). */
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(model, { noNullPrototype: true });
// Ids from small sets, so people, contacts, cases and links share strings as in a real run.
const person = fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'S1');
const caseId = fc.constantFrom('C-1', 'C-2', 'C-3', 'C-7-0008', 'p1');
const instant = fc.oneof(fc.constantFrom(0, 1_627_775_000_000, 1_627_776_000_999), fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }));

const reached: fc.Arbitrary<OutbreakReached> = record({
  id: person,
  generation: fc.integer({ min: 1, max: 6 }),
  exposureAt: instant,
  via: fc.array(person, { maxLength: 3 }),
  contacts: fc.integer({ min: 0, max: 20 }),
  overlapMs: fc.integer({ min: 0, max: 10_000_000 }),
  longestOverlapMs: fc.integer({ min: 0, max: 2_000_000 }),
  cases: fc.array(record({ caseId, at: instant }), { maxLength: 4 }),
});
const edge: fc.Arbitrary<Edge> = record({
  source: person,
  target: person,
  stationId: fc.constantFrom('ST1', 'ST2', 'p2'),
  at: instant,
  overlapMs: fc.integer({ min: 0, max: 10_000_000 }),
  generation: fc.integer({ min: 1, max: 6 }),
  passages: fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })),
});
const link: fc.Arbitrary<Link> = fc
  .record(
    {
      from: caseId,
      to: caseId,
      generation: fc.integer({ min: 1, max: 7 }),
      at: instant,
      stationId: fc.constantFrom('ST1', 'ST3'),
      overlapMs: fc.integer({ min: 0, max: 10_000_000 }),
      passages: fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })),
      via: fc.option(person, { nil: undefined }),
    },
    { noNullPrototype: true },
  )
  .map(({ via, ...l }) => (via === undefined ? l : { ...l, via }));

const shaped: fc.Arbitrary<ShapedOutbreak> = fc
  .record({
    people: fc.array(reached, { maxLength: 20 }),
    contacts: fc.array(edge, { maxLength: 40 }),
    links: fc.array(link, { maxLength: 8 }),
    clusters: fc.array(record({ id: fc.string({ maxLength: 8 }), index: caseId, cases: fc.array(caseId, { maxLength: 4 }) }), { maxLength: 3 }),
    depth: fc.integer({ min: 1, max: 6 }),
  })
  .map(({ people, contacts, links, clusters, depth }) => ({
    head: {
      cases: ['C-1', 'C-2', 'C-3'],
      params: { from: '2021-08-01T00:00:00.000Z', to: '2021-08-03T00:00:00.000Z', until: '2021-08-03T00:00:00.000Z', depth, toleranceSeconds: 900, mode: 'time-respecting' as const, closeSeconds: 900, closeOnly: false },
      stats: { people: people.length, contacts: contacts.length, closePeople: people.filter((p) => p.longestOverlapMs >= 900_000).length, links: links.length, clusters: clusters.length, milliseconds: 12 },
    },
    people,
    contacts,
    links,
    clusters,
  }));

describe('outbreak run codec', () => {
  it('gives back exactly the OutbreakResult of the run it encoded, from its bytes (sealed and unsealed) and as it was opened', () => {
    fc.assert(
      fc.property(shaped, (s) => {
        const expected = outbreakResultOf(s);
        const { bytes, opened } = encodeShapedOutbreak(s);
        expect(outbreakResultOfOpened(opened)).toStrictEqual(expected);
        expect(outbreakResultOfOpened(openOutbreak(unsealedBytes(sealTrace(bytes))!))).toStrictEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps people and contacts in the trace codec’s own columns: a trace decoder reads them as a trace’s', () => {
    fc.assert(
      fc.property(shaped, (s) => {
        const r = decodeTraceResult(encodeShapedOutbreak(s).bytes);
        const expected = outbreakResultOf(s);
        expect(r.people).toStrictEqual(expected.people.map(({ cases: _c, ...p }) => p));
        expect(r.contacts).toStrictEqual(expected.contacts);
      }),
      { numRuns: 100 },
    );
  });

  it('reads a page of people with their cases and the contacts into them, as sliced from the whole result', () => {
    fc.assert(
      fc.property(shaped, fc.integer({ min: -2, max: 22 }), fc.integer({ min: 0, max: 8 }), (s, from, length) => {
        const whole = outbreakResultOf(s);
        const lo = Math.min(Math.max(0, from), whole.people.length);
        const hi = Math.min(Math.max(lo, from + length), whole.people.length);
        const people = whole.people.slice(lo, hi);
        const ids = new Set(people.map((p) => p.id));
        const page = outbreakPeople(openOutbreak(encodeShapedOutbreak(s).bytes), from, from + length);
        expect(page).toStrictEqual({ people, contacts: whole.contacts.filter((c) => ids.has(c.target)), total: whole.people.length });
      }),
      { numRuns: 300 },
    );
  });
});

describe('CONTACT rows of a run', () => {
  const e = (source: string, target: string, at: number, station = 'S'): Edge => ({ source, target, stationId: station, at, overlapMs: 60_000, generation: 1, passages: [`${source}${at}`, `${target}${at}`] });

  it('writes one row per (source, target) pair: its earliest contact, with how many contact edges it stands for', () => {
    expect(contactRows([e('a', 'b', 5, 'S2'), e('a', 'b', 3, 'S1'), e('a', 'c', 4), e('b', 'a', 9), e('a', 'b', 7)])).toEqual([
      ['a', 'b', 3, 'S1', 60, 1, 3],
      ['a', 'c', 4, 'S', 60, 1, 1],
      ['b', 'a', 9, 'S', 60, 1, 1],
    ]);
  });
});
