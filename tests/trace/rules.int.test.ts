import { closeDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { instantMs } from '../../engine/time';
import { trace, traceWithSensitivity } from '../../engine/trace';
import type { TraceParams, TraceResult } from '../../engine/types';
import { passage, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { fromEngine, fromOracle } from '../oracle/city';
import { referenceTrace, type OraclePassage } from '../oracle/trace';

/**
 * One test per rule of DESIGN.md's "Core semantics", each on its own tiny scene. Every answer is
 * checked twice: against the hand-computed expectation, and against the oracle.
 * Instants are written as wall-clock times in Ho Chi Minh City (UTC+7), like a checkpoint log.
 */

const run = newRunId('tr');
const raw: string[] = [];
const S1 = 'S1';
const S2 = 'S2';
let scenes = 0;

/** 2021-08-02 (or `day`) at `hhmm` in Ho Chi Minh City, as epoch ms. */
const t = (hhmm: string, day = 2): number => instantMs(`2021-08-${String(day).padStart(2, '0')}T${hhmm}`);
const FROM = t('00:00');
const TO = t('23:59:59');

type Row = [person: string, station: string, at: number, leftAt?: number];

interface Scene {
  pid(name: string): string;
  name(pid: string): string;
  /**
   * Runs the trace in Neo4j and the oracle; fails unless both agree; returns Neo4j's answer.
   * `oracle` adds what the oracle is told beside (the close bar a setting gives the engine).
   */
  trace(params: Omit<TraceParams, 'f0'> & { f0: string }, oracle?: { closeSeconds: number }): Promise<TraceResult>;
}

/** Writes one scene's passages; people and stations are the scene's own, so scenes never meet. */
async function scene(rows: readonly Row[]): Promise<Scene> {
  const tag = `${run}-${scenes++}`;
  const stationIds = [...new Set(rows.map((r) => r[1]))];
  await upsertStations(stationIds.map((id) => station(`${tag}-${id}`)));
  const pidOf = new Map<string, string>();
  const nameOf = new Map<string, string>();
  const pid = (name: string): string => {
    let p = pidOf.get(name);
    if (p === undefined) {
      const key = `${tag}-${name}`;
      raw.push(key);
      p = pseudonym(key);
      pidOf.set(name, p);
      nameOf.set(p, name);
    }
    return p;
  };
  const passages: OraclePassage[] = rows.map(([person, station, at, leftAt], i) => ({ id: `${tag}-x${i}`, person: pid(person), station: `${tag}-${station}`, at, leftAt: leftAt ?? at }));
  await writePassages(passages.map((p, i) => passage(`${tag}-${rows[i]![0]}`, p.station, p.at, p.leftAt, { id: p.id })));
  return {
    pid,
    name: (p) => nameOf.get(p) ?? p,
    async trace(params, oracle) {
      const q = { ...params, f0: pid(params.f0) };
      const got = await trace(q);
      expect(fromEngine(got)).toEqual(fromOracle(referenceTrace(passages, { ...q, ...oracle })));
      return got;
    },
  };
}

/** People as [name, generation, exposure time in UTC ms] — easy to read in an expectation. */
const who = (s: Scene, r: TraceResult): [string, number, number][] => r.people.map((p) => [s.name(p.id), p.generation, Date.parse(p.exposureAt)]);
const names = (s: Scene, r: TraceResult, generation?: number): string[] =>
  r.people.filter((p) => generation === undefined || p.generation === generation).map((p) => s.name(p.id)).sort();

afterAll(async () => {
  await removeRun(run, { people: raw });
  await closeDriver();
});

describe('co-location', () => {
  it('is symmetric: each of two people who passed 10 minutes apart finds the other, at the same contact time', async () => {
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S1, t('10:10')],
    ]);
    const fromA = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1 });
    const fromB = await s.trace({ f0: 'B', from: FROM, to: TO, depth: 1 });
    expect(who(s, fromA)).toEqual([['B', 1, t('10:10')]]);
    expect(who(s, fromB)).toEqual([['A', 1, t('10:10')]]);
  });

  it('needs the same station: passing two stations at the same instant is no contact', async () => {
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S2, t('10:00')],
    ]);
    expect((await s.trace({ f0: 'A', from: FROM, to: TO })).people).toEqual([]);
  });

  it('includes the tolerance boundary: a gap of exactly τ is a contact, τ + 1 s and τ + 1 ms are not', async () => {
    const s = await scene([
      ['A', S1, t('10:00'), t('10:20')],
      ['EXACT', S1, t('10:35')], // 15 min after A left
      ['LATE', S1, t('10:35:01')],
      ['LATE_MS', S1, t('10:35') + 1],
      ['EARLY', S1, t('09:45')], // 15 min before A came
      ['EARLY_MS', S1, t('09:45') - 1],
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1 });
    expect(names(s, r)).toEqual(['EARLY', 'EXACT']);
  });

  it('uses the tolerance it is given: 5 minutes misses a 10-minute gap, 60 minutes (wider than a window) reaches 59', async () => {
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S1, t('10:10')],
      ['C', S1, t('10:59')],
      ['D', S1, t('11:01')],
    ]);
    expect(names(s, await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1, toleranceSeconds: 300 }))).toEqual([]);
    expect(names(s, await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1, toleranceSeconds: 3600 }))).toEqual(['B', 'C']);
  });

  it('gives the contact time as the later arrival, even when the earlier passage is a long dwell', async () => {
    const s = await scene([
      ['A', S1, t('09:00'), t('12:00')],
      ['B', S1, t('11:20')],
      ['C', S1, t('08:50')],
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1 });
    expect(who(s, r)).toEqual([
      ['C', 1, t('09:00')],
      ['B', 1, t('11:20')],
    ]);
  });

  it('finds a contact deep inside a dwell that spans many windows, and lists the pair once', async () => {
    const s = await scene([
      ['A', S1, t('06:00'), t('14:00')],
      ['B', S1, t('07:10'), t('13:50')],
      ['C', S1, t('14:14:59')],
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1 });
    expect(who(s, r)).toEqual([
      ['B', 1, t('07:10')],
      ['C', 1, t('14:14:59')],
    ]);
    expect(r.contacts.filter((c) => s.name(c.target) === 'B')).toHaveLength(1);
  });

  it('finds stays that began long before the case passed (one per duration class), and only those that last until then', async () => {
    // The lookup seeks each duration class from (arrival − τ − longest duration of the class):
    // stays of 14 min, 50 min, 3 h, 15 h, 2.5 days and 9 days all still there at 12:00 on the 10th.
    const s = await scene([
      ['A', S1, t('12:00', 10)],
      ['B', S1, t('11:46', 10), t('12:00', 10)],
      ['C', S1, t('11:10', 10), t('12:00', 10)],
      ['D', S1, t('09:00', 10), t('12:00', 10)],
      ['E', S1, t('21:00', 9), t('12:00', 10)],
      ['F', S1, t('00:00', 8), t('12:00', 10)],
      ['G', S1, t('12:00', 1), t('12:00', 10)],
      // A 9-day stay that ended 15 min 1 s before A came: no contact.
      ['H', S1, t('00:00', 1), t('11:44:59', 10)],
    ]);
    const r = await s.trace({ f0: 'A', from: t('00:00', 1), to: t('23:59', 10), depth: 1 });
    expect(names(s, r)).toEqual(['B', 'C', 'D', 'E', 'F', 'G']);
  });

  it('measures overlap without the tolerance: shared dwell time, else zero', async () => {
    const s = await scene([
      ['A', S1, t('10:00'), t('11:00')],
      ['B', S1, t('10:30'), t('10:45')],
      ['C', S1, t('10:50'), t('11:30')],
      ['D', S1, t('11:10')],
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1 });
    const overlap = Object.fromEntries(r.contacts.map((c) => [s.name(c.target), c.overlapSeconds]));
    expect(overlap).toEqual({ B: 900, C: 600, D: 0 });
  });
});

