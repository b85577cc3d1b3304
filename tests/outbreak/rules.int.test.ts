import { closeDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym, seal } from '../../engine/identity';
import { outbreakTrace } from '../../engine/outbreak';
import { instantMs } from '../../engine/time';
import type { OutbreakCase, OutbreakParams, OutbreakResult } from '../../engine/types';
import { newRunId, removeRun } from '../helpers/cleanup';
import { station } from '../helpers/builders';
import { outbreakFromEngine, outbreakFromOracle } from '../oracle/city';
import { referenceOutbreak } from '../oracle/outbreak';
import type { OraclePassage } from '../oracle/trace';

/**
 * One test per rule of DESIGN.md's "Outbreak semantics" (and the decisions written in
 * engine/outbreak/assemble.ts), each on its own tiny scene, checked against the hand-computed
 * expectation and against the oracle. Instants are wall-clock times in Ho Chi Minh City (UTC+7).
 */

const run = newRunId('or');
const raw: string[] = [];
let scenes = 0;

/** 2021-08-02 (or `day`) at `hhmm` in Ho Chi Minh City, as epoch ms. */
const t = (hhmm: string, day = 2): number => instantMs(`2021-08-${String(day).padStart(2, '0')}T${hhmm}`);
const iso = (ms: number): string => new Date(ms).toISOString();

type Row = [person: string, station: string, at: number, leftAt?: number];
/** A case with its person by scene name. */
type SceneCase = Omit<OutbreakCase, 'personId'> & { person: string };

interface Scene {
  pid(name: string): string;
  name(pid: string): string;
  passage(i: number): string;
  station(s: string): string;
  /** Runs the outbreak trace in Neo4j and the oracle; fails unless both agree; returns Neo4j's answer. */
  outbreak(params: Omit<OutbreakParams, 'cases'> & { cases: SceneCase[] }): Promise<OutbreakResult>;
}

async function scene(rows: readonly Row[]): Promise<Scene> {
  const tag = `${run}-${scenes++}`;
  await upsertStations([...new Set(rows.map((r) => r[1]))].map((id) => station(`${tag}-${id}`)));
  const pidOf = new Map<string, string>();
  const nameOf = new Map<string, string>();
  const pid = (name: string): string => {
    let p = pidOf.get(name);
    if (p === undefined) {
      raw.push(`${tag}-${name}`);
      p = pseudonym(`${tag}-${name}`);
      pidOf.set(name, p);
      nameOf.set(p, name);
    }
    return p;
  };
  const passages: OraclePassage[] = rows.map(([person, station, at, leftAt], i) => ({ id: `${tag}-x${i}`, person: pid(person), station: `${tag}-${station}`, at, leftAt: leftAt ?? at }));
  await writePassages(passages.map((p, i) => ({ id: p.id, personId: p.person, personRef: seal(`${tag}-${rows[i]![0]}`), stationId: p.station, at: p.at, leftAt: p.leftAt, source: 'test' })));
  return {
    pid,
    name: (p) => nameOf.get(p) ?? p,
    passage: (i) => `${tag}-x${i}`,
    station: (s) => `${tag}-${s}`,
    async outbreak(params) {
      const cases = params.cases.map(({ person, ...c }) => ({ ...c, personId: pid(person) }));
      const got = await outbreakTrace({ ...params, cases });
      const want = referenceOutbreak(passages, { ...params, cases: params.cases.map(({ person, ...c }) => ({ ...c, person: pid(person) })) });
      expect(outbreakFromEngine(got)).toEqual(outbreakFromOracle(want));
      return got;
    },
  };
}

/** People as [name, generation, [case, exposure_c]…] — easy to read in an expectation. */
const who = (s: Scene, r: OutbreakResult): [string, number, ...[string, number][]][] =>
  r.people.map((p) => [s.name(p.id), p.generation, ...p.cases.map((c): [string, number] => [c.case, Date.parse(c.at)])]);
