import { scopeParams } from '../jurisdiction';
import type { Jurisdiction, Station } from '../types';
import { int, num, str, strOrEmpty } from './convert';
import { readQuery, writeQuery } from './driver';

/**
 * Stations: create or update by id, with an outcome per station so an import can count what it
 * changed: `imported` (new), `updated` (a field differs: stations are reference data and a
 * re-import refreshes them), `duplicate` (nothing to change; nothing is written).
 */
export type StationOutcome = 'imported' | 'updated' | 'duplicate';

const WRITE = `
UNWIND $stations AS s
OPTIONAL MATCH (old:Station {id: s.id})
WITH s, CASE
  WHEN old IS NULL THEN 'imported'
  WHEN old.name = s.name AND old.province = s.province AND old.district = s.district AND old.commune = s.commune
   AND old.lat = s.lat AND old.lon = s.lon AND old.tz = s.tz AND old.kind = s.kind THEN 'duplicate'
  ELSE 'updated' END AS outcome
CALL (s, outcome) {
  WITH s WHERE outcome <> 'duplicate'
  MERGE (st:Station {id: s.id})
    ON CREATE SET st.createdAt = datetime()
  SET st.name = s.name, st.province = s.province, st.district = s.district, st.commune = s.commune,
      st.lat = s.lat, st.lon = s.lon, st.tz = s.tz, st.kind = s.kind
}
RETURN s.id AS id, outcome`;

/** One transaction; station ids must be distinct within the call. */
export async function upsertStations(stations: readonly Station[]): Promise<Map<string, StationOutcome>> {
  if (stations.length === 0) return new Map();
  const rows = await writeQuery(
    WRITE,
    {
      stations: stations.map((s) => ({
        id: s.id, name: s.name, province: s.province, district: s.district, commune: s.commune, lat: s.lat, lon: s.lon, tz: s.tz, kind: s.kind,
      })),
    },
    (r) => [str(r['id']), str(r['outcome']) as StationOutcome] as const,
  );
  return new Map(rows);
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
/**
 * Station id → IANA zone of the stations inside `scope` (every station without one), and the ids
 * of the stations outside it: an importer with a jurisdiction writes passages only at its own
 * stations, and the scope is a parameter of this query.
 */
export async function stationZones(scope?: Jurisdiction): Promise<{ zones: Map<string, string>; outside: Set<string> }> {
  const rows = await readQuery(
    `MATCH (st:Station)
     RETURN st.id AS id, st.tz AS tz,
       ($province IS NULL OR st.province = $province) AND ($district IS NULL OR st.district = $district)
         AND ($commune IS NULL OR st.commune = $commune) AS inside`,
    scopeParams(scope),
    (r) => ({ id: str(r['id']), tz: strOrEmpty(r['tz']), inside: r['inside'] === true }),
  );
  const zones = new Map<string, string>();
  const outside = new Set<string>();
  for (const r of rows) {
    if (r.inside) zones.set(r.id, r.tz);
    else outside.add(r.id);
  }
  return { zones, outside };
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

/** How many stations the graph holds (`truyvet up` loads the demo city into an empty graph). */
export async function countStations(): Promise<number> {
  const [n] = await readQuery('MATCH (s:Station) RETURN count(s) AS n', {}, (r) => num(r['n']));
  return n ?? 0;
}
