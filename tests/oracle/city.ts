import fc from 'fast-check';
import { writePassages } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { riskScore } from '../../engine/trace/scoring';
import { parseInstant } from '../../engine/time';
import type { OutbreakCluster, OutbreakLink, OutbreakResult, TraceResult } from '../../engine/types';
import { passage, station } from '../helpers/builders';
import type { OracleOutbreakResult } from './outbreak';
import type { OraclePassage, OracleResult } from './trace';

/**
 * Random small cities for the differential tests: a few stations, bursts of passages whose gaps
 * sit exactly on the tolerance and just past it (τ, τ + 1 s, τ − 1 ms), dwell intervals spanning
 * several windows, bursts around local midnight, and instants written with an offset, in UTC, or
 * without an offset (read in Asia/Ho_Chi_Minh, UTC+7 since 1975).
 */

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;
const HCM_OFFSET = 7 * H;
/** 2021-08-02T00:00 in Ho Chi Minh City. */
export const CITY_BASE = Date.UTC(2021, 7, 1, 17);

export interface CityPassage {
  readonly person: number;
  readonly station: number;
  readonly at: number;
  readonly leftAt: number;
  /** How `at` and `leftAt` are written in the source ("+07:00", "Z" or no offset). */
  readonly writtenAs: 'offset' | 'utc' | 'local';
}

export interface City {
  readonly stations: number;
  /** People 0…people−1 take part in bursts; person `people` (the loner) has one passage weeks away. */
  readonly people: number;
  readonly passages: CityPassage[];
}

const gap = (tolMs: number) =>
  fc.oneof(
    fc.constantFrom(0, tolMs, tolMs + S, tolMs - 1, tolMs + 1, 2 * tolMs + S),
    fc.integer({ min: 0, max: tolMs }),
    fc.integer({ min: -30 * MIN, max: 2 * tolMs + MIN }),
  );
// Points (checkpoint scans) most often; stays around the 15-minute close bar too.
const dwell = fc.constantFrom(0, 0, 0, 0, 59 * S, 10 * MIN, 15 * MIN - S, 15 * MIN, 15 * MIN + S, 45 * MIN, 3 * H);
const anchor = fc.record({
  day: fc.integer({ min: 0, max: 1 }),
  // Local midnight (and just before it), morning, noon, late evening.
  at: fc.constantFrom(-10 * MIN, -1, 0, 7 * H, 12 * H, 23 * H + 50 * MIN),
  jitter: fc.integer({ min: 0, max: 20 * MIN }),
});

/** A random city whose gaps are drawn around the tolerance `tolMs`. */
export function cityArb(tolMs: number): fc.Arbitrary<City> {
  return fc
    .record({ stations: fc.integer({ min: 1, max: 3 }), people: fc.integer({ min: 4, max: 10 }) })
    .chain(({ stations, people }) =>
      fc
        .array(
          fc.record({
            station: fc.integer({ min: 0, max: stations - 1 }),
            anchor,
            members: fc.array(
              fc.record({
                person: fc.integer({ min: 0, max: people - 1 }),
                gap: gap(tolMs),
                afterArrival: fc.boolean(),
                dwell,
                writtenAs: fc.constantFrom<CityPassage['writtenAs']>('offset', 'utc', 'local'),
              }),
              { minLength: 1, maxLength: 3 },
            ),
          }),
          { minLength: 3, maxLength: 14 },
        )
        .map((bursts) => {
          const passages: CityPassage[] = [];
          for (const b of bursts) {
            const start = CITY_BASE + b.anchor.day * DAY + b.anchor.at + b.anchor.jitter;
            let prev: { at: number; leftAt: number } | undefined;
            for (const m of b.members) {
              // Each passage starts `gap` after the previous one left (gaps of τ, τ + 1 s, τ − 1 ms
              // are contacts or not by a hair), or after it arrived (inside a dwell).
              const at = prev === undefined ? start : (m.afterArrival ? prev.at : prev.leftAt) + m.gap;
              const leftAt = at + m.dwell;
              passages.push({ person: m.person, station: b.station, at, leftAt, writtenAs: m.writtenAs });
              prev = { at, leftAt };
            }
          }
          passages.push({ person: people, station: 0, at: CITY_BASE - 20 * DAY, leftAt: CITY_BASE - 20 * DAY, writtenAs: 'local' });
          return { stations, people, passages };
        }),
    );
}

