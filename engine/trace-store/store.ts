import { closeSeconds as closeSecondsSetting } from '../config';
import * as db from '../db/traces';
import type { SealedResult, TraceDecision, TracedMeta, TraceRecordMeta } from '../db/traces';
import { notFound } from '../errors';
import { fullIdentities, traceAccess, type FullIdentity, type Home, type Viewer } from '../privacy/visibility';
import { isoUtc } from '../time';
import type { ShapedTrace, TraceHead } from '../trace/assemble';
import { tolerancesOf, type TraceRequest } from '../trace/request';
import type { SensitivityRow } from '../trace/sensitivity';
import type { Jurisdiction, TraceResult } from '../types';
import { encodeShapedTrace, encodeTrace, openedTracePeople, openTrace, sealTrace, unsealedBytes, unsealTrace, type OpenedTrace } from './codec';
import { isShaped, memberDigest, memberDigests, peopleOf } from './members';
import { OpenedTraces } from './opened';
import { capResult, pageFromSlice, pageRange, peopleSlice, type PageNumbers, type PeopleSlice } from './pages';
import type { NewTrace } from './record';

/**
 * Stored trace results: what the API calls to store a trace and to read it back a page at a
 * time. A trace opened through the API is kept as `(:TraceRecord)` (engine/db/traces.ts) with its
 * result sealed (AES-GCM, TRUYVET_DATA_KEY; codec.ts), because "who met whom, where and when" is
 * as sensitive as the movement data it comes from. Who may read what is decided by
 * engine/privacy/ (visibility.ts); this folder only keeps, opens and pages the results.
 *
 * The entry points: storeTrace (a trace just traced → its first page), readTracePage (a page, or
 * the metadata a reader may see), requestTrace / readTraceRequest / storeApprovedTrace (the
 * approval step, TRUYVET_TRACE_APPROVAL=required).
 */

export interface TraceRecord extends TraceRecordMeta {
  readonly result: TraceResult | undefined;
}

/** Results stay open a minute after they were stored or their last page was read (opened.ts). */
const opened = new OpenedTraces({ ttlMs: 60_000, maxEntries: 8, maxBytes: 256 * 1024 * 1024 });

function sealed(id: string, result: TraceResult | ShapedTrace): { stored: SealedResult; open: OpenedTrace } {
  const { bytes, opened: open } = isShaped(result) ? encodeShapedTrace(result) : encodeTrace(result);
  return { stored: { sealed: sealTrace(bytes), members: memberDigests(id, peopleOf(result)) }, open };
}

/**
 * Stores a trace and keeps it open for its pages; returns it opened, so that the caller can build
 * its first page from the columns. A ShapedTrace (what the API stores) is encoded without
 * building the result's objects.
 */
export async function saveTraceRecord(meta: TracedMeta, result: TraceResult | ShapedTrace): Promise<OpenedTrace> {
  const { stored, open } = sealed(meta.id, result);
  await db.createTraceRecord(meta, stored);
  // Its tracer reads it next (the view asks for the pages after the first).
  opened.put(meta.id, open);
  return open;
}

export async function getTraceRecord(id: string, withResult: boolean): Promise<TraceRecord | undefined> {
  const row = await db.readTraceRecord(id, withResult);
  if (!row) return undefined;
  return { ...row.meta, result: row.sealed === undefined ? undefined : unsealTrace(row.sealed) };
}

/**
 * A stored trace's metadata and peopleSlice(result, from, to) of its result, without building
 * the rest of it (codec.ts, openedTracePeople); `slice` is undefined once retention removed the result.
 */
export async function getTraceRecordPeople(id: string, from: number, to: number): Promise<{ meta: TraceRecordMeta; slice: PeopleSlice | undefined } | undefined> {
  const open = opened.get(id);
  // The record is read every time, so a result that retention removed is never served from memory.
  const row = await db.readTraceRecord(id, open === undefined);
  if (!row || !row.meta.hasResult) {
    opened.drop(id);
    return row && { meta: row.meta, slice: undefined };
  }
  if (open) return { meta: row.meta, slice: openedTracePeople(open, from, to) };
  if (row.sealed === undefined) return { meta: row.meta, slice: undefined };
  const bytes = unsealedBytes(row.sealed);
  if (!bytes) return { meta: row.meta, slice: peopleSlice(unsealTrace(row.sealed), from, to) };
  const fresh = openTrace(bytes);
  opened.put(id, fresh);
  return { meta: row.meta, slice: openedTracePeople(fresh, from, to) };
}