/** Links as [from, to, generation, contact time, via name?]. */
const linksOf = (s: Scene, r: OutbreakResult): (string | number)[][] =>
  r.links.map((l) => [l.from, l.to, l.generation, Date.parse(l.at), ...(l.via === undefined ? [] : [s.name(l.via)])]);

afterAll(async () => {
  await removeRun(run, { people: raw });
  await closeDriver();
});

describe('links', () => {
  it('links at a contact exactly at the target case’s confirmation, not 1 ms after it', async () => {
    const s = await scene([
      ['Y', 'S1', t('09:00'), t('13:00')],
      ['X', 'S1', t('12:00')],
    ]);
    const y = { caseId: 'Y', person: 'Y', confirmedAt: t('12:00', 3) };
    const atConfirmation = await s.outbreak({ cases: [y, { caseId: 'X', person: 'X', confirmedAt: t('12:00') }], depth: 1 });
    expect(linksOf(s, atConfirmation)).toEqual([
      ['X', 'Y', 1, t('12:00')],
      ['Y', 'X', 1, t('12:00')],
    ]);
    // X confirmed 1 ms before the contact: Y → X is too late, and X's own period has ended (X → Y neither).
    const before = await s.outbreak({ cases: [y, { caseId: 'X', person: 'X', confirmedAt: t('12:00') - 1 }], depth: 1 });
    expect(before.links).toEqual([]);
    expect(before.people).toEqual([]);
  });

  it('links a case reached through another case’s F1 at generation 2, via that F1, with the evidence of that contact', async () => {
    const s = await scene([
      ['A', 'S1', t('10:00')], // A meets F
      ['F', 'S1', t('10:00')],
      ['F', 'S2', t('11:00'), t('11:20')], // F meets B
      ['B', 'S2', t('11:10'), t('11:40')],
    ]);
    const cases = [
      { caseId: 'cA', person: 'A', confirmedAt: t('13:00') },
      { caseId: 'cB', person: 'B', confirmedAt: t('12:00') },
    ];
    for (const depth of [1, 2]) {
      // Depth 2 finds it in the second generation's read; depth 1 in the link round after the last generation.
      const r = await s.outbreak({ cases, depth });
      expect(who(s, r)).toEqual([['F', 1, ['cA', t('10:00')], ['cB', t('11:10')]]]);
      expect(r.links).toEqual([
        { from: 'cA', to: 'cB', generation: 2, at: iso(t('11:10')), stationId: s.station('S2'), overlapSeconds: 600, passages: [s.passage(2), s.passage(3)], via: s.pid('F'), class: 'brief' },
      ]);
      // cB's period starts first (12:00 two days before, against 13:00): it is the index.
      expect(r.clusters).toEqual([{ id: 'cl-cB', index: 'cB', cases: ['cA', 'cB'] }]);
    }
    // F met A at 10:00, before B's chain reached F (11:10): no cB → cA, except in naive mode.
    const naive = await s.outbreak({ cases, depth: 1, mode: 'naive' });
    expect(linksOf(s, naive)).toEqual([
      ['cB', 'cA', 2, t('10:00'), 'F'],
      ['cA', 'cB', 2, t('11:10'), 'F'],
    ]);
  });

  it('finds links at generation depth + 1 and no further', async () => {
    const s = await scene([
      ['A', 'S1', t('10:00')],
      ['F', 'S1', t('10:00')],
      ['F', 'S2', t('11:00')],
      ['G', 'S2', t('11:00')],
      ['G', 'S3', t('12:00')],
      ['B', 'S3', t('12:00')],
    ]);
    const cases = [
      { caseId: 'cA', person: 'A', confirmedAt: t('13:00') },
      { caseId: 'cB', person: 'B', confirmedAt: t('13:00'), infectiousFrom: t('12:30') },
    ];
    const two = await s.outbreak({ cases, depth: 2 });
    expect(who(s, two)).toEqual([
      ['F', 1, ['cA', t('10:00')]],
      ['G', 2, ['cA', t('11:00')]],
    ]);
    expect(linksOf(s, two)).toEqual([['cA', 'cB', 3, t('12:00'), 'G']]);
    const one = await s.outbreak({ cases, depth: 1 });
    expect(linksOf(s, one)).toEqual([]);
    expect(one.clusters).toEqual([]);
  });

  it('counts both periods of a person with two cases, and never links two cases of one person', async () => {
    const s = await scene([
      ['P', 'S1', t('10:00', 1)],
      ['Q', 'S1', t('10:00', 1)], // in c1's period
      ['P', 'S1', t('10:00', 2)],
      ['R', 'S1', t('10:00', 2)], // between the periods
      ['P', 'S1', t('10:00', 3)],
      ['S', 'S1', t('10:00', 3)], // in c2's period
      ['Q', 'S1', t('10:00', 3)], // Q (who has c1) meets P again during c2
    ]);
    const r = await s.outbreak({
      cases: [
        { caseId: 'c1', person: 'P', confirmedAt: t('20:00', 1), infectiousFrom: t('08:00', 1) },
        { caseId: 'c2', person: 'P', confirmedAt: t('20:00', 3), infectiousFrom: t('08:00', 3) },
      ],
    });
    expect(who(s, r)).toEqual([
      ['Q', 1, ['c1', t('10:00', 1)], ['c2', t('10:00', 3)]],
      ['S', 1, ['c2', t('10:00', 3)]],
    ]);
    expect(r.people.map((p) => p.via)).toEqual([[s.pid('P')], [s.pid('P')]]);
    // Q–S at day 3 is inside generation 1 (both F1s): no F2, and no link c1 → c2 through Q.
    expect(r.links).toEqual([]);
    expect(r.cases).toEqual(['c1', 'c2']);
  });
});

