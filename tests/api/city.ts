import { writePassages } from '../../engine/db/passages';
import { upsertPeople, type RegistryRecord } from '../../engine/db/people';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import type { Station } from '../../engine/types';
import { passage, registryRow, station } from '../helpers/builders';

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

export async function buildCity(run: string, inside: string, outside: string, canary = `${run}CANARY`): Promise<City> {
  const stations = {
    s1: station(`${run}-S1`, { province: inside, district: '001', commune: '00001' }),
    s2: station(`${run}-S2`, { province: inside, district: '002', commune: '00002' }),
    s3: station(`${run}-S3`, { province: outside, district: '001', commune: '00001' }),
  };
  await upsertStations(Object.values(stations));
  const raw = { f0: `${run}F0${canary}`, a: `${run}A${canary}`, b: `${run}B${canary}`, c: `${run}C${canary}`, d: `${run}D${canary}` };
  const pid = { f0: pseudonym(raw.f0), a: pseudonym(raw.a), b: pseudonym(raw.b), c: pseudonym(raw.c), d: pseudonym(raw.d) };
  const home = { province: inside, district: '001', commune: '00001' };
  const registry = [
    registryRow(raw.f0, { ...home, fullName: `Nguyễn Thị ${canary}`, phone: '0900000001' }),
    registryRow(raw.a, { ...home, fullName: `Trần Văn ${canary}`, phone: '0900000002' }),
    registryRow(raw.b, { ...home, fullName: `Lê Thị ${canary}`, phone: '0900000003' }),
    registryRow(raw.c, { ...home, fullName: `Phạm Văn ${canary}`, phone: '0900000004' }),
  ];
  await upsertPeople(registry);
  await writePassages([
    passage(raw.f0, stations.s1.id, T0, T0 + 30 * M),
    passage(raw.a, stations.s1.id, T0 + 10 * M),
    passage(raw.d, stations.s1.id, T0 + 20 * M),
    passage(raw.a, stations.s2.id, T0 + 120 * M),
    passage(raw.b, stations.s2.id, T0 + 125 * M),
    passage(raw.c, stations.s3.id, T0),
  ]);
  return { stations, raw, pid, registry, allRaw: Object.values(raw) };
}

export const TRACE_PERIOD = { from: new Date(T0 - 86_400_000).toISOString(), to: new Date(T0 + 86_400_000).toISOString() };
