import { scopeParams } from '../jurisdiction';
import { DEFAULT_CLOSE_SECONDS, type Jurisdiction, type TraceResult } from '../types';
import { IN_APPROVER_SCOPE as inApproverScope, rejectPending, type ApprovalDecision } from './approval-scope';
import { int, num, str } from './convert';
import { readQuery, writeQuery } from './driver';

/**
 * Stored traces, `(:TraceRecord)`: who opened a trace, on which request of the health authority
 * (requestRef) and for what purpose, its parameters and counts, and its result, sealed
 * (engine/trace-store/codec.ts) with a keyed digest of every person it names (`members`,
 * engine/trace-store/members.ts). Every statement of stored traces is here; engine/trace-store/
 * decides what goes in and reads what comes out.
 */

export interface TraceRecordMeta {
  readonly id: string;
  readonly owner: string;
  readonly requestRef: string;
  readonly purpose: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** The case's pseudonymous id. */
  readonly f0: string;
  readonly params: TraceResult['params'];
  readonly stats: TraceResult['stats'];
  /** People the engine found (before any cut). */
  readonly peopleFound: number;
  /** True when the stored result keeps fewer people than found (the result cap). */
  readonly truncated: boolean;
  /** False once retention removed the result (the metadata stays for accountability), and while none was made yet. */
  readonly hasResult: boolean;
  /**
   * `ready`: traced (the result is there unless retention removed it); `pending`: a request that
   * waits for an approver (TRUYVET_TRACE_APPROVAL=required), nothing traced yet; `rejected`: an
   * approver refused it, nothing was traced.
   */
  readonly status: TraceStatus;
  /** Who approved or rejected the request, when and why; absent for a trace that needed no approval. */
  readonly decision?: TraceDecision;
}

export const TRACE_STATUSES = ['pending', 'rejected', 'ready'] as const;
export type TraceStatus = (typeof TRACE_STATUSES)[number];

export type TraceDecision = ApprovalDecision;

/** A traced record's metadata as it is written (status and result flags follow from the write). */
export type TracedMeta = Omit<TraceRecordMeta, 'hasResult' | 'status' | 'decision'>;

/** What a record keeps of its result: the sealed encoding and the digests of the people it names (version 2). */
export interface SealedResult {
  readonly sealed: string;
  readonly members: readonly string[];
}

const META = "t {.id, .owner, .requestRef, .purpose, .createdAt, .f0, .params, .stats, .peopleFound, .truncated, hasResult: t.result IS NOT NULL, status: coalesce(t.status, 'ready'), .decidedBy, .decidedAt, .note}";

function toMeta(v: unknown): TraceRecordMeta {
  const t = v as Record<string, unknown>;
  return {
    id: str(t['id']),
    owner: str(t['owner']),
    requestRef: str(t['requestRef']),
    purpose: str(t['purpose']),
    createdAt: num(t['createdAt']),
    f0: str(t['f0']),
    // Records stored before close contacts (issue 25) traced every contact, classes read at 900 s.
    params: { closeSeconds: DEFAULT_CLOSE_SECONDS, closeOnly: false, ...(JSON.parse(str(t['params'])) as Partial<TraceResult['params']>) } as TraceResult['params'],
    stats: JSON.parse(str(t['stats'])) as TraceResult['stats'],
    peopleFound: num(t['peopleFound']),
    truncated: t['truncated'] === true,
    hasResult: t['hasResult'] === true,
    status: str(t['status']) as TraceStatus,
    ...(typeof t['decidedBy'] === 'string'
      ? { decision: { by: t['decidedBy'], at: num(t['decidedAt']), ...(typeof t['note'] === 'string' ? { note: t['note'] } : {}) } }
      : {}),
  };
}