describe('the cases attribution', () => {
  it('gives an F2 each case at the earliest contact at or after the via’s exposure to that case (any contact in naive mode)', async () => {
    const s = await scene([
      ['A', 'S1', t('09:00')],
      ['M', 'S1', t('09:00')], // M has cA from 09:00
      ['B', 'S2', t('13:00')],
      ['M', 'S2', t('13:00')], // … and cB from 13:00
      ['N', 'S3', t('10:00')],
      ['B', 'S3', t('10:00')], // N has cB from 10:00
      ['M', 'S4', t('11:00')],
      ['X', 'S4', t('11:00')], // X meets M before M had cB
      ['N', 'S5', t('12:00')],
      ['X', 'S5', t('12:00')], // X meets N, who has cB
      ['M', 'S6', t('14:00')],
      ['X', 'S6', t('14:00')], // X meets M after M had cB
    ]);
    const cases = [
      { caseId: 'cA', person: 'A', confirmedAt: t('18:00') },
      { caseId: 'cB', person: 'B', confirmedAt: t('18:00') },
    ];
    const r = await s.outbreak({ cases, depth: 2 });
    expect(who(s, r)).toEqual([
      ['M', 1, ['cA', t('09:00')], ['cB', t('13:00')]],
      ['N', 1, ['cB', t('10:00')]],
      ['X', 2, ['cA', t('11:00')], ['cB', t('12:00')]],
    ]);
    expect(r.people[2]!.exposureAt).toBe(iso(t('11:00')));
    expect(r.people[2]!.via).toEqual([s.pid('M'), s.pid('N')].sort());
    const naive = await s.outbreak({ cases, depth: 2, mode: 'naive' });
    expect(who(s, naive)[2]).toEqual(['X', 2, ['cA', t('11:00')], ['cB', t('11:00')]]);
  });

  it('gives an F2 a case when the contact is exactly at the via’s exposure to it, not 1 ms before', async () => {
    // M stays at S1 (cA passes at 09:00, cB at 10:00) and, by a second log, at S2, where X and W pass.
    const s = await scene([
      ['A', 'S1', t('09:00')],
      ['B', 'S1', t('10:00')],
      ['M', 'S1', t('08:30'), t('12:00')],
      ['M', 'S2', t('08:30'), t('12:00')],
      ['X', 'S2', t('10:00')],
      ['W', 'S2', t('10:00') - 1],
    ]);
    const day = { confirmedAt: t('18:00') };
    const r = await s.outbreak({ cases: [{ caseId: 'cA', person: 'A', ...day }, { caseId: 'cB', person: 'B', ...day }], depth: 2, toleranceSeconds: 0 });
    expect(who(s, r)).toEqual([
      ['M', 1, ['cA', t('09:00')], ['cB', t('10:00')]],
      ['W', 2, ['cA', t('10:00') - 1]],
      ['X', 2, ['cA', t('10:00')], ['cB', t('10:00')]],
    ]);
  });
});