/** Forgets the results held open for their pages (tests; a process that must let them go now). */
export function forgetOpenedTraces(): void {
  opened.clear();
}

/**
 * A stored trace's metadata and whether it names `pid` (F0 or a person kept); undefined when no
 * such trace. `names` is false once retention removed the result.
 */
export async function traceNaming(id: string, pid: string): Promise<{ meta: TraceRecordMeta; names: boolean } | undefined> {
  const row = await db.readTraceMembership(id, memberDigest(id, pid));
  if (!row) return undefined;
  if (!row.old) return { meta: row.meta, names: row.names };
  // Stored before `members` existed: the result says.
  const rec = await getTraceRecord(id, true);
  return rec && { meta: row.meta, names: rec.result !== undefined && peopleOf(rec.result).has(pid) };
}

export { listPendingTraces, listTraceRecords, rejectPendingTrace } from '../db/traces';

// ---- pages ---------------------------------------------------------------------------------------

/**
 * A page of a stored trace as its tracer reads it: the record, the result's head (f0, params,
 * stats, the sensitivity rows), the page's people and the contacts that reached them, and the
 * identities of F0 and the page's people: in full for those living inside the reader's
 * jurisdiction (the query decides, privacy/visibility.ts), only the home of the others.
 */
export interface TracePage {
  readonly meta: TraceRecordMeta;
  readonly head: TraceHead<{ sensitivity?: SensitivityRow[] }>;
  readonly people: TraceResult['people'];
  readonly contacts: TraceResult['contacts'];
  readonly page: PageNumbers;
  readonly identities: Record<string, FullIdentity>;
  readonly outside: Record<string, Home>;
}

async function pageOf(meta: TraceRecordMeta, slice: PeopleSlice, number: number, size: number, scope: Jurisdiction | undefined): Promise<TracePage> {
  const { people: _people, contacts: _contacts, ...head } = slice.result;
  const page = pageFromSlice(slice, number, size);
  const { identities, outside } = await fullIdentities([head.f0, ...page.people.map((p) => p.id)], scope);
  return { meta, head, ...page, identities, outside };
}

export interface StoreOptions {
  /** The result cap: the first people kept (pages.ts, capResult). */
  readonly maxPeople: number;
  readonly pageSize: number;
  /** The tracer's jurisdiction, for the first page's identities. */
  readonly scope: Jurisdiction | undefined;
}

function tracedMeta(found: ShapedTrace, o: Pick<StoreOptions, 'maxPeople'>) {
  const { result, truncated } = capResult(found, o.maxPeople);
  const { f0, params, stats } = result.head;
  return { result, meta: { f0, params, stats, peopleFound: found.people.length, truncated } };
}

/**
 * Caps and stores what a trace `found` for `trace`, keeps it open for its pages, and answers
 * its first page for its tracer.
 */
export async function storeTrace(trace: NewTrace, found: ShapedTrace, o: StoreOptions): Promise<TracePage> {
  const { result, meta } = tracedMeta(found, o);
  const open = await saveTraceRecord({ ...trace, ...meta }, result);
  const record: TraceRecordMeta = { ...trace, ...meta, hasResult: true, status: 'ready' };
  return pageOf(record, openedTracePeople(open, ...pageRange(1, o.pageSize)), 1, o.pageSize, o.scope);
}

/** Who reads a stored trace: the role and name decide the access (visibility.ts), the jurisdiction the identities. */
export interface PageReader extends Viewer {
  readonly jurisdiction?: Jurisdiction | undefined;
}

export type TracePageRead =
  | { readonly kind: 'page'; readonly page: TracePage }
  /** Only the metadata: an admin's or auditor's read, or a trace with no result (pending, rejected). */
  | { readonly kind: 'metadata'; readonly meta: TraceRecordMeta; readonly owner: boolean }
  | { readonly kind: 'denied'; readonly meta: TraceRecordMeta };

