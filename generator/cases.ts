import { isoUtc } from '../engine/time';
import { DAY, HOUR, MINUTE, type Calendar } from './calendar';
import { GUARANTEE_TOLERANCE_S, nearVisit, type OutbreakPlan, type PersonPlan, type PlantedLink, type PlantedVisit, type RoutineRule } from './outbreaks';
import { formatInstant, PLANTED_ID_BASE, passageId, sourceFor } from './passages';
import { personCore, type PopulationShape } from './people';
import { Rng, STREAM } from './prng';
import type { GeneratedKind, StationIndex } from './stations';

/**
 * The confirmed cases of the synthetic city (cases.csv) and what an outbreak trace of them must
 * find (cases.json), by DESIGN.md "Outbreak semantics".
 *
 * - Every planted outbreak's F0 is an index case. Some of its planted F1s and F2s fall ill a few
 *   days after their contact and become cases: a link of generation 1 (an F1 confirmed) or 2 (an
 *   F2 confirmed, through their F1, who stays a contact). Some of those cases meet new people
 *   while infectious, who become cases in turn: chains of three or more cases across days.
 * - Sporadic cases: night-shift drivers of the "green lane" who scan a checkpoint in the small
 *   hours, when the curfew keeps everyone else at home. They meet nobody: no link, no cluster, at
 *   any depth. One of them tests positive twice (a re-positive after discharge; in a short city,
 *   the same person reported twice).
 *
 * Everyone in a chain (cases and the contacts the generation-2 links pass through) keeps apart
 * from everyone else in a chain, except at the planted contacts, for trace tolerances up to
 * GUARANTEE_TOLERANCE_S: city.ts drops their ordinary visits that come near another chain
 * person's movement, and planted meetings are placed clear of every other planted visit. So the
 * links of generation 1 are exactly the planted ones, at the planted contact times.
 */

const MARGIN_MS = GUARANTEE_TOLERANCE_S * 1000;
/** Ids of the case chains' planted passages: above the outbreak plan's, below 2^40. */
const CASE_ID_BASE = PLANTED_ID_BASE + 2 ** 38;
/** Night scans of the sporadic drivers (minutes after midnight): 115 minutes apart, done by 05:00. */
const NIGHT_SCANS = [5, 120, 235];

export type CaseRole = 'index' | 'chain' | 'sporadic';

export interface PlannedCase {
  /** `C-<seed>-0001`…, numbered in order of confirmation. */
  readonly id: string;
  readonly person: number;
  readonly role: CaseRole;
  /** The planted outbreak the case's chain grew from. */
  readonly outbreak: string | undefined;
  readonly confirmedAt: number;
  readonly onsetAt: number | undefined;
  /** The infectious period: written in cases.csv when `periodGiven`, else DESIGN's default rule gives it. */
  readonly from: number;
  readonly to: number;
  readonly periodGiven: boolean;
}

export interface CaseLink {
  readonly from: string;
  readonly to: string;
  readonly generation: 1 | 2;
  /** The planted contact that makes the link: the target meets the source (gen 1) or the via person (gen 2). */
  readonly station: number;
  readonly contactAt: number;
  /** [the source's (gen 1) or via person's (gen 2) passage, the target's passage] */
  readonly passages: readonly [string, string];
  /** Time actually together at that contact, without the tolerance (900 s or more: a close contact). */
  readonly overlapSeconds: number;
  /** Generation 2: the source's contact the chain passes through, and their exposure to the source. */
  readonly via: Via | undefined;
}

export interface Via {
  readonly person: number;
  readonly station: number;
  readonly exposureAt: number;
  readonly passages: readonly [string, string];
  readonly overlapSeconds: number;
}

export interface CaseCluster {
  readonly id: string;
  readonly index: string;
  readonly cases: readonly string[];
}

export interface CasePlan {
  readonly cases: readonly PlannedCase[];
  readonly links: readonly CaseLink[];
  readonly clusters: readonly CaseCluster[];
  /** The sporadic cases: no co-location with anyone, so no link at any depth. */
  readonly isolated: readonly string[];
}

/** The most sporadic cases a city holds: three night slots per checkpoint, a tenth of the people. */
export function maxSporadicCases(people: number, stations: StationIndex): number {
  return Math.min(NIGHT_SCANS.length * stations.count('checkpoint'), Math.floor(people / 10), 1000);
}

