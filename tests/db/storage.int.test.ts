import { closeDriver, readQuery } from '../../engine/db/driver';
import { passagesOfPerson, writePassages } from '../../engine/db/passages';
import { listStations, upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { rawKeys, readIdentities, upsertPeople } from '../../engine/db/people';
import { num, str } from '../../engine/db/convert';
import { passage, registryRow, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';

const run = newRunId('st');
const raw = [`${run}-P1`, `${run}-P2`, `${run}-R1`];
const M = 60_000;
const T0 = Date.UTC(2021, 7, 2, 1, 0);

// Each with a name, commune and latitude of its own, so reading them back checks every field.
const s1 = station(`${run}-S1`, { name: 'Chốt kiểm soát 1', commune: '26731', lat: 10.78 });
const s2 = station(`${run}-S2`, { name: 'Chốt kiểm soát 2', province: '01', district: '001', commune: '00001', lat: 10.79, kind: 'market' });

beforeAll(async () => {
  await upsertStations([s1, s2]);
});
afterAll(async () => {
  await removeRun(run, { people: raw });
  await closeDriver();
});

describe('storage of stations', () => {
  it('reads back the stations it wrote, with every field', async () => {
    const got = await listStations({ ids: [`${run}-S1`, `${run}-S2`] });
    expect(got).toEqual([s1, s2]);
  });

  it('lists only the stations inside a jurisdiction prefix', async () => {
    const inHcmc = await listStations({ scope: { province: '79' }, ids: [`${run}-S1`, `${run}-S2`] });
    expect(inHcmc.map((s) => s.id)).toEqual([`${run}-S1`]);
    const inCommune = await listStations({ scope: { province: '79', district: '760', commune: '99999' }, ids: [`${run}-S1`] });
    expect(inCommune).toEqual([]);
  });

  it('updates a station written again with the same id instead of duplicating it', async () => {
    await upsertStations([{ ...s1, name: 'Chốt mới' }]);
    const got = await listStations({ ids: [`${run}-S1`] });
    expect(got).toHaveLength(1);
    expect(got[0]?.name).toBe('Chốt mới');
    await upsertStations([s1]);
  });
});

describe('storage of passages', () => {
  it('writes passages and reads them back per person, in time order, each once', async () => {
    const dwell = passage(raw[0]!, s2.id, T0 + 5 * M, T0 + 50 * M); // touches several windows
    const scan = passage(raw[0]!, s1.id, T0);
    const outcome = await writePassages([dwell, scan]);
    expect([...outcome.values()]).toEqual(['imported', 'imported']);
    const got = await passagesOfPerson(pseudonym(raw[0]!), T0 - M, T0 + 60 * M);
    expect(got.map((p) => [p.id, p.stationId, p.at, p.leftAt])).toEqual([
      [scan.id, scan.stationId, scan.at, scan.leftAt],
      [dwell.id, dwell.stationId, dwell.at, dwell.leftAt],
    ]);
  });

  it('stores a dwell passage as one node with its person, station, duration class and both instants', async () => {
    const p = passage(raw[1]!, s1.id, T0 + 100 * M, T0 + 100 * M + 5 * 60 * M);
    await writePassages([p]);
    const rows = await readQuery(
      `MATCH (x:Passage {id: $id}) RETURN x.pid AS pid, x.station AS station, x.span AS span, x.at AS at, x.leftAt AS leftAt`,
      { id: p.id },
      (r) => ({ pid: str(r['pid']), station: str(r['station']), span: num(r['span']), at: num(r['at']), leftAt: num(r['leftAt']) }),
    );
    // Five hours: more than 4 h (class 2), at most 16 h (class 3).
    expect(rows).toEqual([{ pid: p.personId, station: p.stationId, span: 3, at: p.at, leftAt: p.leftAt }]);
  });

  it('counts an exact repeat as a duplicate and changes nothing', async () => {
    const p = passage(raw[0]!, s1.id, T0 + 200 * M);
    await writePassages([p]);
    const count = () => readQuery(`MATCH (x:Passage {id: $id}) RETURN count(x) AS n`, { id: p.id }, (r) => num(r['n']));
    const before = await count();
    const again = await writePassages([p, p]);
    expect(again.get(p.id)).toBe('duplicate');
    expect(await count()).toEqual(before);
  });

  it('reports a conflict when a known passage id arrives with different content', async () => {
    const p = passage(raw[0]!, s1.id, T0 + 300 * M, T0 + 300 * M, { id: `${run}-X1` });
    await writePassages([p]);
    const other = { ...p, at: p.at + M, leftAt: p.leftAt + M };
    const res = await writePassages([other]);
    expect(res.get(p.id)).toBe('conflict');
    const got = await passagesOfPerson(p.personId, p.at - M, p.at + 2 * M);
    expect(got.filter((x) => x.id === p.id).map((x) => x.at)).toEqual([p.at]);
  });

  it('marks a person first seen in a passage as not registered, and keeps the raw key sealed', async () => {
    const rows = await readQuery(`MATCH (p:Person {id: $pid}) RETURN p.registered AS registered, p.ref AS ref`, { pid: pseudonym(raw[0]!) }, (r) => r);
    expect(rows[0]?.['registered']).toBe(false);
    expect(String(rows[0]?.['ref'])).not.toContain(raw[0]!);
  });
});

describe('storage of the registry', () => {
  const person = registryRow(`${run}-R1`);

  it('stores a registry row sealed and reads it back by pseudonym', async () => {
    const out = await upsertPeople([person]);
    expect(out.get(pseudonym(person.personId))).toBe('imported');
    const got = await readIdentities([pseudonym(person.personId)]);
    expect(got.get(pseudonym(person.personId))).toEqual({ pid: pseudonym(person.personId), ...person });
    const stored = await readQuery('MATCH (i:Identity {pid: $pid}) RETURN i.data AS data', { pid: pseudonym(person.personId) }, (r) => String(r['data']));
    expect(stored[0]).not.toContain('Ánh');
    expect(stored[0]).not.toContain(person.phone);
  });

  it('recognises an unchanged row as a duplicate and a changed one as an update', async () => {
    expect((await upsertPeople([person])).get(pseudonym(person.personId))).toBe('duplicate');
    expect((await upsertPeople([{ ...person, phone: '0907654321' }])).get(pseudonym(person.personId))).toBe('updated');
  });

  it('gives privileged tools the raw key behind a pseudonym', async () => {
    const keys = await rawKeys([pseudonym(person.personId), pseudonym(raw[0]!)]);
    expect(keys.get(pseudonym(person.personId))).toBe(person.personId);
    expect(keys.get(pseudonym(raw[0]!))).toBe(raw[0]);
  });
});