/** Writes a traced record with its result. */
export async function createTraceRecord(meta: TracedMeta, result: SealedResult): Promise<void> {
  await writeQuery(
    `CREATE (t:TraceRecord {id: $id, owner: $owner, requestRef: $requestRef, purpose: $purpose, createdAt: $createdAt,
       f0: $f0, params: $params, stats: $stats, peopleFound: $peopleFound, truncated: $truncated, result: $result,
       members: $members, membersV: 2, status: 'ready'})
     RETURN t.id AS id`,
    {
      id: meta.id,
      owner: meta.owner,
      requestRef: meta.requestRef,
      purpose: meta.purpose,
      createdAt: int(meta.createdAt),
      f0: meta.f0,
      params: JSON.stringify(meta.params),
      stats: JSON.stringify(meta.stats),
      peopleFound: int(meta.peopleFound),
      truncated: meta.truncated,
      result: result.sealed,
      members: [...result.members],
    },
    () => undefined,
  );
}

/**
 * A record's metadata and, when `withResult`, its sealed result (undefined once retention
 * removed it); undefined when there is no such record.
 */
export async function readTraceRecord(id: string, withResult: boolean): Promise<{ meta: TraceRecordMeta; sealed: string | undefined } | undefined> {
  const rows = await readQuery(
    `MATCH (t:TraceRecord {id: $id}) RETURN ${META} AS t, CASE WHEN $withResult THEN t.result END AS result`,
    { id, withResult },
    (r) => ({ meta: toMeta(r['t']), sealed: typeof r['result'] === 'string' ? r['result'] : undefined }),
  );
  return rows[0];
}

/**
 * A record's metadata and whether its member digests hold `digests.v2` (a record of version 2)
 * or `digests.v1` (one stored before); `names` is false once retention removed the result, and
 * `old` true for a record stored before member digests existed.
 */
export async function readTraceMembership(id: string, digests: { v1: string; v2: string }): Promise<{ meta: TraceRecordMeta; names: boolean; old: boolean } | undefined> {
  const rows = await readQuery(
    `MATCH (t:TraceRecord {id: $id})
     RETURN ${META} AS t, t.result IS NOT NULL AND CASE WHEN t.membersV = 2 THEN $digest2 ELSE $digest1 END IN coalesce(t.members, []) AS names,
       t.members IS NULL AS old`,
    { id, digest1: digests.v1, digest2: digests.v2 },
    (r) => ({ meta: toMeta(r['t']), names: r['names'] === true, old: r['old'] === true }),
  );
  return rows[0];
}

export async function listTraceRecords(q: { owner?: string; skip: number; limit: number }): Promise<TraceRecordMeta[]> {
  return readQuery(
    `MATCH (t:TraceRecord) WHERE $owner IS NULL OR t.owner = $owner
     RETURN ${META} AS t ORDER BY t.createdAt DESC, t.id SKIP $skip LIMIT $limit`,
    { owner: q.owner ?? null, skip: int(q.skip), limit: int(q.limit) },
    (r) => toMeta(r['t']),
  );
}

// ---- requests that wait for an approver (TRUYVET_TRACE_APPROVAL=required) ----------------------

/** A pending request as it is written: no stats, nothing found yet. */
export type PendingMeta = Omit<TraceRecordMeta, 'hasResult' | 'status' | 'decision' | 'stats' | 'peopleFound' | 'truncated'>;

/**
 * Stores a request as a pending trace: its metadata and parameters, no result. `tolerances`: the
 * trace's own and the sensitivity panel's, in seconds (undefined: no panel); `scope`: the
 * requester's jurisdiction, which an approver's must contain.
 */
