import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { instantMs } from '../engine/time';
import { buildCity, DEFAULT_CITY, FILES, generateCity, type CityOptions } from './city';

/**
 * cases.csv and cases.json: the planted case chains must be what cases.json says an outbreak
 * trace finds. Checked on the files as written, against a small in-memory reference of
 * DESIGN.md "Outbreak semantics" (links of generation 1 and 2; a test oracle only).
 */

const DAY = 86_400_000;

interface Row {
  id: string;
  person: string;
  station: string;
  at: number;
  left: number;
}

interface CaseJson {
  caseId: string;
  personId: string;
  role: 'index' | 'chain' | 'sporadic';
  outbreak: string | null;
  confirmedAt: string;
  onsetAt: string | null;
  infectiousFrom: string;
  infectiousTo: string;
  periodGiven: boolean;
}

interface LinkJson {
  from: string;
  to: string;
  generation: 1 | 2;
  contactAt: string;
  stationId: string;
  passages: [string, string];
  overlapSeconds: number;
  via: { personId: string; exposureAt: string; stationId: string; passages: [string, string]; overlapSeconds: number } | null;
}

interface Expected {
  generator: { seed: number; days: number; start: string };
  guaranteedForToleranceUpToSeconds: number;
  cases: CaseJson[];
  links: LinkJson[];
  clusters: { id: string; index: string; cases: string[] }[];
  isolated: string[];
}

/** A case as an outbreak trace reads it: the period by DESIGN's default rule when not written. */
interface Case {
  id: string;
  person: string;
  confirmed: number;
  onset: number | undefined;
  from: number;
  to: number;
  given: boolean;
}

interface CityData {
  dir: string;
  start: number;
  end: number;
  text: string;
  rows: Record<string, string>[];
  cases: Map<string, Case>;
  expected: Expected;
  registry: Set<string>;
  byPerson: Map<string, Row[]>;
  byStation: Map<string, Row[]>;
  byId: Map<string, Row>;
}

function load(dir: string): CityData {
  const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
  const byPerson = new Map<string, Row[]>();
  const byStation = new Map<string, Row[]>();
  const byId = new Map<string, Row>();
  for (const r of parse<Record<string, string>>(read(FILES.passages), { columns: true })) {
    const at = instantMs(r['at']!);
    const row: Row = { id: r['passage_id']!, person: r['person_id']!, station: r['station_id']!, at, left: r['left_at'] ? instantMs(r['left_at']) : at };
    for (const [map, key] of [[byPerson, row.person], [byStation, row.station]] as const) map.set(key, [...(map.get(key) ?? []), row]);
    if (row.id) byId.set(row.id, row);
  }
  const text = read(FILES.cases);
  const rows = parse<Record<string, string>>(text, { columns: true });
  const cases = new Map<string, Case>();
  for (const r of rows) {
    const confirmed = instantMs(r['confirmed_at']!);
    const onset = r['onset_at'] ? instantMs(r['onset_at']) : undefined;
    const given = r['infectious_from'] !== '';
    cases.set(r['case_id']!, {
      id: r['case_id']!,
      person: r['person_id']!,
      confirmed,
      onset,
      // DESIGN: without an explicit period, from (onsetAt ?? confirmedAt) − 2 days to confirmedAt.
      from: given ? instantMs(r['infectious_from']!) : (onset ?? confirmed) - 2 * DAY,
      to: given ? instantMs(r['infectious_to']!) : confirmed,
      given,
    });
  }
  const expected = JSON.parse(read(FILES.casesExpected)) as Expected;
  const start = instantMs(`${expected.generator.start}T00:00:00+07:00`);
  const registry = new Set(parse<Record<string, string>>(read(FILES.people), { columns: true }).map((p) => p['person_id']!));
  return { dir, start, end: start + expected.generator.days * DAY, text, rows, cases, expected, registry, byPerson, byStation, byId };
}

const colocated = (a: Row, b: Row, tau: number): boolean => a.station === b.station && b.at <= a.left + tau && b.left >= a.at - tau;
const overlapS = (a: Row, b: Row): number => Math.max(0, Math.min(a.left, b.left) - Math.max(a.at, b.at)) / 1000;

/** Every co-location (at tolerance `tauS`; close ones only if asked) of person `p` with anyone else: [p's passage, other passage]. */
function contactsOf(city: CityData, p: string, tauS: number, closeOnly = false): [Row, Row][] {
  const out: [Row, Row][] = [];
  for (const a of city.byPerson.get(p) ?? []) {
    for (const b of city.byStation.get(a.station) ?? []) {
      if (b.person !== p && colocated(a, b, tauS * 1000) && (!closeOnly || overlapS(a, b) >= 900)) out.push([a, b]);
    }
  }
  return out;
}

