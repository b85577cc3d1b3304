import { randomBytes } from 'node:crypto';
import { attachRunClusters } from '../clusters';
import * as db from '../db/outbreaks';
import type { OutbreakRunGraph, OutbreakRunMeta, OutbreakRunProgress, OutbreakRunStats } from '../db/outbreaks';
import { isTruyvetError } from '../errors';
import { logger } from '../logger';
import { outbreakTraceShaped, type OutbreakHead, type OutbreakOptions, type ShapedOutbreak } from '../outbreak';
import { resolveOutbreakParams } from '../outbreak/cases';
import { outbreakParamsOf, type OutbreakRequest } from '../outbreak/request';
import { fullIdentities, traceAccess, type FullIdentity, type Home, type Viewer } from '../privacy/visibility';
import { sealTrace, unsealedBytes } from '../trace-store/codec';
import { OpenedTraces } from '../trace-store/opened';
import { pageRange, type PageNumbers } from '../trace-store/pages';
import type { Jurisdiction, OutbreakCase, OutbreakCluster, OutbreakLink, OutbreakParams, OutbreakPerson, OutbreakResult, TraceContact } from '../types';
import { encodeShapedOutbreak, openOutbreak, outbreakClusters, outbreakHeadOf, outbreakLinks, outbreakPeople, outbreakResultOfOpened, type OpenedOutbreak } from './codec';
import { openRunFollowUps } from './followups';
import { removeRunGraph, writeRunCaseGraph, writeRunContactGraph } from './graph';

/**
 * Stored outbreak runs, as stored traces are (engine/trace-store): `(:OutbreakRun)` with its
 * metadata, state and counts, its result sealed (AES-GCM with TRUYVET_DATA_KEY, in the trace
 * codec's columns plus the outbreak's own: codec.ts), paged, read only by its owner (admins and
 * auditors: metadata), and written into the graph as CONTACT and LINKED relationships (graph.ts).
 * The process that runs a run (the API's job queue, api/outbreaks.ts; `truyvet outbreak trace`)
 * calls, in order: createRun → executeRun (trace, then storeShapedRun), or storeShapedRun for a
 * run traced already; endRun for a run that will not finish. Retention: engine/retention.
 *
 * For the work that builds on runs (follow-up, clusters across days, daily counts): readRun
 * (metadata and the cases traced), outbreakRunResult (the whole OutbreakResult while it is
 * stored), and the graph (`(:OutbreakRun)-[:TRACED]->(:Case)`, `LINKED` between cases).
 */

export { OUTBREAK_GRAPH_STATES, OUTBREAK_PHASES, OUTBREAK_STATUSES, listOutbreakRuns, type OutbreakRunGraph, type OutbreakRunMeta, type OutbreakRunParams, type OutbreakRunPhase, type OutbreakRunProgress, type OutbreakRunStats, type OutbreakRunStatus } from '../db/outbreaks';

export const OUTBREAK_RUN_ID_RE = /^ob[0-9a-f]{24}$/;

export function newOutbreakRunId(): string {
  return `ob${randomBytes(12).toString('hex')}`;
}

/** Who asks for a run, on which request, why, when, from where. */
export interface NewOutbreakRun {
  readonly id: string;
  readonly owner: string;
  readonly requestRef: string;
  readonly purpose: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly source: 'api' | 'cli';
  /** The process that will run it (api/outbreaks.ts, the command line). */
  readonly instance: string;
  /** The owner's jurisdiction (undefined: national). */
  readonly scope: Jurisdiction | undefined;
}

/**
 * Checks a run over these cases (the engine's own rules, engine/outbreak/cases.ts) and stores it
 * queued, with TRACED relationships to its registry cases; returns its metadata and the engine's
 * parameters to run. Throws invalid_input for cases or a horizon the engine refuses.
 */
export async function createRun(run: NewOutbreakRun, cases: readonly OutbreakCase[], request: OutbreakRequest): Promise<{ meta: OutbreakRunMeta; params: OutbreakParams }> {
  const params = outbreakParamsOf(cases, request);
  const r = resolveOutbreakParams(params);
  const p = { from: r.from, to: r.to, until: r.until, depth: r.depth, toleranceSeconds: r.toleranceSeconds, mode: r.mode, closeOnly: request.closeOnly };
  await db.createOutbreakRun({ ...run, caseIds: r.cases.map((c) => c.caseId), params: p });
  const meta: OutbreakRunMeta = {
    id: run.id,
    owner: run.owner,
    requestRef: run.requestRef,
    purpose: run.purpose,
    createdAt: run.createdAt,
    source: run.source,
    caseCount: r.cases.length,
    params: p,
    status: 'queued',
    progress: { phase: 'queued', generation: 0, people: 0, contacts: 0, links: 0 },
    cancelRequested: false,
    hasResult: false,
    instance: run.instance,
  };
  return { meta, params };
}