describe('clusters', () => {
  it('joins cases linked in either direction, with the earliest infectiousFrom (then the smallest id) as index', async () => {
    const s = await scene([
      ['P1', 'S1', t('10:00')],
      ['P2', 'S1', t('10:00')],
      ['P3', 'S2', t('11:00')],
      ['P2', 'S2', t('11:00')],
      ['P4', 'S3', t('10:00')],
      ['P5', 'S3', t('10:00')],
      ['P6', 'S4', t('10:00')],
    ]);
    const day = { confirmedAt: t('18:00'), infectiousTo: t('18:00') };
    const r = await s.outbreak({
      cases: [
        { caseId: 'C1', person: 'P1', ...day, infectiousFrom: t('09:00') },
        // C2's period starts after it met P1 and P3: only C1 → C2 and C3 → C2.
        { caseId: 'C2', person: 'P2', ...day, infectiousFrom: t('12:00') },
        { caseId: 'C3', person: 'P3', ...day, infectiousFrom: t('08:00') },
        { caseId: 'C5', person: 'P5', ...day, infectiousFrom: t('08:00') },
        { caseId: 'C4', person: 'P4', ...day, infectiousFrom: t('08:00') },
        { caseId: 'C6', person: 'P6', ...day, infectiousFrom: t('08:00') },
      ],
    });
    expect(linksOf(s, r)).toEqual([
      ['C1', 'C2', 1, t('10:00')],
      ['C4', 'C5', 1, t('10:00')],
      ['C5', 'C4', 1, t('10:00')],
      ['C3', 'C2', 1, t('11:00')],
    ]);
    expect(r.clusters).toEqual([
      { id: 'cl-C3', index: 'C3', cases: ['C1', 'C2', 'C3'] },
      { id: 'cl-C4', index: 'C4', cases: ['C4', 'C5'] },
    ]);
    expect(r.stats).toMatchObject({ people: 0, contacts: 0, links: 4, clusters: 2 });
  });
});

describe('close contacts', () => {
  it('tells close F1s apart in a full run, and close-only lists and links through close contacts only (links at depth + 1 too)', async () => {
    const s = await scene([
      ['A', 'S1', t('08:00'), t('12:00')], // case A stays four hours
      ['F', 'S1', t('09:00'), t('09:30')], // 30 min beside A: close F1
      ['G', 'S1', t('10:00')], // a scan: brief F1
      ['Y', 'S1', t('11:00'), t('11:20')], // case Y 20 min beside A: close link
      ['Z', 'S1', t('11:30')], // case Z scans in: brief link
      ['F', 'S2', t('13:00'), t('13:40')], // F then meets case W for 40 min: a close link of generation 2
      ['W', 'S2', t('13:00'), t('13:40')],
      ['G', 'S3', t('14:00')], // G meets case V at a checkpoint: a brief link of generation 2
      ['V', 'S3', t('14:05')],
    ]);
    const confirmed = t('18:00');
    const cases = ['A', 'Y', 'Z', 'W', 'V'].map((p) => ({ caseId: `c${p}`, person: p, confirmedAt: confirmed }));
    for (const depth of [1, 2]) {
      const full = await s.outbreak({ cases, depth });
      expect(full.people.map((p) => [s.name(p.id), p.class])).toEqual([
        ['F', 'close'],
        ['G', 'brief'],
      ]);
      expect(full.stats.closePeople).toBe(1);
      const into = (r: OutbreakResult) => r.links.filter((l) => l.from === 'cA').map((l) => [l.to, l.generation, l.class]);
      expect(into(full).sort()).toEqual([
        ['cV', 2, 'brief'],
        ['cW', 2, 'close'],
        ['cY', 1, 'close'],
        ['cZ', 1, 'brief'],
      ]);
      const close = await s.outbreak({ cases, depth, closeOnly: true });
      expect(close.params).toMatchObject({ closeOnly: true, closeSeconds: 900 });
      expect(close.people.map((p) => [s.name(p.id), p.class])).toEqual([['F', 'close']]);
      expect(close.contacts.every((c) => c.class === 'close')).toBe(true);
      expect(into(close).sort()).toEqual([
        ['cW', 2, 'close'],
        ['cY', 1, 'close'],
      ]);
    }
  });
});

