import { closeDriver } from '../../engine/db/driver';
import { writePassages, type PassageTrust } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { decodeTraceResult, encodeShapedTrace } from '../../engine/trace-store/codec';
import { instantMs } from '../../engine/time';
import { riskScore, trace, traceShaped, traceWithSensitivity } from '../../engine/trace';
import { passage, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';

/**
 * Lower-trust evidence (issue 20, point 8): a contact resting on a passage from the national QR
 * code is marked with the trust of its two passages and weighs half in its target's score; every
 * other contact (signed scans, imported logs) is as before.
 */

const run = newRunId('tt');
const S1 = `${run}-S1`;
const S2 = `${run}-S2`;
const t = (hhmm: string): number => instantMs(`2021-08-02T${hhmm}`);
const key = (name: string) => `${run}-${name}`;
const pid = (name: string) => pseudonym(key(name));
const names = ['A', 'B', 'C', 'D', 'E', 'F'];

type Row = [person: string, station: string, at: number, leftAt: number, trust?: PassageTrust];
const rows: Row[] = [
  ['A', S1, t('10:00'), t('10:30')], // F0, an imported stay
  ['B', S1, t('10:10'), t('10:10'), 'national'], // scanned with the national QR
  ['C', S1, t('10:20'), t('10:20'), 'signed'], // scanned with truyvet's code
  ['D', S1, t('10:15'), t('10:15')], // an imported scan
  ['B', S2, t('12:00'), t('12:00')], // B, later, imported
  ['E', S2, t('12:05'), t('12:05'), 'national'], // F2 through B, on a national scan
  ['F', S2, t('12:10'), t('12:10'), 'national'], // F2 through B too
];

beforeAll(async () => {
  await upsertStations([station(S1), station(S2)]);
  await writePassages(rows.map(([p, s, at, leftAt, trust], i) => passage(key(p), s, at, leftAt, { id: `${run}-x${i}`, ...(trust === undefined ? {} : { source: 'qr', trust }) })));
});
afterAll(async () => {
  await removeRun(run, { people: names.map(key) });
  await closeDriver();
});

const params = { f0: pid('A'), from: t('00:00'), to: t('23:59'), depth: 2 };

describe('a trace with national-QR evidence', () => {
  it('marks each contact resting on a national passage with the trust of its two passages, and no other', async () => {
    const r = await trace(params);
    const byTarget = Object.fromEntries(r.contacts.map((c) => [c.target, c]));
    expect(byTarget[pid('B')]).toMatchObject({ passages: [`${run}-x0`, `${run}-x1`], trust: ['standard', 'national'] });
    expect(byTarget[pid('E')]).toMatchObject({ source: pid('B'), passages: [`${run}-x4`, `${run}-x5`], trust: ['standard', 'national'] });
    expect(byTarget[pid('F')]).toMatchObject({ trust: ['standard', 'national'] });
    // A signed scan and an imported log are standard evidence: no mark.
    expect(byTarget[pid('C')]).not.toHaveProperty('trust');
    expect(byTarget[pid('D')]).not.toHaveProperty('trust');
  });

  it('weighs a national contact half in the score (README, "Risk score"), and nothing else changes', async () => {
    const r = await trace(params);
    const score = Object.fromEntries(r.people.map((p) => [p.id, p.score]));
    expect(score[pid('B')]).toBe(riskScore({ generation: 1, contacts: 1, overlapSeconds: 0, nationalContacts: 1, nationalOverlapSeconds: 0 }));
    expect(score[pid('B')]).toBe(0.221);
    expect(score[pid('C')]).toBe(0.393);
    expect(score[pid('D')]).toBe(0.393);
    expect(score[pid('E')]).toBe(0.111);
    expect(r.people.map((p) => [p.id, p.generation]).sort()).toEqual(
      [
        [pid('B'), 1],
        [pid('C'), 1],
        [pid('D'), 1],
        [pid('E'), 2],
        [pid('F'), 2],
      ].sort(),
    );
  });

  it('keeps the marks and scores through the stored encoding and the sensitivity panel', async () => {
    const shaped = await traceShaped(params);
    const stored = decodeTraceResult(encodeShapedTrace(shaped).bytes);
    const direct = await trace(params);
    expect(stored.contacts).toEqual(direct.contacts);
    expect(stored.people).toEqual(direct.people);
    const withRows = await traceWithSensitivity(params, [900, 300]);
    expect(withRows.contacts.filter((c) => c.trust !== undefined).map((c) => c.target).sort()).toEqual([pid('B'), pid('E'), pid('F')].sort());
  });

  it('marks nothing in a trace without national passages', async () => {
    const r = await trace({ ...params, f0: pid('C'), depth: 1 });
    expect(r.contacts.length).toBeGreaterThan(0);
    expect(r.contacts.filter((c) => c.trust !== undefined).map((c) => c.target)).toEqual([pid('B')]);
    const onlyStandard = await trace({ ...params, f0: pid('D'), depth: 1, from: t('10:14'), to: t('10:16'), toleranceSeconds: 60 });
    expect(onlyStandard.contacts.map((c) => c.target)).toEqual([pid('A')]);
    expect(onlyStandard.contacts[0]).not.toHaveProperty('trust');
  });
});