export interface ExecuteOptions extends Pick<OutbreakOptions, 'maxContacts' | 'timeoutMs'> {
  /** Stops the run between two statements, generations or graph batches (its owner cancelled it, the server stops). */
  readonly signal?: AbortSignal;
  /** Hears the run's progress: each generation read, then the graph written. */
  readonly onProgress?: (p: OutbreakRunProgress) => void;
  /** The clock (epoch ms), for the record's stamps. */
  readonly now: () => number;
  /** Close F2s become follow-ups too (default: close F1s only; followups.ts). */
  readonly followUpF2?: boolean;
  /**
   * Hears how far the CONTACT relationships are written, once the run is done: 0 before the
   * first batch, then after each (awaited).
   */
  readonly onGraph?: (written: number) => void | Promise<void>;
  /**
   * The caller writes the CONTACT relationships itself, through the done outcome's
   * `writeContacts` (the API: outside its trace gate, whose slot they would hold for minutes).
   */
  readonly contactsLater?: boolean;
}

/** What storing a run did to follow-up (engine/followups): counts, or why it could not open them. */
export type RunFollowUps = { readonly created: number; readonly updated: number } | { readonly error: string };

export type RunOutcome =
  | {
      readonly status: 'done';
      readonly shaped: ShapedOutbreak;
      readonly stats: OutbreakRunStats;
      readonly followUps?: RunFollowUps;
      readonly graph: OutbreakRunGraph;
      /** With `contactsLater`: writes the CONTACT relationships (never throws; see writeContacts). */
      readonly writeContacts?: () => Promise<OutbreakRunGraph>;
    }
  | { readonly status: 'failed' | 'cancelled'; readonly error: string; readonly code?: string };

/**
 * Runs a stored, queued run to its end: traces (engine/outbreak), then storeShapedRun. Never
 * throws for the run's own failure: it ends the run failed (the engine error's message: short,
 * naming no person; anything else: a generic message) or cancelled (when `signal` aborted) and
 * says so; a failure to record that end is thrown.
 */