/**
 * DESIGN.md "Outbreak semantics", literally, for links of generation 1 and 2 of the outbreak
 * trace of every case (default until: the latest infectiousTo): `from>to` → generation and time.
 */
function links(city: CityData, tauS: number, closeOnly = false): Map<string, { generation: number; at: number }> {
  const cases = [...city.cases.values()];
  const until = Math.max(...cases.map((c) => c.to));
  const casePeople = new Set(cases.map((c) => c.person));
  const found = new Map<string, { generation: number; at: number }>();
  const offer = (from: Case, to: Case, generation: number, at: number): void => {
    if (from.person === to.person || at > to.confirmed || at > until) return;
    const key = `${from.id}>${to.id}`;
    const old = found.get(key);
    if (!old || generation < old.generation || (generation === old.generation && at < old.at)) found.set(key, { generation, at });
  };
  // F1s of each case, with their exposure to it (case people are never listed).
  const exposure = new Map<string, Map<string, number>>();
  for (const c of cases) {
    const f1 = new Map<string, number>();
    for (const [a, b] of contactsOf(city, c.person, tauS, closeOnly)) {
      const at = Math.max(a.at, b.at);
      if (at < c.from || at > Math.min(c.to, until)) continue;
      for (const t of cases) if (t.person === b.person) offer(c, t, 1, at);
      if (!casePeople.has(b.person) && at < (f1.get(b.person) ?? Infinity)) f1.set(b.person, at);
    }
    exposure.set(c.id, f1);
  }
  for (const c of cases) {
    for (const t of cases) {
      for (const [a, b] of contactsOf(city, t.person, tauS, closeOnly)) {
        const e = exposure.get(c.id)?.get(b.person);
        const at = Math.max(a.at, b.at);
        if (e !== undefined && at >= e) offer(c, t, 2, at);
      }
    }
  }
  return found;
}

function clustersOf(ids: string[], edges: [string, string][]): string[][] {
  const parent = new Map(ids.map((i) => [i, i]));
  const root = (i: string): string => (parent.get(i) === i ? i : root(parent.get(i)!));
  for (const [a, b] of edges) parent.set(root(a), root(b));
  const groups = new Map<string, string[]>();
  for (const i of ids) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  return [...groups.values()].filter((g) => g.length >= 2).map((g) => g.sort());
}

/** Every rule a cases.csv row must keep, as problems (empty when all hold). */
function rowProblems(city: CityData): string[] {
  const problems: string[] = [];
  const seed = city.expected.generator.seed;
  const ids = city.rows.map((r) => r['case_id']!);
  if (new Set(ids).size !== ids.length) problems.push('case ids repeat');
  if (ids.join() !== [...ids].sort().join()) problems.push('rows are not in case id order');
  for (const r of city.rows) {
    const c = city.cases.get(r['case_id']!)!;
    const say = (what: string): number => problems.push(`${c.id}: ${what}`);
    if (!new RegExp(`^C-${seed}-\\d{4,}$`).test(c.id)) say('id not C-<seed>-NNNN');
    if (c.confirmed < city.start || c.confirmed > city.end) say('confirmed outside the city');
    if (c.onset !== undefined && c.onset > c.confirmed) say('onset after confirmation');
    if ((r['infectious_from'] === '') !== (r['infectious_to'] === '')) say('half a period');
    if (c.from > c.to) say('period ends before it starts');
    if (c.from < city.start || c.to > city.end) say('period outside the city');
    if (!city.registry.has(c.person)) say('person not in the registry');
    if (!(city.byPerson.get(c.person) ?? []).some((p) => p.at < c.confirmed)) say('no passage before confirmation');
  }
  const byConfirmation = [...city.cases.values()].sort((a, b) => a.confirmed - b.confirmed).map((c) => c.id);
  if (byConfirmation.join() !== ids.join()) problems.push('case ids are not in order of confirmation');
  return problems;
}

