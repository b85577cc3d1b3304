import { derivedPassageId, writePassages, type PassageWrite } from '../../engine/db/passages';
import { upsertPeople, type RegistryRecord } from '../../engine/db/people';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym, seal } from '../../engine/identity';
import type { Station } from '../../engine/types';

/**
 * A tiny city for API tests, all under the run id: stations S1, S2 in province `inside`, S3 in
 * `outside`; F0 at S1, A and D (unregistered) meet F0 there (F1), B meets A later at S2 (F2),
 * C is elsewhere. Names and phones are canaries that must never reach a log.
 */

export const M = 60_000;
export const T0 = Date.UTC(2021, 7, 2, 1, 0);

export interface City {
  readonly stations: { s1: Station; s2: Station; s3: Station };
  /** Raw keys (as a health authority knows them). */
  readonly raw: { f0: string; a: string; b: string; c: string; d: string };
  readonly pid: { f0: string; a: string; b: string; c: string; d: string };
  readonly registry: readonly RegistryRecord[];
  readonly allRaw: readonly string[];
}

export function station(id: string, province: string, district = '001', commune = '00001', over: Partial<Station> = {}): Station {
  return { id, name: `Chốt ${id}`, province, district, commune, lat: 10.77, lon: 106.7, tz: 'Asia/Ho_Chi_Minh', kind: 'checkpoint', ...over };
}

export async function buildCity(run: string, inside: string, outside: string, canary = `${run}CANARY`): Promise<City> {
  const stations = { s1: station(`${run}-S1`, inside), s2: station(`${run}-S2`, inside, '002', '00002'), s3: station(`${run}-S3`, outside) };
  await upsertStations(Object.values(stations));
  const raw = { f0: `${run}F0${canary}`, a: `${run}A${canary}`, b: `${run}B${canary}`, c: `${run}C${canary}`, d: `${run}D${canary}` };
  const pid = { f0: pseudonym(raw.f0), a: pseudonym(raw.a), b: pseudonym(raw.b), c: pseudonym(raw.c), d: pseudonym(raw.d) };
  const person = (key: string, name: string, phone: string): RegistryRecord => ({
    personId: key,
    fullName: name,
    birthDate: '1990-04-30',
    sex: 'F',
    phone,
    province: inside,
    district: '001',
    commune: '00001',
  });
  const registry = [
    person(raw.f0, `Nguyễn Thị ${canary}`, '0900000001'),
    person(raw.a, `Trần Văn ${canary}`, '0900000002'),
    person(raw.b, `Lê Thị ${canary}`, '0900000003'),
    person(raw.c, `Phạm Văn ${canary}`, '0900000004'),
  ];
  await upsertPeople(registry);
  const p = (key: string, st: Station, at: number, leftAt = at): PassageWrite => {
    const personId = pseudonym(key);
    return { id: derivedPassageId(personId, st.id, at, leftAt), personId, personRef: seal(key), stationId: st.id, at, leftAt, source: 'test' };
  };
  await writePassages(
    [
      p(raw.f0, stations.s1, T0, T0 + 30 * M),
      p(raw.a, stations.s1, T0 + 10 * M),
      p(raw.d, stations.s1, T0 + 20 * M),
      p(raw.a, stations.s2, T0 + 120 * M),
      p(raw.b, stations.s2, T0 + 125 * M),
      p(raw.c, stations.s3, T0),
    ],
  );
  return { stations, raw, pid, registry, allRaw: Object.values(raw) };
}

export const TRACE_PERIOD = { from: new Date(T0 - 86_400_000).toISOString(), to: new Date(T0 + 86_400_000).toISOString() };
