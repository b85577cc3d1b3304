import fc from 'fast-check';
import type { TraceResult } from '../types';
import { peopleSlice } from './pages';
import { contactTrust, resultOf, type Edge, type Reached, type ShapedTrace } from '../trace/assemble';
import { decodeTracePeople, decodeTraceResult, encodeShapedTrace, encodeTrace, encodeTraceResult, isEncodedTrace, openedTracePeople, openTrace } from './codec';

/** Plain objects, as JSON.parse and the engine make them (fc.record's default has no prototype). */
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(model, { noNullPrototype: true });

const id = fc.string({ minLength: 0, maxLength: 14, unit: 'grapheme' });

/** A contact's class as the engine gives it: close from closeSeconds of overlap on. */
const classed = (overlapSeconds: number, closeSeconds: number): 'close' | 'brief' => (overlapSeconds >= closeSeconds ? 'close' : 'brief');

/**
 * Any TraceResult shape: ids shared between fields or not, any doubles, extra head fields, any
 * person class (stored as given); a contact's class follows its overlap, as in every result.
 */
const result: fc.Arbitrary<TraceResult> = record({
  f0: id,
  params: record({
    from: fc.constant('2021-08-01T00:00:00.000Z'),
    to: fc.constant('2021-08-15T00:00:00.000Z'),
    until: fc.constant('2021-08-15T00:00:00.000Z'),
    depth: fc.integer({ min: 1, max: 6 }),
    toleranceSeconds: fc.integer({ min: 0, max: 86_400 }),
    mode: fc.constantFrom('time-respecting' as const, 'naive' as const),
    closeSeconds: fc.integer({ min: 1, max: 86_400 }),
    closeOnly: fc.boolean(),
  }),
  people: fc.array(
    record({
      id,
      generation: fc.integer({ min: 1, max: 6 }),
      exposureAt: id,
      via: fc.array(id, { maxLength: 5 }),
      score: fc.double({ noNaN: true }),
      class: fc.constantFrom('close' as const, 'brief' as const),
    }),
    { maxLength: 30 },
  ),
  contacts: fc.array(
    record({
      source: id,
      target: id,
      stationId: id,
      at: id,
      overlapSeconds: fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(899.999, 900, 900.001, 1, 86_400)),
      generation: fc.integer({ min: 1, max: 6 }),
      passages: fc.tuple(id, id),
      class: fc.constant('brief' as const),
    }),
    { maxLength: 60 },
  ),
  stats: record({ people: fc.nat(), contacts: fc.nat(), closePeople: fc.nat(), milliseconds: fc.nat() }),
}).map((r) => ({ ...r, contacts: r.contacts.map((c) => ({ ...c, class: classed(c.overlapSeconds, r.params.closeSeconds) })) }));

/** The result with its contacts marked as resultOf marks them: by which of their passages are national. */
function withTrust(r: TraceResult, national: ReadonlySet<string>): TraceResult {
  return { ...r, contacts: r.contacts.map(({ trust: _t, ...c }) => ({ ...c, ...(contactTrust(national, c.passages) ? { trust: contactTrust(national, c.passages)! } : {}) })) };
}
const trusted: fc.Arbitrary<TraceResult> = result.chain((r) => fc.subarray(r.contacts.flatMap((c) => c.passages)).map((n) => withTrust(r, new Set(n))));

/**
 * The bytes of version 2 ("TVR2", before close contacts) of an encoded result: no class column,
 * no closeSeconds, closeOnly or closePeople in the header. Built from the current layout.
 */