const MID: CityOptions = { people: 600, stations: 30, days: 14, seed: 3, start: '2021-08-02', outbreaks: 3 };
const TINY = path.join(__dirname, '..', 'fixtures', 'tiny');
let tmp: string;
let mid: CityData;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-cases-'));
  await generateCity(path.join(tmp, 'mid'), MID);
  mid = load(path.join(tmp, 'mid'));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('cases.csv', () => {
  it('has the header of DESIGN.md "Interfaces", UTF-8 without a BOM, LF line ends, six fields a row', () => {
    expect(mid.text.split('\n', 1)[0]).toBe('case_id,person_id,confirmed_at,onset_at,infectious_from,infectious_to');
    expect(mid.text.charCodeAt(0)).not.toBe(0xfeff);
    expect(mid.text).not.toContain('\r');
    expect(mid.text.endsWith('\n')).toBe(true);
    const records: string[][] = parse(mid.text);
    expect(records.every((r) => r.length === 6)).toBe(true);
  });

  it('every row is valid: unique ids in order of confirmation, instants and periods inside the city, people who exist and move', () => {
    expect(mid.rows.length).toBeGreaterThan(10);
    expect(rowProblems(mid)).toEqual([]);
  });

  it('mixes rows with onset only, with no onset nor period, and with an explicit period', () => {
    const rows = mid.rows;
    expect(rows.some((r) => r['onset_at'] !== '' && r['infectious_from'] === '')).toBe(true);
    expect(rows.some((r) => r['onset_at'] === '' && r['infectious_from'] === '')).toBe(true);
    expect(rows.some((r) => r['infectious_from'] !== '')).toBe(true);
  });

  it('one person has two cases, with infectious periods apart', () => {
    const byPerson = new Map<string, Case[]>();
    for (const c of mid.cases.values()) byPerson.set(c.person, [...(byPerson.get(c.person) ?? []), c]);
    const twice = [...byPerson.values()].filter((l) => l.length === 2);
    expect(twice.length).toBeGreaterThanOrEqual(1);
    for (const [a, b] of twice) expect(a!.to < b!.from || b!.to < a!.from).toBe(true);
  });

  it('cases.json lists the same cases, with the period an outbreak trace reads from the row', () => {
    expect(mid.expected.cases.map((c) => c.caseId)).toEqual([...mid.cases.keys()]);
    for (const c of mid.expected.cases) {
      const row = mid.cases.get(c.caseId)!;
      expect([c.personId, Date.parse(c.confirmedAt), Date.parse(c.infectiousFrom), Date.parse(c.infectiousTo), c.periodGiven]).toEqual([
        row.person,
        row.confirmed,
        row.from,
        row.to,
        row.given,
      ]);
    }
  });
});

