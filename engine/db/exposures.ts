import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { IN_APPROVER_SCOPE as inApproverScope, rejectPending, type ApprovalDecision } from './approval-scope';
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

/**
 * `ready`: read (the people are there unless retention removed them); `pending`: a request that
 * waits for an approver (TRUYVET_TRACE_APPROVAL=required), nothing read yet; `rejected`: an
 * approver refused it, nothing was read. The statuses of stored traces.
 */
export type ExposureStatus = 'pending' | 'rejected' | 'ready';

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
  /** Exposures stored before the approval step are `ready`. */
  readonly status: ExposureStatus;
  /** Who approved or rejected the request, when and why; absent for one that needed no approval. */
  readonly decision?: ApprovalDecision;
}

/** A read exposure's metadata as it is written (status and result flags follow from the write). */
export type ReadExposureMeta = Omit<ExposureRecordMeta, 'hasResult' | 'status' | 'decision'>;

const EXPOSURE_META =
  "e {.id, .owner, .requestRef, .purpose, .createdAt, .stationId, .params, .stats, .peopleFound, .truncated, hasResult: e.result IS NOT NULL, status: coalesce(e.status, 'ready'), .decidedBy, .decidedAt, .note}";

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
    status: str(e['status']) as ExposureStatus,
    ...(typeof e['decidedBy'] === 'string'
      ? { decision: { by: e['decidedBy'], at: num(e['decidedAt']), ...(typeof e['note'] === 'string' ? { note: e['note'] } : {}) } }
      : {}),
  };
}

