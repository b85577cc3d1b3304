import { scopeParams } from '../jurisdiction';
import type { Jurisdiction, Passage } from '../types';
import { int, num, str } from './convert';
import { readQuery } from './driver';
import { CELL_SEEK, PERSON_SEEK, spansParam } from './passages';

/**
 * Reads of movement data that a jurisdiction limits. The scope is a parameter of the Cypher:
 * a station outside the scope matches nothing, whatever the caller checked before.
 */

export const AT_STATION = `
MATCH (st:Station {id: $stationId})
WHERE ($province IS NULL OR st.province = $province)
  AND ($district IS NULL OR st.district = $district)
  AND ($commune IS NULL OR st.commune = $commune)
UNWIND $spans AS sp
MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station = st.id AND x.span = sp[0] AND x.at >= $from - sp[1] AND x.at <= $to AND x.leftAt >= $from
RETURN x.id AS id, x.pid AS personId, x.at AS at, x.leftAt AS leftAt, x.source AS source
ORDER BY at, id
SKIP $skip LIMIT $limit`;

export interface StationPassagesQuery {
  readonly stationId: string;
  readonly scope: Jurisdiction | undefined;
  readonly from: number;
  readonly to: number;
  readonly skip: number;
  readonly limit: number;
}

/** Passages at one station that touch [from, to], in time order; none when the station is outside the scope. */
export async function passagesAtStation(q: StationPassagesQuery): Promise<Passage[]> {
  return readQuery(
    AT_STATION,
    {
      stationId: q.stationId,
      ...scopeParams(q.scope),
      spans: spansParam(),
      from: int(q.from),
      to: int(q.to),
      skip: int(q.skip),
      limit: int(q.limit),
    },
    (r) => ({
      id: str(r['id']),
      personId: str(r['personId']),
      stationId: q.stationId,
      at: num(r['at']),
      leftAt: num(r['leftAt']),
      source: str(r['source']),
    }),
  );
}

/**
 * May a tracer with this jurisdiction trace this case? Yes when the case's registry home lies
 * inside it, or when the case has a passage touching [from, to] at a station inside it (a case
 * from elsewhere who was infectious here). The scope is a parameter of the query.
 */
export const CASE_IN_SCOPE = `
OPTIONAL MATCH (i:Identity {pid: $pid})
WITH coalesce(i.province = $province AND ($district IS NULL OR i.district = $district) AND ($commune IS NULL OR i.commune = $commune), false) AS home
RETURN home OR EXISTS {
  MATCH (x:Passage) ${PERSON_SEEK('x')} AND x.pid = $pid AND x.at <= $to AND x.leftAt >= $from
  MATCH (st:Station {id: x.station})
  WHERE st.province = $province AND ($district IS NULL OR st.district = $district) AND ($commune IS NULL OR st.commune = $commune)
} AS inside`;

export async function caseInScope(q: { readonly pid: string; readonly scope: Jurisdiction; readonly from: number; readonly to: number }): Promise<boolean> {
  const rows = await readQuery(CASE_IN_SCOPE, { pid: q.pid, ...scopeParams(q.scope), from: int(q.from), to: int(q.to) }, (r) => r['inside'] === true);
  return rows[0] === true;
}