/** About one per 200 people (10 in the default city), at least 2, at most 50. */
export function defaultSporadicCases(people: number, stations: StationIndex): number {
  return Math.min(Math.max(2, Math.round(people / 200)), 50, maxSporadicCases(people, stations));
}

type Style = 'onset' | 'confirmed' | 'explicit';

/** DESIGN's overlap of two passages: max(0, min(leftAt) − max(at)), in seconds. */
function overlapSeconds(a: PlantedVisit, b: PlantedVisit): number {
  return Math.max(0, Math.min(a.leftAt ?? a.at, b.leftAt ?? b.at) - Math.max(a.at, b.at)) / 1000;
}

interface Draft {
  readonly person: number;
  readonly day: number;
  readonly station: number;
  readonly at: number;
  readonly leftAt: number | undefined;
}

interface Pending extends Omit<PlannedCase, 'id'> {
  readonly key: number;
}

interface PendingLink extends Omit<CaseLink, 'from' | 'to'> {
  readonly from: Pending;
  readonly to: Pending;
}

interface WorkPlan {
  rule: RoutineRule;
  days: ReadonlySet<number>;
  visits: PlantedVisit[];
  apart: boolean;
  isolated: { from: number; to: number }[];
}

export function planCases(
  shape: PopulationShape,
  cal: Calendar,
  stations: StationIndex,
  outbreaks: OutbreakPlan,
  sporadic: number,
): { plan: OutbreakPlan; cases: CasePlan } {
  const rng = Rng.of(shape.seed, STREAM.cases, shape.people, cal.days);
  const idKey = Rng.of(shape.seed, STREAM.passageIds).u32();
  const cityStart = cal.dayStart(0);
  const last = cal.days - 1;
  const people = new Map<number, WorkPlan>();
  for (const [p, plan] of outbreaks.people) people.set(p, { rule: plan.rule, days: plan.days, visits: [...plan.visits], apart: false, isolated: [] });
  const planted: PlantedVisit[] = [...people.values()].flatMap((p) => p.visits);
  const pending: Pending[] = [];
  const links: PendingLink[] = [];
  let counter = CASE_ID_BASE;

  const dayOf = (t: number): number => Math.floor((t - cityStart) / DAY);
  const clock = (day: number, minutes: number): number => cal.dayStart(day) + minutes * MINUTE + rng.int(60) * 1000;
  const midnightAtOrAfter = (t: number): number => cal.dayStart(Math.ceil((t - cityStart) / DAY));

  const choose = (minAge: number, maxAge: number): number => {
    if (people.size >= shape.people) throw new Error('no person left for a case chain');
    for (let tries = 0; ; tries++) {
      const i = rng.int(shape.people);
      if (people.has(i)) continue;
      const age = personCore(shape, i).age;
      if (tries < 400 && (age < minAge || age > maxAge)) continue;
      people.set(i, { rule: 'avoid-f0', days: new Set(), visits: [], apart: false, isolated: [] });
      return i;
    }
  };
  const planOf = (person: number): WorkPlan => people.get(person) as WorkPlan;
  const commit = (d: Draft): PlantedVisit => {
    const kind = (stations.stations[d.station] as { kind: GeneratedKind }).kind;
    const source = sourceFor(kind, rng);
    const v: PlantedVisit = { ...d, passageId: passageId(source, counter++, idKey), source };
    const plan = planOf(d.person);
    plan.visits.push(v);
    plan.apart = true;
    planted.push(v);
    return v;
  };

  /** A new meeting comes near no other planted visit, and leaves its two people an hour from their own. */
  const clear = (drafts: readonly Draft[]): boolean => {
    const who = new Set(drafts.map((d) => d.person));
    return drafts.every((v) =>
      planted.every((w) => (who.has(w.person) ? !nearVisit({ ...v, station: w.station }, w, HOUR) : !nearVisit(v, w, MARGIN_MS))),
    );
  };

  /**
   * The first clear meeting on the earliest day that has room, starting between `lo` and `hi`
   * in the day-time (07:00 to `latest`, 16:00 by default): `shape` turns a start and a station
   * into the two visits.
   */
  const findMeeting = (
    lo: number,
    hi: number,
    kinds: readonly GeneratedKind[],
    shape: (start: number, station: number) => [Draft, Draft],
    latest = 16 * HOUR,
  ): [Draft, Draft] | undefined => {
    if (hi < lo) return undefined;
    for (let day = Math.max(0, dayOf(lo)); day <= Math.min(last, dayOf(hi)); day++) {
      const from = Math.max(lo, cal.dayStart(day) + 7 * HOUR);
      const to = Math.min(hi, cal.dayStart(day) + latest);
      if (to < from) continue;
      const steps = Math.floor((to - from) / (40 * MINUTE)) + 1;
      const offset = rng.int(steps);
      for (let s = 0; s < steps; s++) {
        const start = from + ((offset + s) % steps) * 40 * MINUTE + rng.int(60) * 1000;
        if (start > to) continue;
        for (const kind of kinds) {
          const n = stations.count(kind);
          const first = rng.int(n);
          for (let r = 0; r < n; r++) {
            const drafts = shape(start, stations.ranked(kind, 1 + ((first + r) % n)));
            if (clear(drafts)) return drafts;
          }
        }
      }
    }
    return undefined;
  };

  /** When someone infected at `t` falls ill and is confirmed; undefined when the city ends first. */
  const illness = (t: number): { onset: number; confirmed: number } | undefined => {
    const e = dayOf(t);
    if (e + 3 <= last) {
      const onsetDay = Math.min(e + 3 + rng.int(2), last);
      const confirmDay = Math.min(onsetDay + rng.int(3), last);
      return { onset: clock(onsetDay, rng.between(360, 660)), confirmed: clock(confirmDay, rng.between(900, 1200)) };
    }
    // A short city: ill and confirmed the next day (the explicit period then starts after the contact).
    if (e + 1 <= last) return { onset: clock(e + 1, rng.between(300, 480)), confirmed: clock(e + 1, rng.between(840, 1140)) };
    return undefined;
  };

  /**
   * The row's period: DESIGN's default rule when it gives a period starting at or after
   * `minFrom`, else written explicitly, from a local midnight as a tracer would note it.
   */
  const settle = (onset: number | undefined, confirmed: number, minFrom: number, style: Style) => {
    if (style === 'onset' && onset !== undefined && onset - 2 * DAY >= minFrom) return { onsetAt: onset, from: onset - 2 * DAY, to: confirmed, periodGiven: false };
    if (style === 'confirmed' && confirmed - 2 * DAY >= minFrom) return { onsetAt: undefined, from: confirmed - 2 * DAY, to: confirmed, periodGiven: false };
    const from = Math.max(midnightAtOrAfter(minFrom), cal.dayStart(dayOf(onset ?? confirmed) - 2 + rng.int(2)));
    // Isolated when tested, a few hours before the result, or at it.
    const to = Math.max(confirmed - rng.int(3) * HOUR, Math.min(confirmed, from + HOUR));
    return from < to ? { onsetAt: onset, from, to, periodGiven: true } : undefined;
  };

  const addCase = (c: Omit<Pending, 'key'>, isolatedUntil = Infinity): Pending => {
    const p: Pending = { ...c, key: pending.length };
    pending.push(p);
    const plan = planOf(c.person);
    plan.apart = true;
    plan.isolated.push({ from: c.confirmedAt, to: isolatedUntil });
    return p;
  };

  const CHAIN_STYLES: readonly Style[] = ['onset', 'onset', 'confirmed', 'explicit'];
  /**
   * Infected at `t`: a case when the illness fits in the city. Its period starts after `t`, so
   * the contact that infected them is no link back to their source, and the index case of a
   * cluster is the one it grew from.
   */
  const infected = (person: number, t: number, outbreak: string): Pending | undefined => {
    const ill = illness(t);
    const timing = ill && settle(ill.onset, ill.confirmed, t + 1, rng.pick(CHAIN_STYLES));
    if (!ill || !timing) return undefined;
    return addCase({ person, role: 'chain', outbreak, confirmedAt: ill.confirmed, ...timing });
  };

  /** The source meets someone new while infectious: [source's visit, their visit], contact at their arrival. */
  const meetSource = (source: Pending, person: number, kinds: readonly GeneratedKind[], latest?: number): [Draft, Draft] | undefined =>
    findMeeting(
      source.from,
      source.to - 40 * MINUTE,
      kinds,
      (start, station) => {
        const day = dayOf(start);
        const arrive = start + rng.between(3, 10) * MINUTE;
        return [
          { person: source.person, day, station, at: start, leftAt: start + rng.between(30, 40) * MINUTE },
          { person, day, station, at: arrive, leftAt: start + rng.between(25, 30) * MINUTE },
        ];
      },
      latest,
    );

  /** Generation 1: `source` meets a new person, who becomes a case. */
  const chainGen1 = (source: Pending, outbreak: string): Pending | undefined => {
    const person = choose(18, 70);
    const meeting = meetSource(source, person, ['market', 'supermarket', 'workplace']);
    if (!meeting) return undefined;
    const contactAt = meeting[1].at;
    const target = infected(person, contactAt, outbreak);
    if (!target) return undefined;
    const [a, b] = meeting.map(commit) as [PlantedVisit, PlantedVisit];
    links.push({ from: source, to: target, generation: 1, station: a.station, contactAt, passages: [a.passageId, b.passageId], overlapSeconds: overlapSeconds(a, b), via: undefined });
    return target;
  };

  /** Generation 2: `source` meets a new contact, who then meets a new person at a pharmacy or clinic; that person becomes a case. */
  const chainGen2 = (source: Pending, outbreak: string): Pending | undefined => {
    const via = choose(18, 70);
    // Early enough in the day to meet the target afterwards.
    const first = meetSource(source, via, ['market', 'supermarket'], 12 * HOUR);
    if (!first) return undefined;
    const person = choose(18, 70);
    const after = (first[1].leftAt as number) + 65 * MINUTE;
    const second = findMeeting(after, after + 3 * HOUR, ['pharmacy', 'clinic'], (start, station) => {
      const day = dayOf(start);
      return [
        { person: via, day, station, at: start, leftAt: start + 25 * MINUTE },
        { person, day, station, at: start + rng.between(2, 6) * MINUTE, leftAt: start + rng.between(22, 28) * MINUTE },
      ];
    });
    if (!second) return undefined;
    const contactAt = second[1].at;
    const target = infected(person, contactAt, outbreak);
    if (!target) return undefined;
    const [a, b] = first.map(commit) as [PlantedVisit, PlantedVisit];
    const [c, d] = second.map(commit) as [PlantedVisit, PlantedVisit];
    links.push({
      from: source,
      to: target,
      generation: 2,
      station: c.station,
      contactAt,
      passages: [c.passageId, d.passageId],
      overlapSeconds: overlapSeconds(c, d),
      via: { person: via, station: a.station, exposureAt: b.at, passages: [a.passageId, b.passageId], overlapSeconds: overlapSeconds(a, b) },
    });
    return target;
  };

  const byPassage = new Map(planted.map((v) => [v.passageId, v]));
  const plantedOverlap = (l: PlantedLink): number => overlapSeconds(byPassage.get(l.passages[0]) as PlantedVisit, byPassage.get(l.passages[1]) as PlantedVisit);

  /** A planted F1 of the outbreak falls ill: generation 1 from the index case. */
  const fromF1 = (index: Pending, l: PlantedLink, outbreak: string): Pending | undefined => {
    const target = infected(l.person, l.contactAt, outbreak);
    if (target) {
      links.push({ from: index, to: target, generation: 1, station: l.station, contactAt: l.contactAt, passages: l.passages, overlapSeconds: plantedOverlap(l), via: undefined });
    }
    return target;
  };

  outbreaks.outbreaks.forEach((o, c) => {
    const onsetRule = o.symptomOnset - 2 * DAY === o.from;
    const index = addCase({
      person: o.f0,
      role: 'index',
      outbreak: o.id,
      confirmedAt: o.to,
      onsetAt: o.symptomOnset,
      from: o.from,
      to: o.to,
      periodGiven: !onsetRule,
    });
    // The earliest F1 has the most days left to fall ill and pass it on.
    const f1 = [...o.f1].sort((x, y) => x.contactAt - y.contactAt);
    const first = f1[0];
    const b1 = first && fromF1(index, first, o.id);
    if (!first || !b1) return;
    switch (c % 3) {
      case 0: {
        // A chain of three, an F2 of the index case confirmed (through an F1 who stays a contact),
        // and a generation-2 link from the first chain case.
        chainGen1(b1, o.id);
        const f2 = o.f2.find((l) => l.via !== first.person);
        const viaLink = f2 && o.f1.find((l) => l.person === f2.via);
        const target = f2 && viaLink && infected(f2.person, f2.contactAt, o.id);
        if (f2 && viaLink && target) {
          planOf(f2.via).apart = true;
          links.push({
            from: index,
            to: target,
            generation: 2,
            station: f2.station,
            contactAt: f2.contactAt,
            passages: f2.passages,
            overlapSeconds: plantedOverlap(f2),
            via: { person: f2.via, station: viaLink.station, exposureAt: viaLink.contactAt, passages: viaLink.passages, overlapSeconds: plantedOverlap(viaLink) },
          });
        }
        chainGen2(b1, o.id);
        break;
      }
      case 2: {
        chainGen1(b1, o.id);
        const second = f1[1];
        if (second) fromF1(index, second, o.id);
        break;
      }
      default:
        break;
    }
  });

  const nCp = stations.count('checkpoint');
  for (let b = 0; b < sporadic; b++) {
    const person = choose(22, 58);
    const plan = planOf(person);
    plan.rule = 'none';
    const station = stations.ranked('checkpoint', 1 + (b % nCp));
    const minutes = NIGHT_SCANS[Math.floor(b / nCp)] as number;
    const nights = (first: number, until: number): void => {
      for (let d = Math.max(0, first); d <= until; d++) {
        const at = cal.dayStart(d) + minutes * MINUTE + rng.int(300) * 1000;
        commit({ person, day: d, station, at, leftAt: undefined });
        commit({ person, day: d, station, at: at + rng.between(25, 40) * MINUTE, leftAt: undefined });
      }
    };
    if (b === 0 && cal.days >= 2) {
      // Tested positive again after discharge; in a short city, the same person reported twice.
      const long = cal.days >= 10;
      const k1 = long ? 2 + rng.int(2) : 0;
      const k2 = long ? last - rng.int(2) : last;
      const release = long ? k2 - 3 : k1 + 1;
      const c1 = clock(k1, rng.between(900, 1200));
      const p1 = settle(undefined, c1, cityStart, 'confirmed') as NonNullable<ReturnType<typeof settle>>;
      addCase({ person, role: 'sporadic', outbreak: undefined, confirmedAt: c1, ...p1 }, cal.dayStart(release));
      const c2 = clock(k2, rng.between(900, 1200));
      const p2 = settle(undefined, c2, cal.dayStart(release), 'confirmed') as NonNullable<ReturnType<typeof settle>>;
      addCase({ person, role: 'sporadic', outbreak: undefined, confirmedAt: c2, ...p2 });
      nights(k1 - 4, k1);
      nights(release, k2);
      continue;
    }
    // Every kind of row: no onset nor period, onset only, an explicit period. The default rule
    // needs two days before the onset or confirmation inside the city.
    const style: Style = (['confirmed', 'onset', 'explicit'] as const)[(b + 2) % 3] as Style;
    const earliest = style === 'explicit' ? 0 : Math.min(2, last);
    const k = earliest + rng.int(cal.days - earliest);
    const confirmed = clock(k, rng.between(900, 1200));
    const onset = clock(Math.max(Math.min(2, k), k - rng.int(3)), rng.between(360, 660));
    const p = settle(onset, confirmed, cityStart, style) as NonNullable<ReturnType<typeof settle>>;
    addCase({ person, role: 'sporadic', outbreak: undefined, confirmedAt: confirmed, ...p });
    nights(k - 4, k);
  }

  for (const p of people.values()) p.visits.sort((a, b) => a.at - b.at);
  const merged = new Map<number, PersonPlan>();
  for (const [i, p] of people) {
    // People chosen for a chain that did not fit in the city keep their ordinary life.
    if (!p.apart && !outbreaks.people.has(i)) continue;
    merged.set(i, { rule: p.rule, days: p.days, visits: p.visits, ...(p.apart ? { apart: true } : {}), ...(p.isolated.length > 0 ? { isolated: p.isolated } : {}) });
  }
  return { plan: { ...outbreaks, people: merged }, cases: finish(shape, pending, links) };
}