/** The people of the close-contact edge kit (see `cityWithEdgesArb`), by role. */
export const EDGE_ROLES = ['long', 'exact', 'hair', 'end', 'scanA', 'scanB'] as const;
export type EdgeRole = (typeof EDGE_ROLES)[number];

export interface EdgeCity extends City {
  /** Kit person of each role (people `people − 6` … `people − 1`; the loner stays `people`). */
  readonly edges: Record<EdgeRole, number>;
}

/**
 * A random city (`cityArb`) plus the close-contact edges, at a random station and time, among its
 * bursts: a three-hour stay ("long") that meets a 15:00 stay inside it ("exact": close, a short
 * stay measured against a long one), a stay 14:59 beside it ("hair": brief), a 10-minute overlap
 * at its end ("end": brief), and, at another station when there is one, two checkpoint scans
 * `scanGap` apart, the first by the long stayer ("scanA", then "scanB"; never close).
 */
export function cityWithEdgesArb(tolMs: number): fc.Arbitrary<EdgeCity> {
  return cityArb(tolMs).chain((city) =>
    fc
      .record({
        station: fc.integer({ min: 0, max: city.stations - 1 }),
        scanStation: fc.integer({ min: 0, max: city.stations - 1 }),
        anchor,
        scanGap: fc.constantFrom(0, S, tolMs, tolMs + 1),
        // The scan pair before the stays or after them (the time order decides who reaches whom).
        scanAfter: fc.constantFrom(-2 * H, 4 * H),
      })
      .map(({ station, scanStation, anchor: a, scanGap, scanAfter }) => {
        const first = city.people;
        const edges = Object.fromEntries(EDGE_ROLES.map((r, i) => [r, first + i])) as Record<EdgeRole, number>;
        const t = CITY_BASE + a.day * DAY + a.at + a.jitter;
        const at = (person: number, st: number, from: number, to = from): CityPassage => ({ person, station: st, at: from, leftAt: to, writtenAs: 'utc' });
        const kit = [
          at(edges.long, station, t, t + 3 * H),
          at(edges.exact, station, t + 30 * MIN, t + 45 * MIN),
          at(edges.hair, station, t + 60 * MIN, t + 75 * MIN - S),
          at(edges.end, station, t + 2 * H + 50 * MIN, t + 3 * H + 20 * MIN),
          at(edges.long, scanStation, t + scanAfter),
          at(edges.scanA, scanStation, t + scanAfter),
          at(edges.scanB, scanStation, t + scanAfter + scanGap),
        ];
        const people = first + EDGE_ROLES.length;
        // The loner (the last passage of cityArb) is renumbered to stay person `people`.
        const passages = [...city.passages.slice(0, -1), ...kit, { ...city.passages[city.passages.length - 1]!, person: people }];
        return { stations: city.stations, people, passages, edges };
      }),
  );
}

/**
 * Close-contact bars (whole seconds) that fall on the city's own overlaps: for two people's
 * passages at one station together for o ms, ⌊o/1000⌋, ⌈o/1000⌉ and one more second (a pair
 * together exactly closeSeconds is close, a millisecond less is brief), or 15 and 10 minutes.
 */
export function closeSecondsArb(city: City, of?: number): fc.Arbitrary<number> {
  const marks = new Set<number>([900, 600]);
  for (const a of city.passages) {
    // With `of`, only that person's own overlaps: where an F0's F1 list changes.
    if (of !== undefined && a.person !== of) continue;
    for (const b of city.passages) {
      if (a.station !== b.station || a.person === b.person) continue;
      const o = Math.min(a.leftAt, b.leftAt) - Math.max(a.at, b.at);
      if (o <= 0) continue;
      for (const s of [Math.floor(o / 1000), Math.ceil(o / 1000), Math.ceil(o / 1000) + 1]) if (s >= 1) marks.add(s);
    }
  }
  return fc.constantFrom(...[...marks].sort((x, y) => x - y));
}

/** The instant as the source would write it. */
export function written(ms: number, as: CityPassage['writtenAs']): string {
  if (as === 'utc') return new Date(ms).toISOString();
  const local = new Date(ms + HCM_OFFSET).toISOString().slice(0, -1);
  return as === 'offset' ? `${local}+07:00` : local;
}

function read(text: string): number {
  const r = parseInstant(text);
  if (!r.ok) throw new Error(r.reason);
  return r.ms;
}

