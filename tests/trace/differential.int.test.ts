import fc from 'fast-check';
import { closeDriver } from '../../engine/db/driver';
import { trace } from '../../engine/trace';
import type { TraceMode } from '../../engine/types';
import { newRunId, removeRun } from '../helpers/cleanup';
import { CITY_BASE, cityArb, CityNames, cityWithEdgesArb, closeSecondsArb, fromEngine, fromOracle, storeCity, type City } from '../oracle/city';
import { referenceTrace } from '../oracle/trace';

/**
 * Differential tests: on random small cities, the Neo4j trace equals the in-memory oracle
 * (tests/oracle/trace.ts) exactly — people with generation, exposure time, via and score, and the
 * whole set of contacts with their evidence and class — for depths 1–4, both modes, tolerances of
 * 0, 5, 15 and 60 minutes (60 is wider than the 15-minute windows), every contact or close
 * contacts only, with close bars on the city's own overlaps (exactly, a second less, a second more),
 * and at the default 15-minute bar on cities that hold its edges: exactly 15:00 together (close),
 * 14:59 (brief), a pair of checkpoint scans (never close), a short stay inside a long one.
 * Runs are seeded (FC_SEED to explore others, FC_RUNS for more of them).
 */

/** Dozens of stored cities per property: the shared test machine needs more than jest's 60 s default. */
const PROPERTY_TIMEOUT = 240_000;

const run = newRunId('df');
const rawKeys: string[] = [];
let cityNo = 0;
const M = 60_000;
const D = 24 * 60 * M;

afterAll(async () => {
  await removeRun(run, { people: rawKeys });
  await closeDriver();
});

interface TraceCase {
  readonly f0: number;
  readonly from: number;
  readonly to: number;
  readonly until: number | undefined;
  readonly depth: number;
  readonly mode: TraceMode;
  readonly closeOnly: boolean;
  readonly closeSeconds: number;
}

/** Bounds that fall on passage instants (±1 ms), anywhere, or around the whole city. */
function instantArb(city: City, wide: number): fc.Arbitrary<number> {
  const marks = city.passages.flatMap((p) => [p.at, p.leftAt]);
  return fc.oneof(
    { arbitrary: fc.tuple(fc.constantFrom(...marks), fc.constantFrom(-1, 0, 0, 1)).map(([t, d]) => t + d), weight: 2 },
    { arbitrary: fc.integer({ min: CITY_BASE - D, max: CITY_BASE + 3 * D }), weight: 1 },
    { arbitrary: fc.constant(wide), weight: 2 },
  );
}

function caseArb(city: City): fc.Arbitrary<TraceCase> {
  return fc
    .record({
      a: instantArb(city, CITY_BASE - D),
      b: instantArb(city, CITY_BASE + 3 * D),
      until: fc.option(instantArb(city, CITY_BASE + 4 * D), { nil: undefined }),
      // Anyone with a passage; person `people` is the loner, with no passage in range.
      f0: fc.constantFrom(...new Set(city.passages.map((p) => p.person))),
      depth: fc.integer({ min: 1, max: 4 }),
      mode: fc.constantFrom<TraceMode>('time-respecting', 'naive'),
      closeOnly: fc.boolean(),
      closeSeconds: closeSecondsArb(city),
    })
    .map(({ a, b, until, ...rest }) => {
      const from = Math.min(a, b);
      return { ...rest, from, to: Math.max(a, b), until: until === undefined ? undefined : Math.max(until, from) };
    });
}

const scenario = fc
  .constantFrom(0, 300, 900, 900, 3600)
  .chain((tol) => cityArb(tol * 1000).chain((city) => fc.record({ tol: fc.constant(tol), city: fc.constant(city), cases: fc.array(caseArb(city), { minLength: 3, maxLength: 3 }) })));

/** Close-only traces of someone who stays somewhere, at close bars on their own overlaps (exactly, a second less, more). */
const closeScenario = fc
  .constantFrom(0, 300, 900, 3600)
  .chain((tol) => cityArb(tol * 1000).filter((city) => city.passages.some((p) => p.leftAt > p.at)))
  .chain((city) => {
    const stayers = [...new Set(city.passages.filter((p) => p.leftAt > p.at).map((p) => p.person))];
    return fc.record({
      city: fc.constant(city),
      cases: fc.array(
        fc.constantFrom(...stayers).chain((f0) =>
          caseArb(city).chain((c) => closeSecondsArb(city, f0).map((closeSeconds) => ({ ...c, f0, closeOnly: true, closeSeconds }))),
        ),
        { minLength: 3, maxLength: 3 },
      ),
    });
  });

/**
 * Traces of random cities with the close-contact edge kit (tests/oracle/city.ts), at the default
 * bar (900 s), every contact and close-only, from a kit person most often.
 */