/** Ids in order of confirmation, and the clusters the links make. */
function finish(shape: PopulationShape, pending: readonly Pending[], links: readonly PendingLink[]): CasePlan {
  const personId = (i: number): string => personCore(shape, i).id;
  // Code-unit order, not the locale's: the same bytes on every machine.
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const order = [...pending].sort((a, b) => a.confirmedAt - b.confirmedAt || cmp(personId(a.person), personId(b.person)) || a.key - b.key);
  const width = Math.max(4, String(order.length).length);
  const ids = new Map(order.map((p, n) => [p.key, `C-${shape.seed}-${String(n + 1).padStart(width, '0')}`]));
  const id = (p: Pending): string => ids.get(p.key) as string;
  const cases: PlannedCase[] = order.map(({ key, ...rest }) => ({ id: ids.get(key) as string, ...rest }));

  const parent = new Map<number, number>(pending.map((p) => [p.key, p.key]));
  const root = (k: number): number => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r) as number;
    return r;
  };
  for (const l of links) parent.set(root(l.to.key), root(l.from.key));
  const groups = new Map<number, Pending[]>();
  for (const p of pending) groups.set(root(p.key), [...(groups.get(root(p.key)) ?? []), p]);
  const clusters: CaseCluster[] = [...groups.values()]
    .filter((g) => g.length >= 2)
    .map((g) => {
      const members = [...g].sort((a, b) => cmp(id(a), id(b)));
      // DESIGN: the index case is the earliest infectiousFrom, then caseId.
      const index = [...members].sort((a, b) => a.from - b.from || cmp(id(a), id(b)))[0] as Pending;
      return { id: index.outbreak ?? id(index), index: id(index), cases: members.map(id) };
    })
    .sort((a, b) => cmp(a.index, b.index));

  return {
    cases,
    links: links
      .map((l) => ({ ...l, from: id(l.from), to: id(l.to) }))
      .sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to)),
    clusters,
    isolated: pending.filter((p) => p.role === 'sporadic').map(id).sort(),
  };
}