describe('the infectious period and the horizon', () => {
  it('counts F1 contacts at exactly from and exactly to, and none outside', async () => {
    const s = await scene([
      ['A', S1, t('08:00')],
      ['AT_FROM', S1, t('08:00')],
      ['A', S1, t('18:00')],
      ['AT_TO', S1, t('18:00')],
      ['AFTER_TO', S1, t('18:00') + 1],
      ['A', S2, t('07:50')],
      ['BEFORE_FROM', S2, t('07:59:59.999')],
    ]);
    const r = await s.trace({ f0: 'A', from: t('08:00'), to: t('18:00'), depth: 1 });
    expect(names(s, r)).toEqual(['AT_FROM', 'AT_TO']);
  });

  it('takes the contact time, not the passage, against the period: a dwell that began before from still counts after it', async () => {
    const s = await scene([
      ['A', S1, t('05:00'), t('09:00')],
      ['B', S1, t('07:00')],
      ['C', S1, t('05:30')],
    ]);
    const r = await s.trace({ f0: 'A', from: t('06:00'), to: TO, depth: 1 });
    expect(who(s, r)).toEqual([['B', 1, t('07:00')]]);
  });

  it('cuts F1 at min(to, until): an until before to ends F1 early', async () => {
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S1, t('10:00')],
      ['A', S1, t('16:00')],
      ['C', S1, t('16:00')],
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, until: t('12:00'), depth: 1 });
    expect(names(s, r)).toEqual(['B']);
    expect(r.params.until).toBe(new Date(t('12:00')).toISOString());
  });

  it('lets until reach past to for F2 and later, never for F1, and cuts every generation at until', async () => {
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S1, t('10:00')],
      ['A', S1, t('19:00')], // F1 contact after to: not counted even though until is later
      ['X', S1, t('19:00')],
      ['B', S2, t('19:00')],
      ['C', S2, t('19:00')], // F2 after to, before until: counted
      ['B', S2, t('23:00')],
      ['D', S2, t('23:00')], // F2 after until: not counted
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: t('18:00'), until: t('22:00'), depth: 2 });
    expect(who(s, r)).toEqual([
      ['B', 1, t('10:00')],
      ['C', 2, t('19:00')],
    ]);
  });
});