/**
 * Page `number` (from 1) of `size` people of a stored trace, as `reader` may see it; undefined
 * when there is no such trace. Only the page's people and contacts are built from the stored
 * result. Throws not_found once retention removed the result.
 */
export async function readTracePage(id: string, number: number, size: number, reader: PageReader): Promise<TracePageRead | undefined> {
  const head = await db.readTraceRecord(id, false);
  if (!head) return undefined;
  const access = traceAccess(reader, head.meta.owner);
  if (access === 'none') return { kind: 'denied', meta: head.meta };
  if (access === 'metadata' || head.meta.status !== 'ready') return { kind: 'metadata', meta: head.meta, owner: access === 'owner' };
  const rec = await getTraceRecordPeople(id, ...pageRange(number, size));
  if (!rec?.slice) throw notFound(`the result of trace '${id}' was removed by the retention rule`);
  return { kind: 'page', page: await pageOf(rec.meta, rec.slice, number, size, reader.jurisdiction) };
}

// ---- requests that wait for an approver (TRUYVET_TRACE_APPROVAL=required) ----------------------

/**
 * Stores a request for case `f0` as a pending trace, to be traced once an approver signs it:
 * its metadata and parameters, no result. `scope`: the requester's jurisdiction (an approver
 * with a jurisdiction signs only requests from inside it).
 */
export async function requestTrace(trace: NewTrace, f0: string, request: TraceRequest, scope: Jurisdiction | undefined): Promise<TraceRecordMeta> {
  const params: TraceResult['params'] = {
    from: isoUtc(request.from),
    to: isoUtc(request.to),
    ...(request.until !== undefined ? { until: isoUtc(request.until) } : {}),
    depth: request.depth,
    toleranceSeconds: request.toleranceSeconds,
    mode: request.mode,
    // The setting when asked for; the trace, once approved, reads it again.
    closeSeconds: closeSecondsSetting(),
    closeOnly: request.closeOnly,
  };
  const meta = { ...trace, f0, params };
  await db.createPendingTrace(meta, request.sensitivity === undefined ? undefined : tolerancesOf(request), scope);
  return { ...meta, stats: { people: 0, contacts: 0, closePeople: 0, milliseconds: 0 }, peopleFound: 0, truncated: false, hasResult: false, status: 'pending' };
}

/**
 * A request as an approver sees it: its metadata, whether it lies inside the approver's scope,
 * and what to trace once approved (as it was checked when it was asked for).
 */
export async function readTraceRequest(id: string, approverScope: Jurisdiction | undefined): Promise<{ meta: TraceRecordMeta; inside: boolean; request: TraceRequest } | undefined> {
  const row = await db.readTraceRequest(id, approverScope);
  if (!row) return undefined;
  const p = row.meta.params;
  const request: TraceRequest = {
    from: Date.parse(p.from),
    to: Date.parse(p.to),
    ...(p.until !== undefined ? { until: Date.parse(p.until) } : {}),
    depth: p.depth,
    toleranceSeconds: p.toleranceSeconds,
    mode: p.mode,
    closeOnly: p.closeOnly,
    ...(row.tolerances !== undefined ? { sensitivity: row.tolerances.slice(1) } : {}),
  };
  return { meta: row.meta, inside: row.inside, request };
}

/**
 * Caps and stores the result of an approved request on its pending record, in one write with
 * the decision, and keeps it open for its tracer's pages; false when the record is no longer
 * pending (another approver decided meanwhile) or outside the scope: then nothing is stored.
 */
export async function storeApprovedTrace(
  id: string,
  found: ShapedTrace,
  o: Pick<StoreOptions, 'maxPeople'>,
  approverScope: Jurisdiction | undefined,
  decision: TraceDecision,
): Promise<boolean> {
  const { result, meta } = tracedMeta(found, o);
  const { stored, open } = sealed(id, result);
  if (!(await db.completePendingTrace({ id, ...meta }, stored, approverScope, decision))) return false;
  opened.put(id, open);
  return true;
}
