import { closeDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { instantMs } from '../../engine/time';
import { hotspots } from '../../engine/trace';
import { passage, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';

const run = newRunId('hs');
const key = (n: string): string => `${run}-${n}`;
const pid = (n: string): string => pseudonym(key(n));
const S1 = `${run}-S1`;
const S2 = `${run}-S2`;
const t = (hhmm: string): number => instantMs(`2021-08-02T${hhmm}`);
const iso = (hhmm: string): string => new Date(t(hhmm)).toISOString();

beforeAll(async () => {
  await upsertStations([station(S1), station(S2)]);
  const rows: [string, string, number, number?][] = [
    ['A', S1, t('08:00'), t('08:40')], // a dwell over three 15-minute cells
    ['B', S1, t('08:20')],
    ['C', S1, t('08:25')],
    ['A', S2, t('09:00')],
    ['A', S2, t('09:05')],
    ['B', S2, t('20:00')],
    ['X', S1, t('08:20')], // not a case
  ];
  await writePassages(rows.map(([p, s, at, leftAt], i) => passage(key(p), s, at, leftAt, { id: key(`x${i}`) })));
});
afterAll(async () => {
  await removeRun(run, { people: ['A', 'B', 'C', 'X'].map(key) });
  await closeDriver();
});

describe('hotspots', () => {
  it('ranks cells by distinct cases, then by passages, counting a dwell in every cell it spans', async () => {
    const r = await hotspots({ cases: [pid('A'), pid('B'), pid('C')], from: t('00:00'), to: t('12:00') });
    expect(r.windowSeconds).toBe(900);
    expect(r.missing).toEqual([]);
    expect(r.hotspots.map((h) => [h.stationId, h.windowStart, h.windowEnd, h.cases, h.passages])).toEqual([
      [S1, iso('08:15'), iso('08:30'), 3, 3],
      [S2, iso('09:00'), iso('09:15'), 1, 2],
      [S1, iso('08:00'), iso('08:15'), 1, 1],
      [S1, iso('08:30'), iso('08:45'), 1, 1],
    ]);
    expect(r.hotspots[0]!.people).toEqual([pid('A'), pid('B'), pid('C')].sort());
  });

  it('keeps to the period and the limit, and reports cases the graph does not know', async () => {
    const r = await hotspots({ cases: [pid('B'), pseudonym(key('ghost'))], from: t('19:00'), to: t('21:00'), limit: 1 });
    expect(r.hotspots.map((h) => [h.stationId, h.windowStart])).toEqual([[S2, iso('20:00')]]);
    expect(r.missing).toEqual([pseudonym(key('ghost'))]);
  });

  it.each([
    ['no cases', { cases: [], from: 0, to: 1 }],
    ['from after to', { cases: ['p1'], from: 2, to: 1 }],
    ['a limit of 0', { cases: ['p1'], from: 0, to: 1, limit: 0 }],
  ])('refuses %s as invalid input', async (_, p) => {
    await expect(hotspots(p)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