export const CASES_HEADER = ['case_id', 'person_id', 'confirmed_at', 'onset_at', 'infectious_from', 'infectious_to'] as const;

/** cases.csv rows: instants with the +07:00 offset; the period only where it is not the default. */
export function caseRows(plan: CasePlan, idOf: (person: number) => string): string[][] {
  const t = (ms: number): string => formatInstant(ms, 'offset');
  return plan.cases.map((c) => [
    c.id,
    idOf(c.person),
    t(c.confirmedAt),
    c.onsetAt === undefined ? '' : t(c.onsetAt),
    c.periodGiven ? t(c.from) : '',
    c.periodGiven ? t(c.to) : '',
  ]);
}

/** cases.json: instants in UTC ISO; person and station ids as in the CSV files. */
export function casesJson(plan: CasePlan, idOf: (person: number) => string, stationId: (station: number) => string, meta: Record<string, unknown>): unknown {
  return {
    ...meta,
    guaranteedForToleranceUpToSeconds: GUARANTEE_TOLERANCE_S,
    expectations: {
      links:
        'an outbreak trace of every case in cases.csv (default until, depth >= 2) finds each link at its generation: ' +
        'generation 1 at exactly contactAt, generation 2 at or before contactAt (unplanted contacts of the source may reach the target earlier)',
      generation1: 'case people meet nowhere but at these planted contacts: these are all the generation-1 links',
      via: 'a generation-2 link passes through via.personId, a contact (not a case) exposed to the source at exactly via.exposureAt',
      close: 'overlapSeconds is the time together at a planted contact; a close-only trace finds every link whose planted contacts are all close (>= 900 s)',
      clusters:
        'the cases the planted links join, the index case first by infectiousFrom then caseId; generation-1 links alone give exactly these; ' +
        'unplanted people add links of generation 2 that can join them (in a small dense city, they do)',
      isolated: 'sporadic cases: no co-location with anyone, so no link and no cluster at any depth',
    },
    cases: plan.cases.map((c) => ({
      caseId: c.id,
      personId: idOf(c.person),
      role: c.role,
      outbreak: c.outbreak ?? null,
      confirmedAt: isoUtc(c.confirmedAt),
      onsetAt: c.onsetAt === undefined ? null : isoUtc(c.onsetAt),
      infectiousFrom: isoUtc(c.from),
      infectiousTo: isoUtc(c.to),
      periodGiven: c.periodGiven,
    })),
    links: plan.links.map((l) => ({
      from: l.from,
      to: l.to,
      generation: l.generation,
      contactAt: isoUtc(l.contactAt),
      stationId: stationId(l.station),
      passages: l.passages,
      overlapSeconds: l.overlapSeconds,
      via: l.via
        ? {
            personId: idOf(l.via.person),
            exposureAt: isoUtc(l.via.exposureAt),
            stationId: stationId(l.via.station),
            passages: l.via.passages,
            overlapSeconds: l.via.overlapSeconds,
          }
        : null,
    })),
    clusters: plan.clusters,
    isolated: plan.isolated,
  };
}