describe('generations', () => {
  it('is time-respecting by default: an F1 passes on only at or after their exposure; naive mode also counts earlier contacts', async () => {
    const s = await scene([
      ['B', S2, t('09:00')],
      ['EARLIER', S2, t('09:00')], // met B before B was exposed
      ['A', S1, t('12:00')],
      ['B', S1, t('12:00')],
      ['SAME_TIME', S1, t('12:05')], // met B at 12:05, A too: F1 (smallest generation)
      ['B', S2, t('12:00')], // dwell at another station
      ['AT_EXPOSURE', S2, t('12:00')], // exactly at B's exposure time: counts
      ['B', S2, t('15:00')],
      ['LATER', S2, t('15:00')],
    ]);
    const tr = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 2 });
    expect(names(s, tr, 2)).toEqual(['AT_EXPOSURE', 'LATER']);
    expect(tr.params.mode).toBe('time-respecting');
    const naive = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 2, mode: 'naive' });
    expect(names(s, naive, 2)).toEqual(['AT_EXPOSURE', 'EARLIER', 'LATER']);
    expect(naive.params.mode).toBe('naive');
  });

  it('keeps the naive mode inside [from, until] for F2', async () => {
    const s = await scene([
      ['A', S1, t('12:00')],
      ['B', S1, t('12:00')],
      ['B', S2, t('05:00')],
      ['BEFORE_FROM', S2, t('05:00')],
    ]);
    const naive = await s.trace({ f0: 'A', from: t('06:00'), to: TO, depth: 2, mode: 'naive' });
    expect(names(s, naive)).toEqual(['B']);
  });

  it('places a person at the smallest generation that reaches them, with only that generation’s contacts', async () => {
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S1, t('10:00')],
      ['B', S2, t('11:00')],
      ['C', S2, t('11:00')], // C meets B (F1) first …
      ['A', S2, t('14:00')],
      ['C', S2, t('14:00')], // … and A (F0) later: C is F1, exposure 14:00
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 3 });
    expect(who(s, r)).toEqual([
      ['B', 1, t('10:00')],
      ['C', 1, t('14:00')],
    ]);
    expect(r.contacts.map((c) => [s.name(c.source), s.name(c.target)])).toEqual([
      ['A', 'B'],
      ['A', 'C'],
    ]);
  });

  it('never lists F0 among the people, even when an F1 meets F0 again later', async () => {
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S1, t('10:00')],
      ['B', S2, t('11:00')],
      ['A', S2, t('11:00')],
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 3 });
    expect(names(s, r)).toEqual(['B']);
    expect(r.contacts.every((c) => c.target !== s.pid('A'))).toBe(true);
  });

  it('gives via every previous-generation person who reached someone, exposure at the earliest, and every contact edge', async () => {
    const s = await scene([
      ['A', S1, t('08:00')],
      ['B1', S1, t('08:00')],
      ['B2', S1, t('08:05')],
      ['C', S2, t('09:40'), t('10:20')],
      ['B2', S2, t('09:30')], // contact at 09:40, when C came
      ['B1', S2, t('10:00')], // contact at 10:00
      ['B1', S2, t('16:00')],
      ['C', S2, t('16:00')], // a second contact with B1
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 2 });
    const c = r.people.find((p) => s.name(p.id) === 'C');
    expect(c && { generation: c.generation, exposureAt: Date.parse(c.exposureAt), via: c.via.map(s.name).sort() }).toEqual({
      generation: 2,
      exposureAt: t('09:40'),
      via: ['B1', 'B2'],
    });
    expect(r.contacts.filter((e) => e.target === s.pid('C')).map((e) => [s.name(e.source), Date.parse(e.at), e.generation])).toEqual([
      ['B2', t('09:40'), 2],
      ['B1', t('10:00'), 2],
      ['B1', t('16:00'), 2],
    ]);
  });

  it('traces a chain five generations deep', async () => {
    const chain = ['A', 'B', 'C', 'D', 'E', 'F'];
    const s = await scene(chain.slice(1).flatMap((p, i): Row[] => [
      [chain[i]!, S1, t(`1${i}:00`)],
      [p, S1, t(`1${i}:00`)],
    ]));
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 5 });
    expect(who(s, r).map(([n, g]) => [n, g])).toEqual([
      ['B', 1],
      ['C', 2],
      ['D', 3],
      ['E', 4],
      ['F', 5],
    ]);
    const shallow = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 2 });
    expect(names(s, shallow)).toEqual(['B', 'C']);
  });
});