function asVersion2(bytes: Buffer): Buffer {
  const jsonLength = bytes.readUInt32LE(4);
  const h = JSON.parse(bytes.toString('utf8', 8, 8 + jsonLength)) as { head: { params: Record<string, unknown>; stats: Record<string, unknown> }; people: number; contacts: number };
  delete h.head.params['closeSeconds'];
  delete h.head.params['closeOnly'];
  delete h.head.stats['closePeople'];
  const start = (8 + jsonLength + 7) & ~7;
  const floats = bytes.subarray(start, start + 8 * (h.people + h.contacts));
  const ints = bytes.subarray(start + floats.length);
  // The class column is the fifth of the people's Int32 columns.
  const n = h.people;
  const oldInts = Buffer.concat([ints.subarray(0, 4 * n * 4), ints.subarray(5 * n * 4)]);
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  const oldStart = (8 + json.length + 7) & ~7;
  const out = Buffer.alloc(oldStart + floats.length + oldInts.length);
  out.writeUInt32LE(0x32525654, 0);
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  floats.copy(out, oldStart);
  oldInts.copy(out, oldStart + floats.length);
  return out;
}

describe('trace result codec', () => {
  it('gives back exactly the result it was given', () => {
    fc.assert(
      fc.property(result, (r) => {
        expect(decodeTraceResult(encodeTraceResult(r))).toStrictEqual(r);
      }),
      { numRuns: 300 },
    );
  });

  it('gives back the trust of contacts resting on national-QR passages, and only on them', () => {
    fc.assert(
      fc.property(trusted, (r) => {
        expect(decodeTraceResult(encodeTraceResult(r))).toStrictEqual(r);
      }),
      { numRuns: 300 },
    );
    const r = withTrust(fc.sample(result.filter((x) => x.contacts.length > 1), { numRuns: 1, seed: 3 })[0]!, new Set());
    const one = { ...r, contacts: [{ ...r.contacts[0]!, passages: ['A', 'N'] as [string, string], trust: ['standard', 'national'] as ['standard', 'national'] }, { ...r.contacts[1]!, passages: ['A', 'B'] as [string, string] }] };
    expect(decodeTraceResult(encodeTraceResult(one)).contacts.map((c) => c.trust)).toEqual([['standard', 'national'], undefined]);
  });

  it('reads a slice of people and their contacts as peopleSlice() takes it from the whole result', () => {
    // People ids drawn from a small set, so contacts point at them and some ids repeat.
    const small = fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6');
    const sliced = result.chain((r) =>
      fc.record({
        r: fc.constant(r),
        ids: fc.array(small, { minLength: r.people.length, maxLength: r.people.length }),
        targets: fc.array(small, { minLength: r.contacts.length, maxLength: r.contacts.length }),
        from: fc.integer({ min: -2, max: r.people.length + 2 }),
        length: fc.integer({ min: 0, max: r.people.length + 3 }),
      }),
    );
    fc.assert(
      fc.property(sliced, ({ r, ids, targets, from, length }) => {
        const x: TraceResult = { ...r, people: r.people.map((p, i) => ({ ...p, id: ids[i]! })), contacts: r.contacts.map((c, i) => ({ ...c, target: targets[i]! })) };
        const lo = Math.max(0, from);
        const expected = peopleSlice(x, lo, Math.max(lo, from + length));
        expect(decodeTracePeople(encodeTraceResult(x), from, from + length)).toStrictEqual(expected);
        // The same from the result opened as it is encoded, and opened from its bytes.
        const { bytes, opened } = encodeTrace(x);
        expect(openedTracePeople(opened, from, from + length)).toStrictEqual(expected);
        expect(openedTracePeople(openTrace(bytes), from, from + length)).toStrictEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('encodes a shaped trace to the very bytes of its result, opened the same, sensitivity rows included', () => {
    // Instants from a small set (shared by people and contacts), sometimes past 9999 (ISO with a sign).
    const instant = fc.oneof(fc.constantFrom(0, 1, 1_627_775_000_000, 1_627_776_000_999), fc.integer({ min: -1e13, max: 3e14 }));
    const small = fc.constantFrom('p1', 'p2', 'p3', 'S1', '2021-08-01T00:00:00.000Z');
    const name = fc.oneof(small, id);
    const reached: fc.Arbitrary<Reached> = record({
      id: name,
      generation: fc.integer({ min: 1, max: 6 }),
      exposureAt: instant,
      via: fc.array(name, { maxLength: 4 }),
      contacts: fc.integer({ min: 0, max: 40 }),
      overlapMs: fc.integer({ min: -5, max: 10_000_000 }),
      longestOverlapMs: fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom(899_999, 900_000)),
      nationalContacts: fc.integer({ min: 0, max: 40 }),
      nationalOverlapMs: fc.integer({ min: 0, max: 10_000_000 }),
    });
    const edge: fc.Arbitrary<Edge> = record({
      source: name,
      target: name,
      stationId: name,
      at: instant,
      overlapMs: fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom(899_999, 900_000, 900_001)),
      generation: fc.integer({ min: 1, max: 6 }),
      passages: fc.tuple(name, name),
    });
    const shaped = fc.record({
      r: result,
      people: fc.array(reached, { maxLength: 25 }),
      contacts: fc.array(edge, { maxLength: 50 }),
      sensitivity: fc.option(fc.constant([{ toleranceSeconds: 300, counts: { '1': 2 } }]), { nil: undefined }),
      from: fc.integer({ min: 0, max: 26 }),
      // National passages: names that contacts, people or stations may use too.
      national: fc.array(name, { maxLength: 4 }).map((n) => new Set(n)),
    });
    fc.assert(
      fc.property(shaped, ({ r, people, contacts, sensitivity, from, national }) => {
        const { people: _p, contacts: _c, ...head } = r;
        const withRows: ShapedTrace<{ sensitivity?: unknown }> = { head: sensitivity ? { ...head, sensitivity } : head, people, contacts, ...(national.size > 0 ? { national } : {}) };
        const s: ShapedTrace = withRows;
        const direct = encodeShapedTrace(s);
        const viaObjects = encodeTrace(resultOf(s));
        expect(direct.bytes.equals(viaObjects.bytes)).toBe(true);
        expect(decodeTraceResult(direct.bytes)).toStrictEqual(resultOf(s));
        expect(openedTracePeople(direct.opened, from, from + 5)).toStrictEqual(openedTracePeople(viaObjects.opened, from, from + 5));
      }),
      { numRuns: 300 },
    );
  });

  it("opens a result as it is encoded without holding the caller's objects", () => {
    const r = { ...fc.sample(result, { numRuns: 1, seed: 9 })[0]!, sensitivity: [{ toleranceSeconds: 300, f1: 2, f2: 9 }] };
    const { opened } = encodeTrace(r);
    const depth = r.params.depth;
    r.sensitivity[0]!.f1 = 99;
    (r.params as { depth: number }).depth = 42;
    const whole = openedTracePeople(opened, 0, r.people.length).result;
    expect((whole as typeof r).sensitivity).toEqual([{ toleranceSeconds: 300, f1: 2, f2: 9 }]);
    expect(whole.params.depth).toBe(depth);
  });

  it('keeps fields beside people and contacts (the sensitivity panel)', () => {
    const r = { ...fc.sample(result, { numRuns: 1, seed: 7 })[0]!, sensitivity: [{ toleranceSeconds: 300, f1: 2, f2: 9 }] };
    expect(decodeTraceResult(encodeTraceResult(r))).toStrictEqual(r);
  });

  it('keeps -0, infinities and fractional overlaps bit for bit', () => {
    const base = fc.sample(result, { numRuns: 1, seed: 3 })[0]!;
    const contacts = [-0, Infinity, -Infinity, 0.1 + 0.2, 5e-324].map((overlapSeconds, i) => ({
      source: 'a',
      target: `b${i}`,
      stationId: 'ST1',
      at: '2021-08-01T00:00:00.000Z',
      overlapSeconds,
      generation: 1,
      passages: ['x', 'y'] as [string, string],
      class: classed(overlapSeconds, base.params.closeSeconds),
    }));
    const back = decodeTraceResult(encodeTraceResult({ ...base, contacts }));
    expect(back.contacts.map((c) => c.overlapSeconds)).toStrictEqual([-0, Infinity, -Infinity, 0.1 + 0.2, 5e-324]);
    expect(Object.is(back.contacts[0]!.overlapSeconds, -0)).toBe(true);
  });

  it('reads from a buffer at any offset', () => {
    const r = fc.sample(result, { numRuns: 1, seed: 11 })[0]!;
    const enc = encodeTraceResult(r);
    const shifted = Buffer.alloc(enc.length + 3);
    enc.copy(shifted, 3);
    expect(decodeTraceResult(shifted.subarray(3))).toStrictEqual(r);
  });

  it('refuses bytes that are not an encoded result, and a cut one', () => {
    expect(isEncodedTrace(Buffer.from('{"f0":"x"}'))).toBe(false);
    expect(() => decodeTraceResult(Buffer.from('{"f0":"x"}'))).toThrow('not an encoded trace result');
    const enc = encodeTraceResult(fc.sample(result, { numRuns: 1, seed: 5 })[0]!);
    expect(() => decodeTraceResult(enc.subarray(0, enc.length - 4))).toThrow('truncated');
  });

  it('reads a result stored before close contacts (version 2): 900 s, every contact, people close by their contacts', () => {
    const r: TraceResult = {
      f0: 'F0',
      params: { from: 'a', to: 'b', until: 'b', depth: 2, toleranceSeconds: 900, mode: 'time-respecting', closeSeconds: 900, closeOnly: false },
      people: [
        { id: 'A', generation: 1, exposureAt: 't1', via: ['F0'], score: 0.7, class: 'close' },
        { id: 'B', generation: 1, exposureAt: 't2', via: ['F0'], score: 0.4, class: 'brief' },
        { id: 'C', generation: 2, exposureAt: 't3', via: ['A'], score: 0.3, class: 'close' },
      ],
      contacts: [
        { source: 'F0', target: 'A', stationId: 'S', at: 't1', overlapSeconds: 0, generation: 1, passages: ['p1', 'p2'], class: 'brief' },
        { source: 'F0', target: 'A', stationId: 'S', at: 't1', overlapSeconds: 900, generation: 1, passages: ['p1', 'p3'], class: 'close' },
        { source: 'F0', target: 'B', stationId: 'S', at: 't2', overlapSeconds: 899.999, generation: 1, passages: ['p1', 'p4'], class: 'brief' },
        { source: 'A', target: 'C', stationId: 'S', at: 't3', overlapSeconds: 3600, generation: 2, passages: ['p5', 'p6'], class: 'close' },
      ],
      stats: { people: 3, contacts: 4, closePeople: 2, milliseconds: 5 },
    };
    const old = asVersion2(encodeTraceResult(r));
    expect(isEncodedTrace(old)).toBe(true);
    const back = decodeTraceResult(old);
    expect(back).toStrictEqual({ ...r, stats: { people: 3, contacts: 4, milliseconds: 5, closePeople: 2 } });
    expect(decodeTracePeople(old, 2, 3).result.people).toEqual([r.people[2]]);
  });

  it('stores a person’s class as given, not from the contacts the result holds (a capped result may hold fewer)', () => {
    const r = fc.sample(result, { numRuns: 1, seed: 13 })[0]!;
    const x: TraceResult = { ...r, people: [{ id: 'lone', generation: 2, exposureAt: 't', via: ['gone'], score: 0.3, class: 'close' }], contacts: [] };
    expect(decodeTraceResult(encodeTraceResult(x)).people[0]!.class).toBe('close');
  });

  it('writes each distinct string once', () => {
    const long = 'p'.repeat(1000);
    const base = fc.sample(result, { numRuns: 1, seed: 1 })[0]!;
    const contacts = Array.from({ length: 200 }, () => ({ source: long, target: long, stationId: long, at: long, overlapSeconds: 1, generation: 1, passages: [long, long] as [string, string], class: classed(1, base.params.closeSeconds) }));
    expect(encodeTraceResult({ ...base, contacts }).length).toBeLessThan(encodeTraceResult(base).length + 1000 + 200 * 7 * 4 + 200 * 8 + 64);
  });
});
