import type { Station } from '../types';
import { str } from './convert';
import { writeQuery } from './driver';

/**
 * Stations written by the importer, with an outcome per station so an import can count what it
 * changed: `imported` (new), `updated` (a field differs: stations are reference data and a
 * re-import refreshes them), `duplicate` (nothing to change; nothing is written). Same stored
 * shape as stations.upsertStations.
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
export async function writeStations(stations: readonly Station[]): Promise<Map<string, StationOutcome>> {
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