describe('reading a generation', () => {
  it('finds every contact of a generation read in several statements (more than 400 station × duration-class cells)', async () => {
    // A passes 450 stations, meeting B<i> at each; each B<i> later meets C<i> at a station of its
    // own: both generations need 450 cells or more, read 400 to a statement.
    const n = 450;
    const rows: Row[] = [];
    for (let i = 0; i < n; i++) {
      const at = t('06:00') + i * 60_000;
      rows.push(['A', `A${i}`, at], [`B${i}`, `A${i}`, at], [`B${i}`, `C${i}`, at + 3_600_000], [`C${i}`, `C${i}`, at + 3_600_000]);
    }
    const s = await scene(rows);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 2 });
    expect(names(s, r, 1)).toHaveLength(n);
    expect(names(s, r, 2)).toHaveLength(n);
    expect(r.contacts).toHaveLength(2 * n);
    expect(new Set(r.contacts.map((c) => c.passages.join('|'))).size).toBe(2 * n);
  });
});

describe('close contacts', () => {
  /** People as [name, class]; contacts as [target, overlap in seconds, class]. */
  const classes = (s: Scene, r: TraceResult): [string, string][] => r.people.map((p) => [s.name(p.id), p.class]);
  const evidence = (s: Scene, r: TraceResult): [string, number, string][] => r.contacts.map((c) => [s.name(c.target), c.overlapSeconds, c.class]);

  it('is close from exactly 15:00 together: 14:59 is brief, and close-only keeps only the 15:00', async () => {
    const s = await scene([
      ['A', S1, t('10:00'), t('10:30')],
      ['B', S1, t('10:10'), t('10:25')], // 15:00 beside A
      ['C', S1, t('10:00'), t('10:14:59')], // 14:59 beside A
    ]);
    const full = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1 });
    expect(classes(s, full)).toEqual([
      ['C', 'brief'],
      ['B', 'close'],
    ]);
    expect(evidence(s, full)).toEqual([
      ['C', 899, 'brief'],
      ['B', 900, 'close'],
    ]);
    expect(full.stats.closePeople).toBe(1);
    const close = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1, closeOnly: true });
    expect(close.params).toMatchObject({ closeOnly: true, closeSeconds: 900 });
    expect(evidence(s, close)).toEqual([['B', 900, 'close']]);
  });

  it('reads a stay that ends exactly 15 minutes after the start of the period, or of the exposure, and counts its contact', async () => {
    const s = await scene([
      ['A', S1, t('10:00'), t('10:30')],
      ['B', S1, t('10:15'), t('10:45')], // together 10:15–10:30, contact at `from`
      ['B', S2, t('09:00'), t('10:30')], // B's stay ends exactly 15 min after B's exposure (10:15)
      ['C', S2, t('10:15'), t('11:00')], // together 10:15–10:30, contact at B's exposure
    ]);
    const r = await s.trace({ f0: 'A', from: t('10:15'), to: TO, closeOnly: true });
    expect(who(s, r)).toEqual([
      ['B', 1, t('10:15')],
      ['C', 2, t('10:15')],
    ]);
    // A millisecond later, neither contact is 15 minutes after the period starts.
    expect((await s.trace({ f0: 'A', from: t('10:15') + 1, to: TO, closeOnly: true })).people).toEqual([]);
  });

  it('never calls a pair of checkpoint scans close, even 0 s apart; a scan inside a long stay neither', async () => {
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S1, t('10:00')], // the same second as A
      ['A', S2, t('09:00'), t('11:00')],
      ['D', S2, t('10:00')], // a scan during A's two hours
    ]);
    const full = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1 });
    // Both reached at 10:00: in id order, which the pseudonyms decide.
    expect(classes(s, full).sort()).toEqual([
      ['B', 'brief'],
      ['D', 'brief'],
    ]);
    expect(evidence(s, full).map((e) => e[1])).toEqual([0, 0]);
    expect((await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1, closeOnly: true })).people).toEqual([]);
    expect((await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1, closeOnly: true, closeSeconds: 1 })).people).toEqual([]);
  });

  it('measures a short stay inside a long one by the short one: 20 minutes inside four hours is close, 10 at its end brief; at F2 too', async () => {
    const s = await scene([
      ['A', S1, t('08:00'), t('12:00')],
      ['B', S1, t('10:00'), t('10:20')], // inside A's stay: 20 min together
      ['E', S1, t('11:50'), t('12:30')], // the last 10 min of A's stay
      ['B', S2, t('13:00'), t('13:30')],
      ['G', S2, t('13:10'), t('13:30')], // 20 min beside B, after B's exposure: close F2
      ['H', S2, t('13:25')], // a scan: brief F2
    ]);
    const full = await s.trace({ f0: 'A', from: FROM, to: TO });
    expect(classes(s, full)).toEqual([
      ['B', 'close'],
      ['E', 'brief'],
      ['G', 'close'],
      ['H', 'brief'],
    ]);
    expect(evidence(s, full).slice(0, 2)).toEqual([
      ['B', 1200, 'close'],
      ['E', 600, 'brief'],
    ]);
    const close = await s.trace({ f0: 'A', from: FROM, to: TO, closeOnly: true });
    expect(who(s, close)).toEqual([
      ['B', 1, t('10:00')],
      ['G', 2, t('13:10')],
    ]);
    expect(close.stats).toMatchObject({ people: 2, contacts: 2, closePeople: 2 });
  });

  it('needs no tolerance: close-only at τ = 0 finds the same people as at 60 minutes', async () => {
    const s = await scene([
      ['A', S1, t('10:00'), t('10:30')],
      ['B', S1, t('10:10'), t('10:40')],
      ['C', S1, t('10:45')], // 15 min after A left: a contact at τ = 15 min, never close
    ]);
    const at0 = await s.trace({ f0: 'A', from: FROM, to: TO, toleranceSeconds: 0, closeOnly: true });
    const at60 = await s.trace({ f0: 'A', from: FROM, to: TO, toleranceSeconds: 3600, closeOnly: true });
    expect(who(s, at0)).toEqual([['B', 1, t('10:10')]]);
    expect(at60.people).toEqual(at0.people);
    expect(at60.contacts).toEqual(at0.contacts);
  });

  it('takes the close bar from TRUYVET_CLOSE_SECONDS: at 600 s, 11 minutes together is close', async () => {
    const s = await scene([
      ['A', S1, t('10:00'), t('10:30')],
      ['B', S1, t('10:10'), t('10:21')], // 11 min beside A
      ['C', S1, t('10:20'), t('10:29')], // 9 min
    ]);
    const at900 = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1 });
    expect(classes(s, at900)).toEqual([
      ['B', 'brief'],
      ['C', 'brief'],
    ]);
    const was = process.env['TRUYVET_CLOSE_SECONDS'];
    process.env['TRUYVET_CLOSE_SECONDS'] = '600';
    try {
      const at600 = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1 }, { closeSeconds: 600 });
      expect(at600.params.closeSeconds).toBe(600);
      expect(classes(s, at600)).toEqual([
        ['B', 'close'],
        ['C', 'brief'],
      ]);
      const only = await s.trace({ f0: 'A', from: FROM, to: TO, depth: 1, closeOnly: true }, { closeSeconds: 600 });
      expect(classes(s, only)).toEqual([['B', 'close']]);
    } finally {
      if (was === undefined) delete process.env['TRUYVET_CLOSE_SECONDS'];
      else process.env['TRUYVET_CLOSE_SECONDS'] = was;
    }
  });

  it('counts close people per generation in the sensitivity rows, at each tolerance', async () => {
    const s = await scene([
      ['A', S1, t('10:00'), t('10:30')],
      ['B', S1, t('10:10'), t('10:40')], // close F1
      ['C', S1, t('10:40')], // 10 min after A left: F1 from τ = 10 min; at τ = 5 min a brief F2, through B
    ]);
    const f0 = s.pid('A');
    const r = await traceWithSensitivity({ f0, from: FROM, to: TO, depth: 2 }, [900, 300]);
    expect(r.sensitivity).toEqual([
      { toleranceSeconds: 900, counts: { '1': 2, '2': 0 }, closeCounts: { '1': 1, '2': 0 } },
      { toleranceSeconds: 300, counts: { '1': 1, '2': 1 }, closeCounts: { '1': 1, '2': 0 } },
    ]);
  });
});