describe('the result and its errors', () => {
  it('follows the OutbreakResult contract: cases sorted, params with the outbreak period and defaults, ISO instants', async () => {
    const s = await scene([
      ['A', 'S1', t('10:00')],
      ['F', 'S1', t('10:00')],
    ]);
    const r = await s.outbreak({
      cases: [
        { caseId: 'z', person: 'A', confirmedAt: t('18:00') },
        { caseId: 'a', person: 'A', confirmedAt: t('12:00', 1), onsetAt: t('12:00', 1) + 3_600_000 },
      ],
    });
    expect(r.cases).toEqual(['a', 'z']);
    expect(r.params).toEqual({
      from: iso(t('12:00', 1) + 3_600_000 - 2 * 86_400_000),
      to: iso(t('18:00')),
      until: iso(t('18:00')),
      depth: 2,
      toleranceSeconds: 900,
      mode: 'time-respecting',
      closeSeconds: 900,
      closeOnly: false,
    });
    expect(r.people).toEqual([{ id: s.pid('F'), generation: 1, exposureAt: iso(t('10:00')), via: [s.pid('A')], score: 0.393, class: 'brief', cases: [{ case: 'z', at: iso(t('10:00')) }] }]);
    expect(r.stats).toEqual({ people: 1, contacts: 1, closePeople: 0, links: 0, clusters: 0, milliseconds: expect.any(Number) as number });
  });

  it('refuses a case whose person the graph does not know with not_found naming the case', async () => {
    const s = await scene([['A', 'S1', t('10:00')]]);
    await expect(
      outbreakTrace({ cases: [{ caseId: 'ok', personId: s.pid('A'), confirmedAt: t('18:00') }, { caseId: 'ghost', personId: pseudonym(`${run}-nobody`), confirmedAt: t('18:00') }] }),
    ).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining("'ghost'") as string });
  });

  it('refuses a trace past its contact budget with invalid_input, and answers one exactly at it', async () => {
    const s = await scene([
      ['A', 'S1', t('10:00')],
      ['B', 'S1', t('10:00')],
      ['F', 'S1', t('10:00')],
      ['G', 'S1', t('10:00')],
    ]);
    // A and B are cases: F and G are F1s of both (4 contacts); A–B is a link, not a contact.
    const cases = [
      { caseId: 'cA', personId: s.pid('A'), confirmedAt: t('18:00') },
      { caseId: 'cB', personId: s.pid('B'), confirmedAt: t('18:00') },
    ];
    expect((await outbreakTrace({ cases }, { maxContacts: 4 })).contacts).toHaveLength(4);
    await expect(outbreakTrace({ cases }, { maxContacts: 3 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('reports each generation and the link round to onGeneration', async () => {
    const s = await scene([
      ['A', 'S1', t('10:00')],
      ['F', 'S1', t('10:00')],
    ]);
    const seen: number[] = [];
    await outbreakTrace({ cases: [{ caseId: 'c', personId: s.pid('A'), confirmedAt: t('18:00') }], depth: 1 }, { onGeneration: (g) => seen.push(g.generation) });
    expect(seen).toEqual([1, 2]);
  });
});
