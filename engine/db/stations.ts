import type { Jurisdiction, Station } from '../types';
import { int, num, str, strOrEmpty } from './convert';
import { readQuery, writeQuery } from './driver';

/** Stations: create or update by id (stations are reference data; a re-import refreshes them). */
const UPSERT = `
UNWIND $stations AS s
MERGE (st:Station {id: s.id})
ON CREATE SET st.createdAt = datetime()
SET st.name = s.name, st.province = s.province, st.district = s.district, st.commune = s.commune,
    st.lat = s.lat, st.lon = s.lon, st.tz = s.tz, st.kind = s.kind
RETURN count(*) AS n`;

export async function upsertStations(stations: readonly Station[]): Promise<number> {
  if (stations.length === 0) return 0;
  const [n] = await writeQuery(UPSERT, { stations }, (r) => num(r['n']));
  return n ?? 0;
}

/**
 * Stations inside a jurisdiction (any prefix of province › district › commune), or all when
 * `scope` is undefined. The scope is a query parameter, so the database itself filters.
 */
const LIST = `
MATCH (st:Station)
WHERE ($province IS NULL OR st.province = $province)
  AND ($district IS NULL OR st.district = $district)
  AND ($commune IS NULL OR st.commune = $commune)
  AND ($ids IS NULL OR st.id IN $ids)
RETURN st {.id, .name, .province, .district, .commune, .lat, .lon, .tz, .kind} AS s
ORDER BY st.id
SKIP $skip LIMIT $limit`;

export interface StationQuery {
  readonly scope?: Jurisdiction;
  readonly ids?: readonly string[];
  readonly skip?: number;
  readonly limit?: number;
}

export async function listStations(q: StationQuery = {}): Promise<Station[]> {
  return readQuery(
    LIST,
    {
      province: q.scope?.province ?? null,
      district: q.scope?.district ?? null,
      commune: q.scope?.commune ?? null,
      ids: q.ids ?? null,
      skip: int(Math.trunc(q.skip ?? 0)),
      limit: int(Math.trunc(q.limit ?? 100_000)),
    },
    (r) => toStation(r['s']),
  );
}

/** Every station's time zone, for reading instants without offset during an import. */
export async function stationZones(): Promise<Map<string, string>> {
  const rows = await readQuery('MATCH (st:Station) RETURN st.id AS id, st.tz AS tz', {}, (r) => [str(r['id']), strOrEmpty(r['tz'])] as const);
  return new Map(rows);
}

export function toStation(v: unknown): Station {
  const s = v as Record<string, unknown>;
  return {
    id: str(s['id']),
    name: strOrEmpty(s['name']),
    province: strOrEmpty(s['province']),
    district: strOrEmpty(s['district']),
    commune: strOrEmpty(s['commune']),
    lat: num(s['lat']),
    lon: num(s['lon']),
    tz: strOrEmpty(s['tz']),
    kind: strOrEmpty(s['kind']),
  };
}
