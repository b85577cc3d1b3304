import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { int, num, str } from './convert';
import { readQuery } from './driver';
import { CELL_SEEK, spansParam } from './passages';

/**
 * Venue exposure (issue 22.6): everyone at one station in a window, one row per person. The
 * scope is a parameter of both statements: a station outside it reads as unknown to the first
 * and matches nothing in the second, whatever the handler checked before.
 */

export const STATION_SCOPE = `
OPTIONAL MATCH (st:Station {id: $stationId})
RETURN st IS NOT NULL AS known,
       coalesce(($province IS NULL OR st.province = $province)
                AND ($district IS NULL OR st.district = $district)
                AND ($commune IS NULL OR st.commune = $commune), false) AS inside`;

/**
 * Per person: the first instant and the last at the station touching [from, to], the passages,
 * and the longest single stay clipped to the window (a close exposure is one continuous stay,
 * not scans added up). One bounded range seek per duration class (engine/windows.ts).
 */
export const AT_VENUE = `
MATCH (st:Station {id: $stationId})
WHERE ($province IS NULL OR st.province = $province)
  AND ($district IS NULL OR st.district = $district)
  AND ($commune IS NULL OR st.commune = $commune)
UNWIND $spans AS sp
MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station = st.id AND x.span = sp[0] AND x.at >= $from - sp[1] AND x.at <= $to AND x.leftAt >= $from
WITH x.pid AS pid, x.at AS at, x.leftAt AS leftAt
WITH pid, min(at) AS firstAt, max(leftAt) AS lastAt, count(*) AS passages,
     max((CASE WHEN leftAt < $to THEN leftAt ELSE $to END) - (CASE WHEN at > $from THEN at ELSE $from END)) AS longestMs
RETURN pid, firstAt, lastAt, passages, longestMs
ORDER BY firstAt, pid
LIMIT $limit`;

export interface VenueRow {
  readonly pid: string;
  /** Epoch ms, unclipped: the person's first arrival and last departure among passages touching the window. */
  readonly firstAt: number;
  readonly lastAt: number;
  readonly passages: number;
  /** The longest single stay inside the window, ms. */
  readonly longestMs: number;
}

export async function stationScope(stationId: string, scope: Jurisdiction | undefined): Promise<{ known: boolean; inside: boolean }> {
  const [row] = await readQuery(STATION_SCOPE, { stationId, ...scopeParams(scope) }, (r) => ({ known: r['known'] === true, inside: r['inside'] === true }));
  return row ?? { known: false, inside: false };
}

/** The people at `stationId` touching [from, to], in order of arrival, at most `limit`; none outside the scope. */
export async function peopleAtVenue(q: { stationId: string; scope: Jurisdiction | undefined; from: number; to: number; limit: number }): Promise<VenueRow[]> {
  return readQuery(AT_VENUE, { stationId: q.stationId, ...scopeParams(q.scope), spans: spansParam(), from: int(q.from), to: int(q.to), limit: int(q.limit) }, (r) => ({
    pid: str(r['pid']),
    firstAt: num(r['firstAt']),
    lastAt: num(r['lastAt']),
    passages: num(r['passages']),
    longestMs: num(r['longestMs']),
  }));
}
