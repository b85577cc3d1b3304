import { createHmac, hash, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { sealBytes, unseal, unsealBytes } from '../identity';
import { peopleSlice, type PeopleSlice } from './people-slice';
import { OpenedTraces } from './opened-traces';
import { decodeTraceResult, encodeShapedTrace, encodeTrace, openedTracePeople, openTrace, type OpenedTrace } from './trace-codec';
import type { ShapedTrace } from '../trace/assemble';
import { secretKey } from '../secrets';
import type { TraceResult } from '../types';
import { int, num, str } from '../db/convert';
import { readQuery, writeQuery } from '../db/driver';
import { conflict, notFound, type TruyvetError } from '../errors';
import type { Jurisdiction } from '../types';
import { scopeParams } from './jurisdiction';

/**
 * A trace opened through the API is kept as `(:TraceRecord)`: who opened it, on which request
 * of the health authority (requestRef) and for what purpose, plus the result, sealed
 * (AES-GCM, TRUYVET_DATA_KEY) because "who met whom, where and when" is as sensitive as the
 * movement data it comes from. It lives here, next to the rules of who may read it
 * (visibility.ts), rather than in the trace engine, which knows nothing about callers.
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

export interface TraceDecision {
  readonly by: string;
  /** Epoch ms. */
  readonly at: number;
  readonly note?: string;
}

export interface TraceRecord extends TraceRecordMeta {
  readonly result: TraceResult | undefined;
}

/** Why a trace's result cannot be read: it waits for approval, was rejected, or retention removed it. */
export function noResult(meta: Pick<TraceRecordMeta, 'id' | 'status'>): TruyvetError {
  if (meta.status === 'pending') return conflict(`trace '${meta.id}' waits for approval: nothing is traced yet`);
  if (meta.status === 'rejected') return conflict(`trace '${meta.id}' was rejected by an approver: nothing was traced`);
  return notFound(`the result of trace '${meta.id}' was removed by the retention rule`);
}

export function newTraceId(): string {
  return `tr${randomBytes(12).toString('hex')}`;
}

export const TRACE_ID_RE = /^tr[0-9a-f]{24}$/;

/** Results stay open a minute after they were stored or their last page was read (opened-traces.ts). */
const opened = new OpenedTraces({ ttlMs: 60_000, maxEntries: 8, maxBytes: 256 * 1024 * 1024 });

/**
 * Stores a trace and keeps it open for its pages; returns it opened, so that the caller can build
 * its first page from the columns. A ShapedTrace (what the API stores) is encoded without
 * building the result's objects.
 */
export async function saveTraceRecord(meta: Omit<TraceRecordMeta, 'hasResult' | 'status' | 'decision'>, result: TraceResult | ShapedTrace): Promise<OpenedTrace> {
  const { bytes, opened: open } = isShaped(result) ? encodeShapedTrace(result) : encodeTrace(result);
  const sealed = sealEncoded(bytes);
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
      result: sealed,
      members: memberDigests(meta.id, peopleOf(result)),
    },
    () => undefined,
  );
  // Its tracer reads it next (the view asks for the pages after the first).
  opened.put(meta.id, open);
  return open;
}

function isShaped(r: TraceResult | ShapedTrace): r is ShapedTrace {
  return 'head' in r;
}

// A stored result is `c.` + the compact encoding of trace-codec.ts, deflated, then sealed
// (sealBytes). Two older forms are still read: `z.` + deflated JSON, sealed, and sealed JSON. On
// the API benchmark's depth-2 traces (~6,000 people, ~85,000 contact edges) the JSON form cost
// ~230 ms of server time per trace to build and store, as much as the trace itself (docs/benchmarks.md,
// "What was tried"). A base64 string rather than a byte array: neo4j-driver packs and unpacks a byte array one
// byte at a time, and reading 10 MB of them took 2.5 s against 88 ms as a string.
// Compressing before encrypting leaks the compressed size, which only the server sees.
const ENCODED = 'c.';
const DEFLATED = 'z.';

