import { scopeParams } from '../jurisdiction';
import type { Jurisdiction, TraceMode } from '../types';
import { int, num, numOrNull, str } from './convert';
import { readQuery, writeQuery } from './driver';
import { deleteOrphans } from './retention';

/**
 * Outbreak runs (issue 22; DESIGN.md "Outbreak semantics"), every statement of them:
 *
 * - `(:OutbreakRun {id, owner, requestRef, purpose, createdAt, source, status, caseCount, depth,
 *   toleranceSeconds, mode, closeOnly, from, to, until, people, contacts, links, clusters,
 *   milliseconds, phase, generation, …, result, resultPurgedAt, …})`: who ran it, on which request
 *   and why, its parameters and counts as plain properties (instants as epoch-ms integers, like
 *   the rest of the graph), its state while it runs, and its result sealed
 *   (engine/outbreak-store/codec.ts), removed by retention while the rest stays;
 * - `(:OutbreakRun)-[:TRACED {cluster?, index?}]->(:Case)`: the registry's cases it traced, each in
 *   a cluster of the run marked with its id (`cl-` + the index case) and whether it is the index case;
 * - `(:Person)-[:CONTACT {run, at, station, overlapSeconds, generation, contacts}]->(:Person)`: one
 *   per (source, target) pair of the run, its earliest contact (`contacts` counts the pair's
 *   contact edges); removed by retention with the result;
 * - `(:Case)-[:LINKED {run, generation, at, station, overlapSeconds, via?}]->(:Case)`: one per link;
 *   retention removes `via` (a listed person between two cases) with the result.
 *
 * Only pseudonymous ids: no name, no raw key, no passage id (the evidence stays in the sealed result).
 */

export const OUTBREAK_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type OutbreakRunStatus = (typeof OUTBREAK_STATUSES)[number];

/** What a run is doing: waiting, tracing generation after generation, writing the graph and its result, or ended. */
export const OUTBREAK_PHASES = ['queued', 'tracing', 'writing', 'ended'] as const;
export type OutbreakRunPhase = (typeof OUTBREAK_PHASES)[number];

/** A run's parameters as checked and filled in; instants in epoch ms. */
export interface OutbreakRunParams {
  /** The earliest infectious start of its cases. */
  readonly from: number;
  /** The latest infectious end. */
  readonly to: number;
  readonly until: number;
  readonly depth: number;
  readonly toleranceSeconds: number;
  readonly mode: TraceMode;
  readonly closeOnly: boolean;
}

export interface OutbreakRunProgress {
  readonly phase: OutbreakRunPhase;
  /** The last generation read (depth + 1: the link round); 0 before the first. */
  readonly generation: number;
  readonly people: number;
  readonly contacts: number;
  readonly links: number;
}

export interface OutbreakRunStats {
  readonly people: number;
  readonly contacts: number;
  readonly links: number;
  readonly clusters: number;
  readonly milliseconds: number;
}

