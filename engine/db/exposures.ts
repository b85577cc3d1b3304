import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { int, num, str } from './convert';
import { readQuery, writeQuery } from './driver';
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

// ---- stored exposures ---------------------------------------------------------------------------

/** A stored exposure's metadata (params and stats as the engine gave them). */
export interface ExposureRecordMeta {
  readonly id: string;
  readonly owner: string;
  readonly requestRef: string;
  readonly purpose: string;
  readonly createdAt: number;
  readonly stationId: string;
  readonly params: Record<string, unknown>;
  readonly stats: Record<string, unknown>;
  readonly peopleFound: number;
  readonly truncated: boolean;
  readonly hasResult: boolean;
}

const EXPOSURE_META = 'e {.id, .owner, .requestRef, .purpose, .createdAt, .stationId, .params, .stats, .peopleFound, .truncated, hasResult: e.result IS NOT NULL}';

function toExposureMeta(v: unknown): ExposureRecordMeta {
  const e = v as Record<string, unknown>;
  return {
    id: str(e['id']),
    owner: str(e['owner']),
    requestRef: str(e['requestRef']),
    purpose: str(e['purpose']),
    createdAt: num(e['createdAt']),
    stationId: str(e['stationId']),
    params: JSON.parse(str(e['params'])) as Record<string, unknown>,
    stats: JSON.parse(str(e['stats'])) as Record<string, unknown>,
    peopleFound: num(e['peopleFound']),
    truncated: e['truncated'] === true,
    hasResult: e['hasResult'] === true,
  };
}

/** Writes a stored exposure with its sealed people. */
export async function createExposureRecord(meta: Omit<ExposureRecordMeta, 'hasResult'>, sealed: string): Promise<void> {
  await writeQuery(
    `CREATE (e:ExposureRecord {id: $id, owner: $owner, requestRef: $requestRef, purpose: $purpose, createdAt: $createdAt,
       stationId: $stationId, params: $params, stats: $stats, peopleFound: $peopleFound, truncated: $truncated, result: $result})
     RETURN e.id AS id`,
    {
      ...meta,
      createdAt: int(meta.createdAt),
      params: JSON.stringify(meta.params),
      stats: JSON.stringify(meta.stats),
      peopleFound: int(meta.peopleFound),
      result: sealed,
    },
    () => undefined,
  );
}

/** A stored exposure's metadata and, when `withResult`, its sealed people; undefined when there is none. */
export async function readExposureRecord(id: string, withResult: boolean): Promise<{ meta: ExposureRecordMeta; sealed: string | undefined } | undefined> {
  const rows = await readQuery(
    `MATCH (e:ExposureRecord {id: $id}) RETURN ${EXPOSURE_META} AS e, CASE WHEN $withResult THEN e.result END AS result`,
    { id, withResult },
    (r) => ({ meta: toExposureMeta(r['e']), sealed: typeof r['result'] === 'string' ? r['result'] : undefined }),
  );
  return rows[0];
}

const EXPOSURE_RESULTS = (dry: boolean) => `
MATCH (e:ExposureRecord) WHERE e.createdAt < $cut AND e.result IS NOT NULL
${dry ? '' : 'SET e.result = null, e.resultPurgedAt = $now'}
RETURN count(e) AS n`;

/** Removes (or counts, `dryRun`) the sealed people, not the metadata, of venue exposures stored before `cut`: as traces'. */
export async function clearExposureResults(cut: number, now: number, dryRun: boolean): Promise<number> {
  const params = { cut: int(cut), now: int(now) };
  const [n] = dryRun ? await readQuery(EXPOSURE_RESULTS(true), params, (r) => num(r['n'])) : await writeQuery(EXPOSURE_RESULTS(false), params, (r) => num(r['n']));
  return n ?? 0;
}