function sealEncoded(bytes: Buffer): string {
  return ENCODED + sealBytes(deflateRawSync(bytes, { level: 1 }));
}

/** The encoded bytes of a stored result in the current form; undefined for an older form. */
function encodedBytes(sealed: string): Buffer | undefined {
  return sealed.startsWith(ENCODED) ? inflateRawSync(unsealBytes(sealed.slice(ENCODED.length))) : undefined;
}

function unsealResult(sealed: string): TraceResult {
  const bytes = encodedBytes(sealed);
  if (bytes) return decodeTraceResult(bytes);
  const json = sealed.startsWith(DEFLATED) ? inflateRawSync(unsealBytes(sealed.slice(DEFLATED.length))).toString('utf8') : unseal(sealed);
  return JSON.parse(json) as TraceResult;
}

const META = 't {.id, .owner, .requestRef, .purpose, .createdAt, .f0, .params, .stats, .peopleFound, .truncated, hasResult: t.result IS NOT NULL, status: coalesce(t.status, \'ready\'), .decidedBy, .decidedAt, .note}';

function toMeta(v: unknown): TraceRecordMeta {
  const t = v as Record<string, unknown>;
  return {
    id: str(t['id']),
    owner: str(t['owner']),
    requestRef: str(t['requestRef']),
    purpose: str(t['purpose']),
    createdAt: num(t['createdAt']),
    f0: str(t['f0']),
    params: JSON.parse(str(t['params'])) as TraceResult['params'],
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

export async function getTraceRecord(id: string, withResult: boolean): Promise<TraceRecord | undefined> {
  const rows = await readQuery(
    `MATCH (t:TraceRecord {id: $id}) RETURN ${META} AS t, CASE WHEN $withResult THEN t.result END AS result`,
    { id, withResult },
    (r) => ({ meta: toMeta(r['t']), sealed: r['result'] as unknown }),
  );
  const row = rows[0];
  if (!row) return undefined;
  const result = typeof row.sealed === 'string' ? unsealResult(row.sealed) : undefined;
  return { ...row.meta, result };
}

/**
 * A stored trace's metadata and peopleSlice(result, from, to) of its result, without building
 * the rest of it (decodeTracePeople); `slice` is undefined once retention removed the result.
 */
export async function getTraceRecordPeople(id: string, from: number, to: number): Promise<{ meta: TraceRecordMeta; slice: PeopleSlice | undefined } | undefined> {
  const open = opened.get(id);
  const rows = await readQuery(
    // The record is read every time, so a result that retention removed is never served from memory.
    `MATCH (t:TraceRecord {id: $id}) RETURN ${META} AS t, CASE WHEN $open THEN null ELSE t.result END AS result`,
    { id, open: open !== undefined },
    (r) => ({ meta: toMeta(r['t']), sealed: r['result'] as unknown }),
  );
  const row = rows[0];
  if (!row || !row.meta.hasResult) {
    opened.drop(id);
    return row && { meta: row.meta, slice: undefined };
  }
  if (open) return { meta: row.meta, slice: openedTracePeople(open, from, to) };
  if (typeof row.sealed !== 'string') return { meta: row.meta, slice: undefined };
  const bytes = encodedBytes(row.sealed);
  if (!bytes) return { meta: row.meta, slice: peopleSlice(unsealResult(row.sealed), from, to) };
  const fresh = openTrace(bytes);
  opened.put(id, fresh);
  return { meta: row.meta, slice: openedTracePeople(fresh, from, to) };
}

/** Forgets the results held open for their pages (tests; a process that must let them go now). */
export function forgetOpenedTraces(): void {
  opened.clear();
}

/**
 * Who a stored trace names, without unsealing its result (megabytes for a large trace, read on
 * every timeline): `members` holds a keyed digest of (trace, person) for F0 and every person
 * kept, so the list says nothing to a reader of the database, not even across traces.
 *
 * Version 2 (`membersV: 2`): a key per trace, HMAC(TRUYVET_DATA_KEY, trace id), then SHA-256 of
 * that key and the person, cut to 132 bits. An HMAC per person (version 1, still read) cost
 * ~2 µs against ~0.5: a quarter of storing a 10,000-person trace. Cut short, the digest gives
 * no length extension; without the trace's key, it says nothing of the person.
 */
function memberKey(traceId: string): string {
  return createHmac('sha256', secretKey('TRUYVET_DATA_KEY')).update(`trace-member-v2\u0000${traceId}`).digest('hex');
}

function memberDigestV2(key: string, pid: string): string {
  return hash('sha256', `${key}\u0000${pid}`, 'base64url').slice(0, 22);
}

function memberDigestV1(traceId: string, pid: string): string {
  return createHmac('sha256', secretKey('TRUYVET_DATA_KEY')).update(`trace-member\u0000${traceId}\u0000${pid}`).digest('base64url').slice(0, 22);
}

function memberDigests(traceId: string, pids: Iterable<string>): string[] {
  const key = memberKey(traceId);
  return Array.from(pids, (pid) => memberDigestV2(key, pid));
}

/**
 * A stored trace's metadata and whether it names `pid` (F0 or a person kept); undefined when no
 * such trace. `names` is false once retention removed the result.
 */
export async function traceNaming(id: string, pid: string): Promise<{ meta: TraceRecordMeta; names: boolean } | undefined> {
  const rows = await readQuery(
    `MATCH (t:TraceRecord {id: $id})
     RETURN ${META} AS t, t.result IS NOT NULL AND CASE WHEN t.membersV = 2 THEN $digest2 ELSE $digest1 END IN coalesce(t.members, []) AS names,
       t.members IS NULL AS old`,
    { id, digest1: memberDigestV1(id, pid), digest2: memberDigestV2(memberKey(id), pid) },
    (r) => ({ meta: toMeta(r['t']), names: r['names'] === true, old: r['old'] === true }),
  );
  const row = rows[0];
  if (!row) return undefined;
  if (!row.old) return { meta: row.meta, names: row.names };
  // Stored before `members` existed: the result says.
  const rec = await getTraceRecord(id, true);
  return rec && { meta: row.meta, names: rec.result !== undefined && peopleOf(rec.result).has(pid) };
}

export async function listTraceRecords(q: { owner?: string; skip: number; limit: number }): Promise<TraceRecordMeta[]> {
  return readQuery(
    `MATCH (t:TraceRecord) WHERE $owner IS NULL OR t.owner = $owner
     RETURN ${META} AS t ORDER BY t.createdAt DESC, t.id SKIP $skip LIMIT $limit`,
    { owner: q.owner ?? null, skip: int(q.skip), limit: int(q.limit) },
    (r) => toMeta(r['t']),
  );
}

/** Every person a stored trace names: F0 and the people it found. */
export function peopleOf(result: TraceResult | ShapedTrace): Set<string> {
  return new Set([isShaped(result) ? result.head.f0 : result.f0, ...result.people.map((p) => p.id)]);
}

// ---- requests that wait for an approver (TRUYVET_TRACE_APPROVAL=required) ----------------------

/** What a pending request keeps to be traced once approved: the engine's parameters. */
export interface TraceRequest {
  readonly meta: Omit<TraceRecordMeta, 'hasResult' | 'status' | 'decision' | 'stats' | 'peopleFound' | 'truncated'>;
  /** The trace's tolerance and the sensitivity panel's, in seconds; undefined: no panel. */
  readonly sensitivity: readonly number[] | undefined;
  /** The requester's jurisdiction: an approver with a jurisdiction signs only requests from inside it. */
  readonly scope: Jurisdiction | undefined;
}

/** Stores a request as a pending trace: its metadata and parameters, no result. */
export async function savePendingTrace(r: TraceRequest): Promise<void> {
  const scope = scopeParams(r.scope);
  await writeQuery(
    `CREATE (t:TraceRecord {id: $id, owner: $owner, requestRef: $requestRef, purpose: $purpose, createdAt: $createdAt,
       f0: $f0, params: $params, stats: $stats, peopleFound: 0, truncated: false, status: 'pending', sensitivity: $sensitivity,
       scopeProvince: $province, scopeDistrict: $district, scopeCommune: $commune})`,
    {
      id: r.meta.id,
      owner: r.meta.owner,
      requestRef: r.meta.requestRef,
      purpose: r.meta.purpose,
      createdAt: int(r.meta.createdAt),
      f0: r.meta.f0,
      params: JSON.stringify(r.meta.params),
      stats: JSON.stringify({ people: 0, contacts: 0, milliseconds: 0 }),
      sensitivity: r.sensitivity === undefined ? null : r.sensitivity.map((x) => int(x)),
      ...scope,
    },
    () => undefined,
  );
}

/**
 * The approver's side of a request: whether the request lies inside the approver's scope (the
 * requester's jurisdiction inside the approver's; a national request only for a national
 * approver), and, when it does, what tracing it needs.
 */
const IN_APPROVER_SCOPE = `($province IS NULL OR (t.scopeProvince = $province AND ($district IS NULL OR t.scopeDistrict = $district)
  AND ($commune IS NULL OR t.scopeCommune = $commune)))`;

export async function getTraceRequest(
  id: string,
  approverScope: Jurisdiction | undefined,
): Promise<{ meta: TraceRecordMeta; inside: boolean; sensitivity: number[] | undefined } | undefined> {
  const rows = await readQuery(
    `MATCH (t:TraceRecord {id: $id}) RETURN ${META} AS t, ${IN_APPROVER_SCOPE} AS inside, t.sensitivity AS sensitivity`,
    { id, ...scopeParams(approverScope) },
    (r) => ({ meta: toMeta(r['t']), inside: r['inside'] === true, sensitivity: Array.isArray(r['sensitivity']) ? r['sensitivity'].map(num) : undefined }),
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

/**
 * Records an approver's rejection of a pending request inside their scope; false when it is no
 * longer pending (decided meanwhile) or outside the scope.
 */
export async function rejectPendingTrace(id: string, approverScope: Jurisdiction | undefined, decision: TraceDecision): Promise<boolean> {
  const rows = await writeQuery(
    `MATCH (t:TraceRecord {id: $id}) WHERE t.status = 'pending' AND ${IN_APPROVER_SCOPE}
     SET t.status = 'rejected', t.decidedBy = $by, t.decidedAt = $at, t.note = $note
     RETURN t.id AS id`,
    { id, ...scopeParams(approverScope), by: decision.by, at: int(decision.at), note: decision.note ?? null },
    (r) => str(r['id']),
  );
  return rows.length > 0;
}

/**
 * Stores the result of an approved request on its pending record, in one write with the
 * decision, and keeps it open for its tracer's pages; undefined when the record is no longer
 * pending (another approver decided meanwhile) or outside the scope: then nothing is stored.
 */
export async function completePendingTrace(
  meta: Pick<TraceRecordMeta, 'id' | 'params' | 'stats' | 'peopleFound' | 'truncated'>,
  result: TraceResult | ShapedTrace,
  approverScope: Jurisdiction | undefined,
  decision: TraceDecision,
): Promise<OpenedTrace | undefined> {
  const { bytes, opened: open } = isShaped(result) ? encodeShapedTrace(result) : encodeTrace(result);
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
      result: sealEncoded(bytes),
      members: memberDigests(meta.id, peopleOf(result)),
      by: decision.by,
      at: int(decision.at),
      note: decision.note ?? null,
    },
    (r) => str(r['id']),
  );
  if (rows.length === 0) return undefined;
  opened.put(meta.id, open);
  return open;
}