export interface OutbreakRunMeta {
  readonly id: string;
  readonly owner: string;
  readonly requestRef: string;
  readonly purpose: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** `api` (POST /api/outbreaks) or `cli` (truyvet outbreak trace). */
  readonly source: string;
  readonly caseCount: number;
  readonly params: OutbreakRunParams;
  readonly status: OutbreakRunStatus;
  readonly progress: OutbreakRunProgress;
  /** Once done. */
  readonly stats?: OutbreakRunStats;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** Why it failed (an engine error's message, never personal data). */
  readonly error?: string;
  readonly cancelRequested: boolean;
  /** False while none was stored yet, and once retention removed it. */
  readonly hasResult: boolean;
  /** The process that runs it (`serverRun.pid`; `cli.pid` for the command line). */
  readonly instance: string;
  /** Its CONTACT relationships, written once it is done (absent on runs stored before the graph came after the answer). */
  readonly graph?: OutbreakRunGraph;
}

export const OUTBREAK_GRAPH_STATES = ['writing', 'written', 'incomplete', 'removed'] as const;

/**
 * A done run's CONTACT relationships (for Neo4j's own tools), written after its answer is stored:
 * at 10M passages a 1,000-case day's take minutes. `incomplete`: the writing was cut off (a
 * stop, a crash, the database); what was written stays until retention removes the run's
 * (`removed`, with its result).
 */
export interface OutbreakRunGraph {
  readonly state: (typeof OUTBREAK_GRAPH_STATES)[number];
  /** CONTACT relationships written so far (about one per contact pair). */
  readonly written: number;
}

/** A run as it is created: queued, its parameters resolved, its cases chosen. */
export interface NewOutbreakRunRecord {
  readonly id: string;
  readonly owner: string;
  readonly requestRef: string;
  readonly purpose: string;
  readonly createdAt: number;
  readonly source: string;
  readonly caseIds: readonly string[];
  readonly params: OutbreakRunParams;
  readonly instance: string;
  /** The owner's jurisdiction when the run was asked for (undefined: national). */
  readonly scope: Jurisdiction | undefined;
}

const META = `r {.id, .owner, .requestRef, .purpose, .createdAt, .source, .caseCount, .from, .to, .until, .depth, .toleranceSeconds, .mode, .closeOnly,
  .status, .phase, .generation, .progressPeople, .progressContacts, .progressLinks, .people, .contacts, .links, .clusters, .milliseconds,
  .startedAt, .finishedAt, .error, .instance, .graph, .graphWritten, cancelRequested: coalesce(r.cancelRequested, false), hasResult: r.result IS NOT NULL}`;

function toMeta(v: unknown): OutbreakRunMeta {
  const r = v as Record<string, unknown>;
  const status = str(r['status']) as OutbreakRunStatus;
  const opt = (k: string): number | undefined => numOrNull(r[k]) ?? undefined;
  return {
    id: str(r['id']),
    owner: str(r['owner']),
    requestRef: str(r['requestRef']),
    purpose: str(r['purpose']),
    createdAt: num(r['createdAt']),
    source: str(r['source']),
    caseCount: num(r['caseCount']),
    params: {
      from: num(r['from']),
      to: num(r['to']),
      until: num(r['until']),
      depth: num(r['depth']),
      toleranceSeconds: num(r['toleranceSeconds']),
      mode: str(r['mode']) as TraceMode,
      closeOnly: r['closeOnly'] === true,
    },
    status,
    progress: {
      phase: str(r['phase']) as OutbreakRunPhase,
      generation: num(r['generation'] ?? 0),
      people: num(r['progressPeople'] ?? 0),
      contacts: num(r['progressContacts'] ?? 0),
      links: num(r['progressLinks'] ?? 0),
    },
    ...(status === 'done' && r['people'] !== null && r['people'] !== undefined
      ? { stats: { people: num(r['people']), contacts: num(r['contacts']), links: num(r['links']), clusters: num(r['clusters']), milliseconds: num(r['milliseconds']) } }
      : {}),
    ...(opt('startedAt') !== undefined ? { startedAt: opt('startedAt')! } : {}),
    ...(opt('finishedAt') !== undefined ? { finishedAt: opt('finishedAt')! } : {}),
    ...(typeof r['error'] === 'string' ? { error: r['error'] } : {}),
    cancelRequested: r['cancelRequested'] === true,
    hasResult: r['hasResult'] === true,
    instance: str(r['instance']),
    ...(typeof r['graph'] === 'string' ? { graph: { state: r['graph'] as OutbreakRunGraph['state'], written: num(r['graphWritten'] ?? 0) } } : {}),
  };
}

/**
 * Writes a queued run and its TRACED relationships to the registry's cases (a case id the registry
 * does not hold gets none: the command line's `--no-store` runs are never written, and its other
 * runs register their file's cases first).
 */
export async function createOutbreakRun(r: NewOutbreakRunRecord): Promise<void> {
  await writeQuery(
    `CREATE (r:OutbreakRun {id: $id, owner: $owner, requestRef: $requestRef, purpose: $purpose, createdAt: $createdAt, source: $source,
       caseCount: $caseCount, from: $from, to: $to, until: $until, depth: $depth, toleranceSeconds: $toleranceSeconds, mode: $mode,
       closeOnly: $closeOnly, status: 'queued', phase: 'queued', generation: 0, progressPeople: 0, progressContacts: 0, progressLinks: 0,
       instance: $instance, scopeProvince: $province, scopeDistrict: $district, scopeCommune: $commune})
     WITH r
     CALL (r) {
       UNWIND $cases AS cid
       MATCH (c:Case {id: cid})
       CREATE (r)-[:TRACED]->(c)
     }
     RETURN r.id AS id`,
    {
      id: r.id,
      owner: r.owner,
      requestRef: r.requestRef,
      purpose: r.purpose,
      createdAt: int(r.createdAt),
      source: r.source,
      caseCount: int(r.caseIds.length),
      from: int(r.params.from),
      to: int(r.params.to),
      until: int(r.params.until),
      depth: int(r.params.depth),
      toleranceSeconds: int(r.params.toleranceSeconds),
      mode: r.params.mode,
      closeOnly: r.params.closeOnly,
      instance: r.instance,
      cases: [...r.caseIds],
      ...scopeParams(r.scope),
    },
    () => undefined,
  );
}

/** A run's metadata; undefined when there is no such run. */
export async function readOutbreakRun(id: string): Promise<OutbreakRunMeta | undefined> {
  const rows = await readQuery(`MATCH (r:OutbreakRun {id: $id}) RETURN ${META} AS r`, { id }, (x) => toMeta(x['r']));
  return rows[0];
}

/** A run's sealed result; undefined when there is none (not yet, or removed by retention). */
export async function readOutbreakResult(id: string): Promise<string | undefined> {
  const rows = await readQuery('MATCH (r:OutbreakRun {id: $id}) RETURN r.result AS result', { id }, (x): unknown => x['result']);
  const v = rows[0];
  return typeof v === 'string' ? v : undefined;
}

/** The registry case ids a run traced (TRACED), sorted. */
export async function outbreakRunCases(id: string): Promise<string[]> {
  const rows = await readQuery('MATCH (:OutbreakRun {id: $id})-[:TRACED]->(c:Case) RETURN c.id AS id ORDER BY id', { id }, (x) => str(x['id']));
  return rows;
}

/** Runs, newest first: an owner's, or everyone's. */
export async function listOutbreakRuns(q: { owner?: string; skip: number; limit: number }): Promise<OutbreakRunMeta[]> {
  return readQuery(
    `MATCH (r:OutbreakRun) WHERE $owner IS NULL OR r.owner = $owner
     RETURN ${META} AS r ORDER BY r.createdAt DESC, r.id SKIP $skip LIMIT $limit`,
    { owner: q.owner ?? null, skip: int(q.skip), limit: int(q.limit) },
    (x) => toMeta(x['r']),
  );
}

/**
 * Records a run's state while it waits or runs (its phase and counts so far; status running once
 * past `queued`), unless it has ended meanwhile; returns whether a cancellation was asked for (by
 * its owner, possibly through another server process), and false when the run is gone or ended.
 */
export async function saveOutbreakProgress(id: string, p: OutbreakRunProgress, startedAt: number): Promise<boolean> {
  const rows = await writeQuery(
    `MATCH (r:OutbreakRun {id: $id}) WHERE r.status IN ['queued', 'running']
     SET r.status = CASE WHEN $phase = 'queued' THEN r.status ELSE 'running' END, r.phase = $phase, r.generation = $generation,
       r.progressPeople = $people, r.progressContacts = $contacts, r.progressLinks = $links,
       r.startedAt = CASE WHEN $phase = 'queued' THEN r.startedAt ELSE coalesce(r.startedAt, $startedAt) END
     RETURN coalesce(r.cancelRequested, false) AS cancel`,
    { id, phase: p.phase, generation: int(p.generation), people: int(p.people), contacts: int(p.contacts), links: int(p.links), startedAt: int(startedAt) },
    (x) => x['cancel'] === true,
  );
  return rows[0] === true;
}

/** Stores a finished run's result and counts: done. False when the run ended meanwhile (cancelled, failed as cut off): nothing stored. */
export async function completeOutbreakRun(id: string, sealed: string, stats: OutbreakRunStats, progress: OutbreakRunProgress, now: number): Promise<boolean> {
  const rows = await writeQuery(
    `MATCH (r:OutbreakRun {id: $id}) WHERE r.status IN ['queued', 'running'] AND NOT coalesce(r.cancelRequested, false)
     SET r.status = 'done', r.phase = 'ended', r.result = $result, r.graph = 'writing', r.graphWritten = 0, r.people = $people, r.contacts = $contacts, r.links = $links,
       r.clusters = $clusters, r.milliseconds = $milliseconds, r.finishedAt = $now, r.generation = $generation,
       r.progressPeople = $people, r.progressContacts = $contacts, r.progressLinks = $links
     RETURN r.id AS id`,
    {
      id,
      result: sealed,
      people: int(stats.people),
      contacts: int(stats.contacts),
      links: int(stats.links),
      clusters: int(stats.clusters),
      milliseconds: int(stats.milliseconds),
      generation: int(progress.generation),
      now: int(now),
    },
    (x) => str(x['id']),
  );
  return rows.length > 0;
}

/** Ends a run that did not finish (failed, cancelled) with its reason, unless it ended already; false then. */
export async function endOutbreakRun(id: string, status: 'failed' | 'cancelled', error: string | undefined, now: number): Promise<boolean> {
  const rows = await writeQuery(
    `MATCH (r:OutbreakRun {id: $id}) WHERE r.status IN ['queued', 'running']
     SET r.status = $status, r.phase = 'ended', r.error = $error, r.finishedAt = $now
     RETURN r.id AS id`,
    { id, status, error: error ?? null, now: int(now) },
    (x) => str(x['id']),
  );
  return rows.length > 0;
}

/**
 * Asks an unfinished run of `owner` to stop: the process running it sees the flag at its next
 * progress write. Returns the run's status as it is now (undefined: no such run of this owner).
 */
export async function requestOutbreakCancel(id: string, owner: string, by: string, now: number): Promise<OutbreakRunMeta | undefined> {
  const rows = await writeQuery(
    `MATCH (r:OutbreakRun {id: $id}) WHERE r.owner = $owner
     FOREACH (_ IN CASE WHEN r.status IN ['queued', 'running'] THEN [1] ELSE [] END |
       SET r.cancelRequested = true, r.cancelledBy = $by, r.cancelAskedAt = $now)
     RETURN ${META} AS r`,
    { id, owner, by, now: int(now) },
    (x) => toMeta(x['r']),
  );
  return rows[0];
}

/** Runs left queued or running by other processes than `instance` (cut off by a stop or a crash when their process is gone). */
export async function unfinishedOutbreakRuns(instance: string): Promise<{ id: string; instance: string; owner: string }[]> {
  return readQuery(
    `MATCH (r:OutbreakRun) WHERE r.status IN ['queued', 'running'] AND r.instance <> $instance
     RETURN r.id AS id, r.instance AS instance, r.owner AS owner ORDER BY r.createdAt, r.id`,
    { instance },
    (x) => ({ id: str(x['id']), instance: str(x['instance']), owner: str(x['owner']) }),
  );
}

/** Records how far a done run's CONTACT relationships are written (see OutbreakRunGraph). */
export async function saveRunGraph(id: string, g: OutbreakRunGraph): Promise<void> {
  await writeQuery(
    "MATCH (r:OutbreakRun {id: $id}) WHERE r.status = 'done' AND r.graph IS NOT NULL SET r.graph = $state, r.graphWritten = $written",
    { id, state: g.state, written: int(g.written) },
    () => undefined,
  );
}

/** Done runs whose CONTACT relationships other processes than `instance` were writing (cut off when their process is gone). */
export async function runsLeftWritingGraph(instance: string): Promise<{ id: string; instance: string; written: number }[]> {
  return readQuery(
    "MATCH (r:OutbreakRun) WHERE r.graph = 'writing' AND r.instance <> $instance RETURN r.id AS id, r.instance AS instance, r.graphWritten AS written ORDER BY r.createdAt, r.id",
    { instance },
    (x) => ({ id: str(x['id']), instance: str(x['instance']), written: num(x['written'] ?? 0) }),
  );
}

// ---- the run's graph: CONTACT and LINKED ------------------------------------------------------

/** One CONTACT: [source pid, target pid, at (ms), station, overlap (s), generation, contact edges of the pair]. */
export type ContactRow = readonly [string, string, number, string, number, number, number];
/** One LINKED: [from case, to case, generation, at (ms), station, overlap (s), via pid or null]. */
export type LinkRow = readonly [string, string, number, number, string, number, string | null];

/** Rows per transaction: a depth-2 run writes hundreds of thousands of CONTACT relationships. */
export const GRAPH_BATCH = 10_000;

// CREATE, not MERGE: a run's relationships are written once, by the one process that runs it; a
// failed or cancelled write is removed whole (deleteRunEdges). Both people exist: every listed
// person and case person has passages, so a Person node.
const CONTACTS = `
UNWIND $rows AS row
MATCH (a:Person {id: row[0]})
MATCH (b:Person {id: row[1]})
CREATE (a)-[:CONTACT {run: $run, at: row[2], station: row[3], overlapSeconds: row[4], generation: row[5], contacts: row[6]}]->(b)
RETURN count(*) AS n`;

const LINKS = `
UNWIND $rows AS row
MATCH (a:Case {id: row[0]})
MATCH (b:Case {id: row[1]})
CREATE (a)-[:LINKED {run: $run, generation: row[2], at: row[3], station: row[4], overlapSeconds: row[5], via: row[6]}]->(b)
RETURN count(*) AS n`;

export async function writeRunContacts(run: string, rows: readonly ContactRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const params = rows.map((r) => [r[0], r[1], int(r[2]), r[3], r[4], int(r[5]), int(r[6])]);
  const [n] = await writeQuery(CONTACTS, { run, rows: params }, (x) => num(x['n']));
  return n ?? 0;
}

/** Marks each clustered case's TRACED relationship with its cluster of the run: [case id, cluster id, index case?]. */
export async function writeRunClusters(run: string, rows: readonly (readonly [string, string, boolean])[]): Promise<void> {
  if (rows.length === 0) return;
  await writeQuery(
    `UNWIND $rows AS row
     MATCH (:OutbreakRun {id: $run})-[t:TRACED]->(:Case {id: row[0]})
     SET t.cluster = row[1], t.index = row[2]`,
    { run, rows: rows.map((r) => [...r]) },
    () => undefined,
  );
}

export async function writeRunLinks(run: string, rows: readonly LinkRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const params = rows.map((r) => [r[0], r[1], int(r[2]), int(r[3]), r[4], r[5], r[6]]);
  const [n] = await writeQuery(LINKS, { run, rows: params }, (x) => num(x['n']));
  return n ?? 0;
}

// Found by the relationship property indexes on `run` (schema.ts: contact_run, linked_run).
const RUN_CONTACTS = 'MATCH ()-[c:CONTACT]->() WHERE c.run = $run';

/**
 * Deletes a run's CONTACT relationships (and, with `links`, its LINKED ones and the clusters on its
 * TRACED ones) a batch at a time,
 * then the unregistered people that leaves with nothing (no passage, no relationship); returns
 * how many relationships went.
 */
export async function deleteRunEdges(run: string, o: { links: boolean; batch?: number } = { links: true }): Promise<number> {
  const batch = o.batch ?? GRAPH_BATCH;
  let total = 0;
  const people = new Set<string>();
  for (;;) {
    const [done] = await writeQuery(
      `${RUN_CONTACTS} WITH c LIMIT $batch
       WITH c, startNode(c).id AS a, endNode(c).id AS b DELETE c
       RETURN count(*) AS n, collect(DISTINCT a) + collect(DISTINCT b) AS pids`,
      { run, batch: int(batch) },
      (x) => ({ n: num(x['n']), pids: x['pids'] as string[] }),
    );
    const n = done?.n ?? 0;
    total += n;
    for (const p of done?.pids ?? []) people.add(p);
    if (n < batch) break;
  }
  if (o.links) {
    await writeQuery('MATCH (:OutbreakRun {id: $run})-[t:TRACED]->() WHERE t.cluster IS NOT NULL REMOVE t.cluster, t.index', { run }, () => undefined);
    for (;;) {
      const [n] = await writeQuery('MATCH ()-[l:LINKED]->() WHERE l.run = $run WITH l LIMIT $batch DELETE l RETURN count(*) AS n', { run, batch: int(batch) }, (x) => num(x['n']));
      total += n ?? 0;
      if ((n ?? 0) < batch) break;
    }
  }
  const pids = [...people];
  for (let i = 0; i < pids.length; i += batch) await deleteOrphans(pids.slice(i, i + batch));
  return total;
}

// ---- retention -------------------------------------------------------------------------------

/**
 * Removes (or counts, `dryRun`) the result of the ended runs created before `cut`: the sealed
 * result, the run's CONTACT relationships (and the unregistered people that leaves with nothing)
 * and the `via` of its LINKED ones; the run, its counts, TRACED and LINKED stay. Returns the runs
 * and the CONTACT relationships removed. A run is purged once (`resultPurgedAt`).
 */
export async function clearOutbreakResults(cut: number, now: number, dryRun: boolean): Promise<{ runs: number; contacts: number }> {
  const old = await readQuery(
    `MATCH (r:OutbreakRun) WHERE r.createdAt < $cut AND r.status IN ['done', 'failed', 'cancelled'] AND r.resultPurgedAt IS NULL
     RETURN r.id AS id ORDER BY r.createdAt`,
    { cut: int(cut) },
    (x) => ({ id: str(x['id']) }),
  );
  if (dryRun) {
    let contacts = 0;
    for (const r of old) {
      const [n] = await readQuery(`${RUN_CONTACTS} RETURN count(c) AS n`, { run: r.id }, (x) => num(x['n']));
      contacts += n ?? 0;
    }
    return { runs: old.length, contacts };
  }
  let contacts = 0;
  for (const r of old) {
    contacts += await deleteRunEdges(r.id, { links: false });
    await writeQuery('MATCH ()-[l:LINKED]->() WHERE l.run = $run AND l.via IS NOT NULL REMOVE l.via', { run: r.id }, () => undefined);
    await writeQuery(
      "MATCH (r:OutbreakRun {id: $id}) SET r.result = null, r.resultPurgedAt = $now, r.graph = CASE WHEN r.graph IS NULL THEN null ELSE 'removed' END",
      { id: r.id, now: int(now) },
      () => undefined,
    );
  }
  return { runs: old.length, contacts };
}