export async function createPendingTrace(meta: PendingMeta, tolerances: readonly number[] | undefined, scope: Jurisdiction | undefined): Promise<void> {
  await writeQuery(
    `CREATE (t:TraceRecord {id: $id, owner: $owner, requestRef: $requestRef, purpose: $purpose, createdAt: $createdAt,
       f0: $f0, params: $params, stats: $stats, peopleFound: 0, truncated: false, status: 'pending', sensitivity: $sensitivity,
       scopeProvince: $province, scopeDistrict: $district, scopeCommune: $commune})`,
    {
      id: meta.id,
      owner: meta.owner,
      requestRef: meta.requestRef,
      purpose: meta.purpose,
      createdAt: int(meta.createdAt),
      f0: meta.f0,
      params: JSON.stringify(meta.params),
      stats: JSON.stringify({ people: 0, contacts: 0, closePeople: 0, milliseconds: 0 }),
      sensitivity: tolerances === undefined ? null : tolerances.map((x) => int(x)),
      ...scopeParams(scope),
    },
    () => undefined,
  );
}

/**
 * The approver's side of a request: whether the request lies inside the approver's scope (the
 * requester's jurisdiction inside the approver's; a national request only for a national
 * approver), and, when it does, what tracing it needs.
 */
const IN_APPROVER_SCOPE = inApproverScope('t');

/** A request's metadata, whether it is inside the approver's scope, and its stored tolerances (createPendingTrace). */
export async function readTraceRequest(
  id: string,
  approverScope: Jurisdiction | undefined,
): Promise<{ meta: TraceRecordMeta; inside: boolean; tolerances: number[] | undefined } | undefined> {
  const rows = await readQuery(
    `MATCH (t:TraceRecord {id: $id}) RETURN ${META} AS t, ${IN_APPROVER_SCOPE} AS inside, t.sensitivity AS sensitivity`,
    { id, ...scopeParams(approverScope) },
    (r) => ({ meta: toMeta(r['t']), inside: r['inside'] === true, tolerances: Array.isArray(r['sensitivity']) ? r['sensitivity'].map(num) : undefined }),
  );
  return rows[0];
}

/** Pending requests inside the approver's scope, oldest first (the queue to work through). */
export async function listPendingTraces(q: { scope: Jurisdiction | undefined; skip: number; limit: number }): Promise<TraceRecordMeta[]> {
  return readQuery(
    `MATCH (t:TraceRecord) WHERE t.status = 'pending' AND ${IN_APPROVER_SCOPE}
     RETURN ${META} AS t ORDER BY t.createdAt, t.id SKIP $skip LIMIT $limit`,
    { ...scopeParams(q.scope), skip: int(q.skip), limit: int(q.limit) },
    (r) => toMeta(r['t']),
  );
}

/** Records an approver's rejection of a pending trace request (approval-scope.ts rejectPending). */
export function rejectPendingTrace(id: string, approverScope: Jurisdiction | undefined, decision: TraceDecision): Promise<boolean> {
  return rejectPending('TraceRecord', id, approverScope, decision);
}

/**
 * Stores the result of an approved request on its pending record, in one write with the
 * decision; false when the record is no longer pending (another approver decided meanwhile) or
 * outside the scope: then nothing is stored.
 */
export async function completePendingTrace(
  meta: Pick<TraceRecordMeta, 'id' | 'params' | 'stats' | 'peopleFound' | 'truncated'>,
  result: SealedResult,
  approverScope: Jurisdiction | undefined,
  decision: TraceDecision,
): Promise<boolean> {
  const rows = await writeQuery(
    `MATCH (t:TraceRecord {id: $id}) WHERE t.status = 'pending' AND ${IN_APPROVER_SCOPE}
     SET t.params = $params, t.stats = $stats, t.peopleFound = $peopleFound, t.truncated = $truncated, t.result = $result,
       t.members = $members, t.membersV = 2, t.status = 'ready', t.decidedBy = $by, t.decidedAt = $at, t.note = $note
     RETURN t.id AS id`,
    {
      id: meta.id,
      ...scopeParams(approverScope),
      params: JSON.stringify(meta.params),
      stats: JSON.stringify(meta.stats),
      peopleFound: int(meta.peopleFound),
      truncated: meta.truncated,
      result: result.sealed,
      members: [...result.members],
      by: decision.by,
      at: int(decision.at),
      note: decision.note ?? null,
    },
    (r) => str(r['id']),
  );
  return rows.length > 0;
}