const edgeScenario = fc
  .constantFrom(0, 300, 900, 3600)
  .chain((tol) => cityWithEdgesArb(tol * 1000).map((city) => ({ tol, city })))
  .chain(({ tol, city }) =>
    fc.record({
      tol: fc.constant(tol),
      city: fc.constant(city),
      cases: fc.array(
        fc
          .record({
            c: caseArb(city),
            f0: fc.oneof({ arbitrary: fc.constant(city.edges.long), weight: 3 }, { arbitrary: fc.constantFrom(...Object.values(city.edges)), weight: 1 }, { arbitrary: fc.constantFrom(...city.passages.map((p) => p.person)), weight: 1 }),
            wide: fc.boolean(),
          })
          // Half of the periods cover the whole city, so the kit's contacts are in them.
          .map(({ c, f0, wide }) => ({ ...c, f0, closeSeconds: 900, ...(wide ? { from: CITY_BASE - D, to: CITY_BASE + 3 * D, until: undefined } : {}) })),
        { minLength: 4, maxLength: 4 },
      ),
    }),
  );

describe('trace against the oracle', () => {
  it('on random small cities, Neo4j gives exactly the reference people and contacts', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ tol, city, cases }) => {
        const names = new CityNames(`${run}-${cityNo++}`);
        for (let n = 0; n <= city.people; n++) rawKeys.push(names.raw(n));
        const passages = await storeCity(city, names);
        for (const c of cases) {
          const params = {
            f0: names.pid(c.f0),
            from: c.from,
            to: c.to,
            depth: c.depth,
            toleranceSeconds: tol,
            mode: c.mode,
            closeOnly: c.closeOnly,
            closeSeconds: c.closeSeconds,
            ...(c.until === undefined ? {} : { until: c.until }),
          };
          const got = fromEngine(await trace(params));
          const want = fromOracle(referenceTrace(passages, params));
          expect(got).toEqual(want);
        }
      }),
      { numRuns: Number(process.env['FC_RUNS'] ?? 40), seed: Number(process.env['FC_SEED'] ?? 20210802), endOnFailure: true },
    );
  }, PROPERTY_TIMEOUT);

  it('close-only, at close bars on F0’s own overlaps: Neo4j gives exactly the reference people and contacts', async () => {
    await fc.assert(
      fc.asyncProperty(closeScenario, async ({ city, cases }) => {
        const names = new CityNames(`${run}-${cityNo++}`);
        for (let n = 0; n <= city.people; n++) rawKeys.push(names.raw(n));
        const passages = await storeCity(city, names);
        for (const c of cases) {
          const params = {
            f0: names.pid(c.f0),
            from: c.from,
            to: c.to,
            depth: c.depth,
            mode: c.mode,
            closeOnly: true,
            closeSeconds: c.closeSeconds,
            ...(c.until === undefined ? {} : { until: c.until }),
          };
          expect(fromEngine(await trace(params))).toEqual(fromOracle(referenceTrace(passages, params)));
        }
      }),
      { numRuns: Number(process.env['FC_RUNS'] ?? 40), seed: Number(process.env['FC_SEED'] ?? 20210825), endOnFailure: true },
    );
  }, PROPERTY_TIMEOUT);

  it('at the close edges (15:00 close, 14:59 brief, checkpoint scans never, a short stay in a long one), full and close-only, Neo4j gives exactly the reference', async () => {
    // Which edges the engine's answers actually went through: the property must not pass by missing them.
    const seen = { exact: 0, hair: 0, scans: 0, exactOnly: 0, hairOnly: 0, scansOnly: 0 };
    await fc.assert(
      fc.asyncProperty(edgeScenario, async ({ tol, city, cases }) => {
        const names = new CityNames(`${run}-${cityNo++}`);
        for (let n = 0; n <= city.people; n++) rawKeys.push(names.raw(n));
        const passages = await storeCity(city, names);
        const pair = (x: number, y: number) => [names.pid(x), names.pid(y)].sort().join('|');
        const { long, exact, hair, scanA } = city.edges;
        for (const c of cases) {
          for (const closeOnly of [false, true]) {
            const params = {
              f0: names.pid(c.f0),
              from: c.from,
              to: c.to,
              depth: c.depth,
              toleranceSeconds: tol,
              mode: c.mode,
              closeOnly,
              closeSeconds: 900,
              ...(c.until === undefined ? {} : { until: c.until }),
            };
            const got = await trace(params);
            expect(fromEngine(got)).toEqual(fromOracle(referenceTrace(passages, params)));
            for (const k of got.contacts) {
              const p = [k.source, k.target].sort().join('|');
              if (p === pair(long, exact) && k.overlapSeconds === 900 && k.class === 'close') seen[closeOnly ? 'exactOnly' : 'exact']++;
              if (p === pair(long, hair) && k.overlapSeconds === 899) seen[closeOnly ? 'hairOnly' : 'hair']++;
              if (p === pair(long, scanA) && k.overlapSeconds === 0 && k.class === 'brief') seen[closeOnly ? 'scansOnly' : 'scans']++;
            }
          }
        }
      }),
      { numRuns: Number(process.env['FC_RUNS'] ?? 30), seed: Number(process.env['FC_SEED'] ?? 20210826), endOnFailure: true },
    );
    // Every edge was traced, and close-only kept the 15:00 and dropped the 14:59 and the scans.
    expect({ hairOnly: seen.hairOnly, scansOnly: seen.scansOnly }).toEqual({ hairOnly: 0, scansOnly: 0 });
    expect(Math.min(seen.exact, seen.hair, seen.scans, seen.exactOnly)).toBeGreaterThan(0);
  }, PROPERTY_TIMEOUT);
});