/** Names of one stored city: every id starts with the run prefix, so cleanup finds it. */
export class CityNames {
  constructor(readonly prefix: string) {}
  station(n: number): string {
    return `${this.prefix}-S${n}`;
  }
  raw(n: number): string {
    return `${this.prefix}-P${n}`;
  }
  pid(n: number): string {
    return pseudonym(this.raw(n));
  }
  passage(i: number): string {
    return `${this.prefix}-x${i}`;
  }
}

/**
 * Writes the city to Neo4j the way an import would (instants parsed from their written form)
 * and returns the same passages for the oracle, with instants as generated (pure arithmetic).
 */
export async function storeCity(city: City, names: CityNames): Promise<OraclePassage[]> {
  await upsertStations(Array.from({ length: city.stations }, (_, s) => station(names.station(s))));
  await writePassages(
    city.passages.map((p, i) => passage(names.raw(p.person), names.station(p.station), read(written(p.at, p.writtenAs)), read(written(p.leftAt, p.writtenAs)), { id: names.passage(i) })),
  );
  return city.passages.map((p, i) => ({ id: names.passage(i), person: names.pid(p.person), station: names.station(p.station), at: p.at, leftAt: p.leftAt }));
}

/** A result reduced to what both sides must agree on, in a canonical order. */
export interface Comparable {
  people: { id: string; generation: number; exposureAt: string; via: string[]; score: number; class: 'close' | 'brief' }[];
  contacts: { source: string; target: string; stationId: string; at: string; overlapSeconds: number; generation: number; passages: [string, string]; class: 'close' | 'brief' }[];
}

const classOf = (close: boolean): 'close' | 'brief' => (close ? 'close' : 'brief');

const key = (c: Comparable['contacts'][number]): string => `${c.generation}|${c.passages[0]}|${c.passages[1]}|${c.source}|${c.target}`;

export function fromEngine(r: TraceResult): Comparable {
  return {
    people: [...r.people].map((p) => ({ id: p.id, generation: p.generation, exposureAt: p.exposureAt, via: p.via, score: p.score, class: p.class })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    contacts: [...r.contacts].sort((a, b) => (key(a) < key(b) ? -1 : 1)),
  };
}

export function fromOracle(r: OracleResult): Comparable {
  return {
    people: r.people
      .map((p) => ({
        id: p.id,
        generation: p.generation,
        exposureAt: new Date(p.exposureAt).toISOString(),
        via: p.via,
        score: riskScore({ generation: p.generation, contacts: p.contacts, overlapSeconds: p.overlapMs / 1000 }),
        class: classOf(p.close),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    contacts: r.contacts
      .map((c) => ({
        source: c.source,
        target: c.target,
        stationId: c.stationId,
        at: new Date(c.at).toISOString(),
        overlapSeconds: c.overlapMs / 1000,
        generation: c.generation,
        passages: c.passages,
        class: classOf(c.close),
      }))
      .sort((a, b) => (key(a) < key(b) ? -1 : 1)),
  };
}

/** An outbreak result reduced to what engine and oracle must agree on, in a canonical order. */
export interface ComparableOutbreak extends Comparable {
  cases: Record<string, { case: string; at: string }[]>;
  links: OutbreakLink[];
  clusters: OutbreakCluster[];
}

const byCaseTime = (x: { case: string; at: string }, y: { case: string; at: string }): number => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.case < y.case ? -1 : 1);
const byLink = (x: OutbreakLink, y: OutbreakLink): number => (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : 1);

export function outbreakFromEngine(r: OutbreakResult): ComparableOutbreak {
  const { people, contacts } = fromEngine({ ...r, f0: '' });
  return {
    people,
    contacts,
    cases: Object.fromEntries(r.people.map((p) => [p.id, p.cases])),
    links: [...r.links].sort(byLink),
    clusters: r.clusters,
  };
}

export function outbreakFromOracle(r: OracleOutbreakResult): ComparableOutbreak {
  const { people, contacts } = fromOracle(r);
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    people,
    contacts,
    cases: Object.fromEntries(r.people.map((p) => [p.id, p.cases.map(([c, at]) => ({ case: c, at: iso(at) })).sort(byCaseTime)])),
    links: r.links
      .map((l) => ({
        from: l.from,
        to: l.to,
        generation: l.generation,
        at: iso(l.at),
        stationId: l.stationId,
        overlapSeconds: l.overlapMs / 1000,
        passages: l.passages,
        ...(l.via === undefined ? {} : { via: l.via }),
        class: classOf(l.close),
      }))
      .sort(byLink),
    clusters: r.clusters,
  };
}