describe('the planted links', () => {
  const caseOf = (id: string): Case => mid.cases.get(id)!;
  const passage = (id: string): Row => {
    const r = mid.byId.get(id);
    if (!r) throw new Error(`passage ${id} not in passages.csv`);
    return r;
  };

  it('each generation-1 link is a co-location of the two case people inside the source\'s period, not after the target\'s confirmation', () => {
    const gen1 = mid.expected.links.filter((l) => l.generation === 1);
    expect(gen1.length).toBeGreaterThanOrEqual(3);
    for (const l of gen1) {
      const [src, dst] = [caseOf(l.from), caseOf(l.to)];
      const [a, b] = l.passages.map(passage) as [Row, Row];
      expect([a.person, b.person, a.station, b.station]).toEqual([src.person, dst.person, l.stationId, l.stationId]);
      expect(colocated(a, b, 900_000)).toBe(true);
      const at = Math.max(a.at, b.at);
      expect(at).toBe(Date.parse(l.contactAt));
      expect(at >= src.from && at <= src.to && at <= dst.confirmed).toBe(true);
      expect(overlapS(a, b)).toBe(l.overlapSeconds);
      // The target's own period starts after the contact: no link back to the source.
      expect(dst.from).toBeGreaterThan(at);
    }
  });

  it('each generation-2 link goes through a contact (not a case) exposed in the source\'s period, met at or after that exposure', () => {
    const gen2 = mid.expected.links.filter((l) => l.generation === 2);
    expect(gen2.length).toBeGreaterThanOrEqual(2);
    const casePeople = new Set([...mid.cases.values()].map((c) => c.person));
    for (const l of gen2) {
      const [src, dst, via] = [caseOf(l.from), caseOf(l.to), l.via!];
      expect(casePeople.has(via.personId)).toBe(false);
      const [a, b] = via.passages.map(passage) as [Row, Row];
      expect([a.person, b.person, a.station]).toEqual([src.person, via.personId, via.stationId]);
      expect(colocated(a, b, 900_000)).toBe(true);
      const exposure = Math.max(a.at, b.at);
      expect(exposure).toBe(Date.parse(via.exposureAt));
      expect(exposure >= src.from && exposure <= src.to).toBe(true);
      expect(overlapS(a, b)).toBe(via.overlapSeconds);
      const [c, d] = l.passages.map(passage) as [Row, Row];
      expect([c.person, d.person, c.station]).toEqual([via.personId, dst.person, l.stationId]);
      expect(colocated(c, d, 900_000)).toBe(true);
      const at = Math.max(c.at, d.at);
      expect(at).toBe(Date.parse(l.contactAt));
      expect(at >= exposure && at <= dst.confirmed).toBe(true);
      expect(overlapS(c, d)).toBe(l.overlapSeconds);
    }
  });

  it('chain people meet nowhere but at the planted contacts, at any tolerance up to 60 minutes', () => {
    const planted = new Set(mid.expected.links.flatMap((l) => [l.passages, ...(l.via ? [l.via.passages] : [])]).map((p) => [...p].sort().join('|')));
    const chain = new Set([
      ...[...mid.cases.values()].filter((c) => mid.expected.cases.find((j) => j.caseId === c.id)!.role !== 'sporadic').map((c) => c.person),
      ...mid.expected.links.flatMap((l) => (l.via ? [l.via.personId] : [])),
    ]);
    const unplanned: string[] = [];
    for (const p of chain) {
      for (const [a, b] of contactsOf(mid, p, mid.expected.guaranteedForToleranceUpToSeconds)) {
        if (chain.has(b.person) && !planted.has([a.id, b.id].sort().join('|'))) unplanned.push(`${p} ${b.person} at ${a.station} ${new Date(a.at).toISOString()}`);
      }
    }
    expect(unplanned).toEqual([]);
  });

  it('sporadic cases meet nobody at any tolerance up to 60 minutes, and are in no link', () => {
    expect(mid.expected.isolated.length).toBeGreaterThanOrEqual(3);
    for (const id of mid.expected.isolated) {
      const c = caseOf(id);
      expect((mid.byPerson.get(c.person) ?? []).length).toBeGreaterThan(0);
      expect(contactsOf(mid, c.person, 3600)).toEqual([]);
    }
    expect(mid.expected.links.filter((l) => mid.expected.isolated.includes(l.from) || mid.expected.isolated.includes(l.to))).toEqual([]);
  });

  it.each([900, 3600])('an outbreak trace (tolerance %i s) finds exactly the planted generation-1 links, and each planted generation-2 link', (tau) => {
    const found = links(mid, tau);
    const gen1 = [...found].filter(([, v]) => v.generation === 1).map(([k, v]) => [k, new Date(v.at).toISOString()]);
    const planted1 = mid.expected.links.filter((l) => l.generation === 1).map((l) => [`${l.from}>${l.to}`, l.contactAt]);
    expect(gen1.sort()).toEqual(planted1.sort());
    for (const l of mid.expected.links.filter((x) => x.generation === 2)) {
      const f = found.get(`${l.from}>${l.to}`);
      expect([l.from, l.to, f?.generation]).toEqual([l.from, l.to, 2]);
      expect(f!.at).toBeLessThanOrEqual(Date.parse(l.contactAt));
    }
    const touched = [...found.keys()].flatMap((k) => k.split('>')).filter((id) => mid.expected.isolated.includes(id));
    expect(touched).toEqual([]);
    // Each planted cluster lies inside one cluster of the links found.
    const clusters = clustersOf([...mid.cases.keys()], [...found.keys()].map((k) => k.split('>') as [string, string]));
    for (const c of mid.expected.clusters) expect(clusters.some((g) => c.cases.every((id) => g.includes(id)))).toBe(true);
  });

  it('a close-only outbreak trace finds every link whose planted contacts are all close, at its generation', () => {
    const found = links(mid, 900, true);
    const close = mid.expected.links.filter((l) => l.overlapSeconds >= 900 && (l.via?.overlapSeconds ?? 900) >= 900);
    expect(close.length).toBeGreaterThanOrEqual(4);
    for (const l of close) {
      const f = found.get(`${l.from}>${l.to}`);
      expect([l.from, l.to, f?.generation]).toEqual([l.from, l.to, l.generation]);
      expect(f!.at).toBeLessThanOrEqual(Date.parse(l.contactAt));
    }
  });

  it('the clusters are the cases the planted links join, each indexed by its earliest infectious case (the outbreak\'s F0)', () => {
    const planted = clustersOf([...mid.cases.keys()], mid.expected.links.map((l) => [l.from, l.to]));
    expect(mid.expected.clusters.map((c) => c.cases).sort()).toEqual(planted.sort());
    for (const c of mid.expected.clusters) {
      const byFrom = [...c.cases].sort((a, b) => caseOf(a).from - caseOf(b).from || a.localeCompare(b));
      expect(c.index).toBe(byFrom[0]);
      expect(mid.expected.cases.find((j) => j.caseId === c.index)).toMatchObject({ role: 'index', outbreak: c.id });
    }
  });
});