/** Writes a stored exposure with its sealed people. */
export async function createExposureRecord(meta: ReadExposureMeta, sealed: string): Promise<void> {
  await writeQuery(
    `CREATE (e:ExposureRecord {id: $id, owner: $owner, requestRef: $requestRef, purpose: $purpose, createdAt: $createdAt,
       stationId: $stationId, params: $params, stats: $stats, peopleFound: $peopleFound, truncated: $truncated, result: $result, status: 'ready'})
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

/** Stored exposures' metadata, newest first: one owner's, or everyone's (`owner` absent). */
export async function listExposureRecords(q: { owner?: string; skip: number; limit: number }): Promise<ExposureRecordMeta[]> {
  return readQuery(
    `MATCH (e:ExposureRecord) WHERE $owner IS NULL OR e.owner = $owner
     RETURN ${EXPOSURE_META} AS e ORDER BY e.createdAt DESC, e.id SKIP $skip LIMIT $limit`,
    { owner: q.owner ?? null, skip: int(q.skip), limit: int(q.limit) },
    (r) => toExposureMeta(r['e']),
  );
}

// ---- requests that wait for an approver (TRUYVET_TRACE_APPROVAL=required) ----------------------

const IN_APPROVER_SCOPE = inApproverScope('e');

/** A pending request as it is written: its window, no stats, nothing found yet. */
export type PendingExposureMeta = Omit<ExposureRecordMeta, 'hasResult' | 'status' | 'decision' | 'stats' | 'peopleFound' | 'truncated'>;

/**
 * Stores a request as a pending exposure: its metadata and parameters, no people. `followUp`:
 * open follow-ups once it is read; `scope`: the requester's jurisdiction, which an approver's must
 * contain and the read, once approved, keeps to.
 */
export async function createPendingExposure(meta: PendingExposureMeta, followUp: boolean, scope: Jurisdiction | undefined): Promise<void> {
  await writeQuery(
    `CREATE (e:ExposureRecord {id: $id, owner: $owner, requestRef: $requestRef, purpose: $purpose, createdAt: $createdAt,
       stationId: $stationId, params: $params, stats: $stats, peopleFound: 0, truncated: false, status: 'pending', followUp: $followUp,
       scopeProvince: $province, scopeDistrict: $district, scopeCommune: $commune})`,
    {
      id: meta.id,
      owner: meta.owner,
      requestRef: meta.requestRef,
      purpose: meta.purpose,
      createdAt: int(meta.createdAt),
      stationId: meta.stationId,
      params: JSON.stringify(meta.params),
      stats: JSON.stringify({ people: 0, closePeople: 0, milliseconds: 0 }),
      followUp,
      ...scopeParams(scope),
    },
    () => undefined,
  );
}

/** A stored request as an approver meets it: whether it lies inside the approver's scope, and what reading it needs. */
export interface ExposureRequestRow {
  readonly meta: ExposureRecordMeta;
  readonly inside: boolean;
  readonly followUp: boolean;
  /** The requester's jurisdiction, as stored with the request. */
  readonly requesterScope: Jurisdiction | undefined;
}

export async function readExposureRequest(id: string, approverScope: Jurisdiction | undefined): Promise<ExposureRequestRow | undefined> {
  const rows = await readQuery(
    `MATCH (e:ExposureRecord {id: $id})
     RETURN ${EXPOSURE_META} AS e, ${IN_APPROVER_SCOPE} AS inside, e.followUp = true AS followUp, e.scopeProvince AS sp, e.scopeDistrict AS sd, e.scopeCommune AS sc`,
    { id, ...scopeParams(approverScope) },
    (r) => {
      const province = typeof r['sp'] === 'string' ? r['sp'] : undefined;
      const requesterScope: Jurisdiction | undefined =
        province === undefined
          ? undefined
          : { province, ...(typeof r['sd'] === 'string' ? { district: r['sd'] } : {}), ...(typeof r['sc'] === 'string' ? { commune: r['sc'] } : {}) };
      return { meta: toExposureMeta(r['e']), inside: r['inside'] === true, followUp: r['followUp'] === true, requesterScope };
    },
  );
  return rows[0];
}

/** Pending exposure requests inside the approver's scope, oldest first (the queue to work through). */
export async function listPendingExposures(q: { scope: Jurisdiction | undefined; skip: number; limit: number }): Promise<{ meta: ExposureRecordMeta; followUp: boolean }[]> {
  return readQuery(
    `MATCH (e:ExposureRecord) WHERE e.status = 'pending' AND ${IN_APPROVER_SCOPE}
     RETURN ${EXPOSURE_META} AS e, e.followUp = true AS followUp ORDER BY e.createdAt, e.id SKIP $skip LIMIT $limit`,
    { ...scopeParams(q.scope), skip: int(q.skip), limit: int(q.limit) },
    (r) => ({ meta: toExposureMeta(r['e']), followUp: r['followUp'] === true }),
  );
}

/** Records an approver's rejection of a pending exposure request (approval-scope.ts rejectPending). */
export function rejectPendingExposure(id: string, approverScope: Jurisdiction | undefined, decision: ApprovalDecision): Promise<boolean> {
  return rejectPending('ExposureRecord', id, approverScope, decision);
}

/**
 * Stores the people of an approved request on its pending record, in one write with the
 * decision; false when it is no longer pending (another approver decided meanwhile) or outside
 * the scope: then nothing is stored.
 */
export async function completePendingExposure(
  meta: Pick<ExposureRecordMeta, 'id' | 'params' | 'stats' | 'peopleFound' | 'truncated'>,
  sealed: string,
  approverScope: Jurisdiction | undefined,
  decision: ApprovalDecision,
): Promise<boolean> {
  const rows = await writeQuery(
    `MATCH (e:ExposureRecord {id: $id}) WHERE e.status = 'pending' AND ${IN_APPROVER_SCOPE}
     SET e.params = $params, e.stats = $stats, e.peopleFound = $peopleFound, e.truncated = $truncated, e.result = $result,
       e.status = 'ready', e.decidedBy = $by, e.decidedAt = $at, e.note = $note
     RETURN e.id AS id`,
    {
      id: meta.id,
      ...scopeParams(approverScope),
      params: JSON.stringify(meta.params),
      stats: JSON.stringify(meta.stats),
      peopleFound: int(meta.peopleFound),
      truncated: meta.truncated,
      result: sealed,
      by: decision.by,
      at: int(decision.at),
      note: decision.note ?? null,
    },
    (r) => str(r['id']),
  );
  return rows.length > 0;
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