export async function executeRun(id: string, params: OutbreakParams, o: ExecuteOptions): Promise<RunOutcome> {
  let shaped: ShapedOutbreak;
  try {
    shaped = await outbreakTraceShaped(params, {
      ...(o.maxContacts !== undefined ? { maxContacts: o.maxContacts } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onGeneration: (g) => o.onProgress?.({ phase: 'tracing', generation: g.generation, people: g.people, contacts: g.contacts, links: g.links }),
    });
  } catch (e) {
    return endRun(id, e, o);
  }
  return storeShapedRun(id, shaped, o);
}

/**
 * Stores a traced run: its links and clusters into the graph (graph.ts), its sealed result and
 * counts (done), kept open for its owner's pages; its clusters across days and its follow-ups;
 * then its CONTACT relationships. Those come last because the tracer does not need them (they
 * are for Neo4j's own tools) and they take most of the time: ~150 s of a 1,000-case day at 10M
 * passages, against ~33 s for everything before (docs/benchmarks.md, Outbreak). A run
 * cancelled (or ended) before it is done is ended with nothing of it left in the graph.
 */
export async function storeShapedRun(id: string, shaped: ShapedOutbreak, o: ExecuteOptions): Promise<RunOutcome> {
  const { stats: s } = shaped.head;
  const progress: OutbreakRunProgress = { phase: 'writing', generation: shaped.head.params.depth + 1, people: s.people, contacts: s.contacts, links: s.links };
  try {
    o.onProgress?.(progress);
    await writeRunCaseGraph(id, shaped.links, shaped.clusters, o.signal ? { signal: o.signal } : {});
    o.signal?.throwIfAborted();
    const { bytes, opened: open } = encodeShapedOutbreak(shaped);
    const stats = doneStats(shaped);
    if (!(await db.completeOutbreakRun(id, sealTrace(bytes), stats, progress, o.now()))) {
      await removeRunGraph(id);
      await db.endOutbreakRun(id, 'cancelled', CANCELLED, o.now());
      return { status: 'cancelled', error: CANCELLED };
    }
    opened.put(id, open);
    await joinClusters(id, shaped, o.now());
  } catch (e) {
    return endRun(id, e, o);
  }
  const followUps = await runFollowUps(id, shaped, o);
  const done = { status: 'done', shaped, stats: doneStats(shaped), followUps } as const;
  if (o.contactsLater === true) return { ...done, graph: { state: 'writing', written: 0 }, writeContacts: () => writeContacts(id, shaped, o) };
  return { ...done, graph: await writeContacts(id, shaped, o) };
}

/**
 * A done run's CONTACT relationships, its record saying how far they are. Never throws: a write
 * cut off (the server stops, the database fails) leaves the run done, its graph `incomplete`.
 */
async function writeContacts(id: string, shaped: ShapedOutbreak, o: ExecuteOptions): Promise<OutbreakRunGraph> {
  let written = 0;
  try {
    await o.onGraph?.(0);
    written = await writeRunContactGraph(id, shaped.contacts, {
      ...(o.signal ? { signal: o.signal } : {}),
      onBatch: async (n) => {
        written = n;
        await db.saveRunGraph(id, { state: 'writing', written: n });
        await o.onGraph?.(n);
      },
    });
    const g: OutbreakRunGraph = { state: 'written', written };
    await db.saveRunGraph(id, g);
    return g;
  } catch (e) {
    logger.warn({ run: id, written, err: e instanceof Error ? e.message : String(e) }, 'outbreak run: CONTACT relationships not all written');
    const g: OutbreakRunGraph = { state: 'incomplete', written };
    await db.saveRunGraph(id, g).catch(() => undefined);
    return g;
  }
}

function doneStats({ head: { stats: s } }: ShapedOutbreak): OutbreakRunStats {
  return { people: s.people, contacts: s.contacts, links: s.links, clusters: s.clusters, milliseconds: s.milliseconds };
}

/**
 * The run's follow-ups, opened once it is done (followups.ts). The run stays done if this fails
 * (the database went away): its result and graph are good, and opening again is idempotent.
 */
async function runFollowUps(id: string, shaped: ShapedOutbreak, o: ExecuteOptions): Promise<RunFollowUps> {
  try {
    const f = await openRunFollowUps(id, shaped, { includeF2: o.followUpF2 === true, now: o.now() });
    return { created: f.created, updated: f.updated };
  } catch (e) {
    return { error: isTruyvetError(e) ? e.message : 'could not open the follow-ups' };
  }
}

/**
 * A done run's clusters join the clusters across days (engine/clusters). The run is done
 * whatever happens here: a failure is logged (ids and the error only), and the next run over
 * these cases attaches them.
 */
async function joinClusters(id: string, shaped: ShapedOutbreak, now: number): Promise<void> {
  try {
    await attachRunClusters(id, shaped.clusters, now);
  } catch (e) {
    logger.error({ run: id, err: e instanceof Error ? e.message : String(e) }, 'outbreak run: clusters across days not updated');
  }
}

const CANCELLED = 'cancelled by its owner';

async function endRun(id: string, e: unknown, o: ExecuteOptions): Promise<RunOutcome> {
  await removeRunGraph(id);
  if (o.signal?.aborted === true) {
    // Aborted by its owner (any reason), or by a server that stops (an `unavailable` reason: the run failed, start it again).
    const reason: unknown = o.signal.reason;
    const stopped = isTruyvetError(reason) && reason.code === 'unavailable';
    const why = isTruyvetError(reason) ? reason.message : CANCELLED;
    await db.endOutbreakRun(id, stopped ? 'failed' : 'cancelled', why, o.now());
    return stopped ? { status: 'failed', error: why, code: 'unavailable' } : { status: 'cancelled', error: why };
  }
  const error = isTruyvetError(e) ? e.message : 'the run failed';
  await db.endOutbreakRun(id, 'failed', error, o.now());
  return { status: 'failed', error, ...(isTruyvetError(e) ? { code: e.code } : { code: 'error' }) };
}

/** Ends a run that will not finish (cut off by a stop, refused before it started) with its reason, removing what it wrote; false when it had ended already. */
export async function abandonRun(id: string, status: 'failed' | 'cancelled', error: string, now: number): Promise<boolean> {
  if (!(await db.endOutbreakRun(id, status, error, now))) return false;
  await removeRunGraph(id);
  return true;
}

/** A run's progress while it runs; whether its owner asked it to stop (possibly through another process). */
export function saveProgress(id: string, p: OutbreakRunProgress, startedAt: number): Promise<boolean> {
  return db.saveOutbreakProgress(id, p, startedAt);
}

/** Asks `owner`'s run to stop; its metadata as it is now, undefined when `owner` has no such run. */
export function requestCancel(id: string, owner: string, by: string, now: number): Promise<OutbreakRunMeta | undefined> {
  return db.requestOutbreakCancel(id, owner, by, now);
}

export { unfinishedOutbreakRuns, runsLeftWritingGraph } from '../db/outbreaks';

/** A done run whose CONTACT relationships a process now gone was writing: incomplete, as far as it got. */
export async function abandonGraph(id: string, written: number): Promise<void> {
  await db.saveRunGraph(id, { state: 'incomplete', written });
}

/** A run's metadata and the registry cases it traced; undefined when there is no such run. */
export async function readRun(id: string): Promise<{ meta: OutbreakRunMeta; cases: string[] } | undefined> {
  const meta = await db.readOutbreakRun(id);
  if (!meta) return undefined;
  return { meta, cases: await db.outbreakRunCases(id) };
}

/** Results stay open a minute after they were stored or their last page was read (engine/trace-store/opened.ts). */
const opened = new OpenedTraces<OpenedOutbreak>({ ttlMs: 60_000, maxEntries: 4, maxBytes: 256 * 1024 * 1024 });

/** The run's result opened (kept open a minute); undefined when none is stored (not yet, or removed by retention). */
async function openRun(meta: OutbreakRunMeta): Promise<OpenedOutbreak | undefined> {
  if (!meta.hasResult) {
    opened.drop(meta.id);
    return undefined;
  }
  const held = opened.get(meta.id);
  if (held) return held;
  const sealed = await db.readOutbreakResult(meta.id);
  const bytes = sealed === undefined ? undefined : unsealedBytes(sealed);
  if (bytes === undefined) return undefined;
  const fresh = openOutbreak(bytes);
  opened.put(meta.id, fresh);
  return fresh;
}

/** The whole OutbreakResult of a stored run; undefined when there is no such run or no result (not done, or removed by retention). */
export async function outbreakRunResult(id: string): Promise<OutbreakResult | undefined> {
  const meta = await db.readOutbreakRun(id);
  const open = meta && (await openRun(meta));
  return open && outbreakResultOfOpened(open);
}

/** Forgets the results held open for their pages (tests; a process that must let them go now). */
export function forgetOpenedRuns(): void {
  opened.clear();
}

// ---- pages -------------------------------------------------------------------------------------

/**
 * A page of a run's result as its owner reads it: the result's head (cases, params, stats), the
 * page's people with their cases and the contacts that reached them, and their identities: in
 * full for those living inside the reader's jurisdiction (the query decides,
 * privacy/visibility.ts), only the home of the others. Links and clusters, which are about cases
 * rather than the page's people, come with page 1.
 */
export interface OutbreakPage {
  readonly head: OutbreakHead;
  readonly people: OutbreakPerson[];
  readonly contacts: TraceContact[];
  readonly page: PageNumbers;
  readonly links?: OutbreakLink[];
  readonly clusters?: OutbreakCluster[];
  readonly identities: Record<string, FullIdentity>;
  readonly outside: Record<string, Home>;
}

export interface RunReader extends Viewer {
  readonly jurisdiction?: Jurisdiction | undefined;
}

export type RunRead =
  /** The owner's read of a run with a stored result. */
  | { readonly kind: 'page'; readonly meta: OutbreakRunMeta; readonly cases: string[]; readonly page: OutbreakPage }
  /** The owner's read of a run without one (queued, running, failed, cancelled, or removed by retention). */
  | { readonly kind: 'status'; readonly meta: OutbreakRunMeta; readonly cases: string[] }
  /** An admin's or auditor's read: metadata, no case ids. */
  | { readonly kind: 'metadata'; readonly meta: OutbreakRunMeta }
  | { readonly kind: 'denied'; readonly meta: OutbreakRunMeta };

/** Page `number` (from 1) of `size` people of a run as `reader` may see it; undefined when there is no such run. */
export async function readRunPage(id: string, number: number, size: number, reader: RunReader): Promise<RunRead | undefined> {
  const meta = await db.readOutbreakRun(id);
  if (!meta) return undefined;
  const access = traceAccess(reader, meta.owner);
  if (access === 'none') return { kind: 'denied', meta };
  if (access === 'metadata') return { kind: 'metadata', meta };
  const cases = await db.outbreakRunCases(id);
  const open = meta.status === 'done' ? await openRun(meta) : undefined;
  if (!open) return { kind: 'status', meta, cases };
  const [lo, hi] = pageRange(number, size);
  const slice = outbreakPeople(open, lo, hi);
  const { identities, outside } = await fullIdentities(
    slice.people.map((p) => p.id),
    reader.jurisdiction,
  );
  const page: OutbreakPage = {
    head: outbreakHeadOf(open),
    people: slice.people,
    contacts: slice.contacts,
    page: { number, size, totalPeople: slice.total, totalPages: Math.max(1, Math.ceil(slice.total / size)) },
    ...(number === 1 ? { links: outbreakLinks(open), clusters: outbreakClusters(open) } : {}),
    identities,
    outside,
  };
  return { kind: 'page', meta, cases, page };
}

export { pageRange };
