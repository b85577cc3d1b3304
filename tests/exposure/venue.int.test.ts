import { closeDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { exposureCandidates, venueExposure } from '../../engine/exposure';
import { pseudonym } from '../../engine/identity';
import { instantMs } from '../../engine/time';
import { passage, runProvince, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';

/**
 * Venue exposure (issue 22.6) against Neo4j: everyone at one station in a window, each exposed
 * at their first instant there inside the window, close after one continuous stay of 15 minutes
 * inside it. Instants are Ho Chi Minh City wall-clock times.
 */

const run = newRunId('vx');
const inside = runProvince();
let outside = runProvince();
while (outside === inside) outside = runProvince();
const t = (hhmm: string): number => instantMs(`2021-08-02T${hhmm}`);
const FROM = t('10:00');
const TO = t('12:00');
const market = station(`${run}-MARKET`, { province: inside, district: '001', commune: '00001' });
const elsewhere = station(`${run}-ELSE`, { province: inside });
const names = ['M', 'N', 'O', 'P', 'Q', 'R', 'X', 'Y', 'Z'] as const;
const key = (n: (typeof names)[number]): string => `${run}-${n}`;
const pid = (n: (typeof names)[number]): string => pseudonym(key(n));

beforeAll(async () => {
  await upsertStations([market, elsewhere]);
  const at = market.id;
  await writePassages([
    passage(key('M'), at, t('10:30'), t('11:00')), // 30 min: close
    passage(key('N'), at, t('10:05')), // a checkpoint scan: brief
    passage(key('O'), at, t('11:00'), t('11:10')), // 10 min: brief
    passage(key('P'), at, t('09:00'), t('10:10')), // 70 min, only 10 of them in the window: brief, exposed at 10:00
    passage(key('Q'), at, t('10:20'), t('10:30')), // two 10-minute visits are not one stay: brief
    passage(key('Q'), at, t('11:20'), t('11:30')),
    passage(key('R'), at, t('12:00:01'), t('13:00')), // after the window
    passage(key('X'), at, t('11:45'), t('12:30')), // exactly 15:00 inside the window: close
    passage(key('Y'), at, t('10:40'), t('10:54:59')), // 14:59: brief
    passage(key('Z'), elsewhere.id, t('10:30'), t('11:00')), // another station
  ]);
});
afterAll(async () => {
  await removeRun(run, { people: names.map(key) });
  await closeDriver();
});

describe('venue exposure', () => {
  it('lists everyone at the station in the window, by arrival, each with exposure, stay and class', async () => {
    const r = await venueExposure({ stationId: market.id, from: FROM, to: TO }, { scope: undefined, maxPeople: 100 });
    const iso = (hhmm: string): string => new Date(t(hhmm)).toISOString();
    expect(r.people.map((p) => [p.id, p.exposureAt, p.staySeconds, p.class])).toEqual([
      [pid('P'), iso('10:00'), 600, 'brief'],
      [pid('N'), iso('10:05'), 0, 'brief'],
      [pid('Q'), iso('10:20'), 600, 'brief'],
      [pid('M'), iso('10:30'), 1800, 'close'],
      [pid('Y'), iso('10:40'), 899, 'brief'],
      [pid('O'), iso('11:00'), 600, 'brief'],
      [pid('X'), iso('11:45'), 900, 'close'],
    ]);
    expect(r.people.find((p) => p.id === pid('Q'))).toMatchObject({ passages: 2, lastAt: iso('11:30') });
    expect(r.params).toEqual({ stationId: market.id, from: new Date(FROM).toISOString(), to: new Date(TO).toISOString(), closeSeconds: 900 });
    expect(r.stats).toMatchObject({ people: 7, closePeople: 2 });
    expect(r.truncated).toBe(false);
  });

  it('gives its people as follow-up candidates: generation 1, exposure in epoch ms, the class', async () => {
    const r = await venueExposure({ stationId: market.id, from: FROM, to: TO }, { scope: undefined, maxPeople: 100 });
    const c = exposureCandidates(r);
    expect(c).toHaveLength(7);
    expect(c.find((x) => x.personId === pid('M'))).toEqual({ personId: pid('M'), generation: 1, exposureAt: t('10:30'), class: 'close' });
    expect(c.find((x) => x.personId === pid('P'))).toEqual({ personId: pid('P'), generation: 1, exposureAt: FROM, class: 'brief' });
  });

  it('keeps the first people by arrival past the cap, and says so', async () => {
    const r = await venueExposure({ stationId: market.id, from: FROM, to: TO }, { scope: undefined, maxPeople: 2 });
    expect(r.people.map((p) => p.id)).toEqual([pid('P'), pid('N')]);
    expect(r.truncated).toBe(true);
  });

  it('reads a station inside the jurisdiction, refuses one outside (403) and an unknown one (404)', async () => {
    const ok = await venueExposure({ stationId: market.id, from: FROM, to: TO }, { scope: { province: inside, district: '001' }, maxPeople: 100 });
    expect(ok.people).toHaveLength(7);
    await expect(venueExposure({ stationId: market.id, from: FROM, to: TO }, { scope: { province: outside }, maxPeople: 100 })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(venueExposure({ stationId: market.id, from: FROM, to: TO }, { scope: { province: inside, district: '002' }, maxPeople: 100 })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(venueExposure({ stationId: `${run}-NOWHERE`, from: FROM, to: TO }, { scope: undefined, maxPeople: 100 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a window that ends before it starts or is longer than the longest trace period', async () => {
    await expect(venueExposure({ stationId: market.id, from: TO, to: FROM }, { scope: undefined, maxPeople: 100 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(venueExposure({ stationId: market.id, from: FROM, to: FROM + 22 * 86_400_000 }, { scope: undefined, maxPeople: 100, maxDays: 21 })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