describe('the default city', () => {
  const { cases } = buildCity(DEFAULT_CITY);

  it('has a cluster of 2 to 5 cases per planted outbreak, chains of three across days, and about ten sporadic cases', () => {
    expect(cases.clusters.map((c) => c.cases.length)).toEqual([5, 2, 4]);
    expect(cases.isolated.length).toBeGreaterThanOrEqual(10);
    const day = (id: string): number => Math.floor(cases.cases.find((c) => c.id === id)!.confirmedAt / DAY);
    // A → B → C: B, an earlier case's target, is the source of another link, confirmed days later.
    const chains = cases.links.filter((l) => cases.links.some((m) => m.to === l.from) && day(l.to) > day(l.from));
    expect(chains.length).toBeGreaterThanOrEqual(2);
    expect(new Set(cases.links.map((l) => l.generation))).toEqual(new Set([1, 2]));
    expect(new Set(cases.cases.map((c) => day(c.id))).size).toBeGreaterThanOrEqual(8);
  });
});

describe('short cities and bounds', () => {
  it.each([
    ['one day, nine stations', { people: 120, stations: 9, days: 1, seed: 5, start: '2021-08-15' }],
    ['two days', { people: 60, stations: 12, days: 2, seed: 8, start: '2021-12-31' }],
    ['no outbreak', { people: 300, stations: 20, days: 5, seed: 2, start: '2021-08-01', outbreaks: 0 }],
  ])('%s: every case is valid', async (_label, options: CityOptions) => {
    const dir = path.join(tmp, `short-${options.seed}`);
    await generateCity(dir, options);
    const city = load(dir);
    expect(city.rows.length).toBeGreaterThanOrEqual(2);
    expect(rowProblems(city)).toEqual([]);
  });

  it('--sporadic-cases chooses the number of sporadic cases; out of range, it names the flag and the bounds', () => {
    const base = { people: 200, stations: 20, days: 5, seed: 1, start: '2021-08-01' };
    expect(buildCity({ ...base, sporadicCases: 0 }).cases.isolated).toEqual([]);
    expect(new Set(buildCity({ ...base, sporadicCases: 4 }).cases.cases.filter((c) => c.role === 'sporadic').map((c) => c.person)).size).toBe(4);
    expect(() => buildCity({ ...base, sporadicCases: 10_000 })).toThrow(/--sporadic-cases 10000 must be a whole number from 0 to \d+/);
    expect(() => buildCity({ ...base, sporadicCases: 1.5 })).toThrow(/--sporadic-cases/);
  });

  it('the same options give the same bytes; another seed other cases', async () => {
    const sha = (dir: string, f: string): string => createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');
    const again = path.join(tmp, 'again');
    await generateCity(again, MID);
    const other = path.join(tmp, 'other');
    await generateCity(other, { ...MID, seed: 4 });
    for (const f of [FILES.cases, FILES.casesExpected]) {
      expect(sha(again, f)).toBe(sha(mid.dir, f));
      expect(sha(other, f)).not.toBe(sha(mid.dir, f));
    }
  });
});

describe('the committed tiny city', () => {
  let tiny: CityData;
  beforeAll(() => (tiny = load(TINY)));

  it('has valid cases, a cluster with links of generation 1 and 2, and sporadic cases that meet nobody', () => {
    expect(rowProblems(tiny)).toEqual([]);
    expect(new Set(tiny.expected.links.map((l) => l.generation))).toEqual(new Set([1, 2]));
    expect(tiny.expected.clusters).toHaveLength(1);
    for (const id of tiny.expected.isolated) expect(contactsOf(tiny, tiny.cases.get(id)!.person, 3600)).toEqual([]);
    const found = links(tiny, 900);
    for (const l of tiny.expected.links) expect(found.get(`${l.from}>${l.to}`)?.generation).toBe(l.generation);
  });

  it('is what fixtures/README.md describes (update its cases table after regenerating)', () => {
    const readme = fs.readFileSync(path.join(TINY, '..', 'README.md'), 'utf8');
    const cases = tiny.expected.cases.flatMap((c) => [c.caseId, c.personId]);
    const linked = tiny.expected.links.map((l) => `${l.from} → ${l.to}`);
    expect([...cases, ...linked].filter((text) => !readme.includes(text))).toEqual([]);
  });
});