describe('the result and its errors', () => {
  it('follows the TraceResult contract: fields, defaults, ISO instants in UTC, scores in [0, 1]', async () => {
    const s = await scene([
      ['A', S1, t('10:00'), t('10:30')],
      ['B', S1, t('10:10'), t('10:40')],
      ['B', S2, t('12:00')],
      ['C', S2, t('12:00')],
    ]);
    const r = await s.trace({ f0: 'A', from: FROM, to: TO });
    expect(Object.keys(r).sort()).toEqual(['contacts', 'f0', 'params', 'people', 'stats']);
    expect(r.f0).toBe(s.pid('A'));
    expect(r.params).toEqual({
      from: '2021-08-01T17:00:00.000Z',
      to: '2021-08-02T16:59:59.000Z',
      until: '2021-08-02T16:59:59.000Z',
      depth: 2,
      toleranceSeconds: 900,
      mode: 'time-respecting',
      closeSeconds: 900,
      closeOnly: false,
    });
    expect(r.people).toEqual([
      { id: s.pid('B'), generation: 1, exposureAt: '2021-08-02T03:10:00.000Z', via: [s.pid('A')], score: expect.any(Number) as number, class: 'close' },
      { id: s.pid('C'), generation: 2, exposureAt: '2021-08-02T05:00:00.000Z', via: [s.pid('B')], score: expect.any(Number) as number, class: 'brief' },
    ]);
    expect(r.contacts).toEqual([
      {
        source: s.pid('A'),
        target: s.pid('B'),
        stationId: expect.stringMatching(/-S1$/) as string,
        at: '2021-08-02T03:10:00.000Z',
        overlapSeconds: 1200,
        generation: 1,
        passages: [expect.any(String), expect.any(String)],
        class: 'close',
      },
      {
        source: s.pid('B'),
        target: s.pid('C'),
        stationId: expect.stringMatching(/-S2$/) as string,
        at: '2021-08-02T05:00:00.000Z',
        overlapSeconds: 0,
        generation: 2,
        passages: [expect.any(String), expect.any(String)],
        class: 'brief',
      },
    ]);
    const [b, c] = r.people;
    expect(b!.score).toBeGreaterThan(c!.score);
    for (const p of r.people) expect(p.score >= 0 && p.score <= 1).toBe(true);
    expect(r.stats).toEqual({ people: 2, contacts: 2, closePeople: 1, milliseconds: expect.any(Number) as number });
  });

  it('answers an F0 without passages in the period with an empty, valid result', async () => {
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S1, t('10:00')],
    ]);
    const r = await s.trace({ f0: 'A', from: t('00:00', 5), to: t('23:00', 5) });
    expect(r.people).toEqual([]);
    expect(r.contacts).toEqual([]);
    expect(r.stats).toMatchObject({ people: 0, contacts: 0 });
  });

  it('refuses an F0 the graph does not know with not_found', async () => {
    await expect(trace({ f0: pseudonym(`${run}-nobody`), from: FROM, to: TO })).rejects.toMatchObject({ code: 'not_found' });
  });

  it.each([
    ['from after to', { from: TO, to: FROM }, 'from'],
    ['until before from', { from: FROM, to: TO, until: FROM - 1 }, 'until'],
    ['depth 0', { from: FROM, to: TO, depth: 0 }, 'depth'],
    ['depth 7', { from: FROM, to: TO, depth: 7 }, 'depth'],
    ['depth 1.5', { from: FROM, to: TO, depth: 1.5 }, 'depth'],
    ['a negative tolerance', { from: FROM, to: TO, toleranceSeconds: -1 }, 'toleranceSeconds'],
    ['a tolerance over a day', { from: FROM, to: TO, toleranceSeconds: 86_401 }, 'toleranceSeconds'],
    ['a fractional tolerance', { from: FROM, to: TO, toleranceSeconds: 0.5 }, 'toleranceSeconds'],
    ['an instant that is not a number', { from: Number.NaN, to: TO }, 'from'],
  ])('refuses %s with invalid_input naming the field', async (_, bad, field) => {
    const s = await scene([['A', S1, t('10:00')]]);
    await expect(trace({ f0: s.pid('A'), ...bad })).rejects.toMatchObject({ code: 'invalid_input', details: [expect.objectContaining({ field })] });
  });

  it('accepts depth 6 (MAX_TRACE_DEPTH)', async () => {
    const s = await scene([['A', S1, t('10:00')]]);
    await expect(s.trace({ f0: 'A', from: FROM, to: TO, depth: 6 })).resolves.toMatchObject({ people: [] });
  });

  it('refuses a trace past its contact budget with invalid_input, and answers one exactly at it', async () => {
    // F0 meets B and C at S1 (2 edges); B meets D at S2 (1 edge): 3 edges in all at depth 2.
    const s = await scene([
      ['A', S1, t('10:00')],
      ['B', S1, t('10:05')],
      ['C', S1, t('10:10')],
      ['B', S2, t('12:00')],
      ['D', S2, t('12:05')],
    ]);
    const q = { f0: s.pid('A'), from: FROM, to: TO, depth: 2 };
    await expect(trace(q, { maxContacts: 3 })).resolves.toMatchObject({ stats: { people: 3, contacts: 3 } });
    await expect(trace(q, { maxContacts: 2 })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('too large') as string });
    await expect(trace(q, { maxContacts: 1 })).rejects.toMatchObject({ code: 'invalid_input', details: [expect.objectContaining({ field: 'depth' })] });
  });
});
