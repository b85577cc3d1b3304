import { performance } from 'node:perf_hooks';
import { int, num } from '../db/convert';
import { readQuery, writeQuery, writeTx } from '../db/driver';
import { scopeParams } from '../privacy/jurisdiction';
import { isoUtc } from '../time';
import type { Jurisdiction } from '../types';

/**
 * Retention (README, "Retention"): passages whose `leftAt` is before the cut-off (now minus the
 * retention period) are deleted, with the windows they leave empty and the unregistered people
 * they leave without any relationship; stored trace results older than the cut-off lose their
 * result (their metadata stays, for accountability). A passage ending exactly at the cut-off
 * stays. Work goes in batches of whole passages, each its own transaction, so a purge of
 * millions of passages never builds one giant transaction and can be stopped and run again.
 * `now` is a parameter: the engine never reads the clock.
 */

export interface PurgeOptions {
  readonly now: number;
  readonly olderThanMs: number;
  readonly dryRun?: boolean;
  /** Passages per transaction. */
  readonly batchSize?: number;
  /** Only stations inside this jurisdiction (default: everywhere). */
  readonly scope?: Jurisdiction;
  readonly onBatch?: (deletedSoFar: number) => void;
}

export interface PurgeReport {
  /** ISO instant: passages that ended before it are (or would be) deleted. */
  readonly cutoff: string;
  readonly dryRun: boolean;
  readonly passages: number;
  /** PASSED relationships (a passage has one per window it touches). */
  readonly relationships: number;
  readonly windows: number;
  readonly people: number;
  readonly traceResults: number;
  readonly batches: number;
  readonly seconds: number;
}

export const DEFAULT_PURGE_BATCH = 5000;

const IN_SCOPE = (w: string) => `($province IS NULL OR EXISTS {
  MATCH (${w})-[:AT]->(s:Station)
  WHERE s.province = $province AND ($district IS NULL OR s.district = $district) AND ($commune IS NULL OR s.commune = $commune) })`;

const PICK = `
MATCH (w:Window) WHERE w.start < $cut AND ${IN_SCOPE('w')}
MATCH (:Person)-[r:PASSED]->(w) WHERE r.leftAt < $cut
WITH DISTINCT r.passageId AS pid LIMIT $batch
RETURN collect(pid) AS pids`;

const DELETE_PASSAGES = `
UNWIND $pids AS pid
MATCH (p:Person)-[r:PASSED {passageId: pid}]->(w:Window)
WITH p, w, r
DELETE r
RETURN count(r) AS rels, collect(DISTINCT elementId(w)) AS windows, collect(DISTINCT elementId(p)) AS people`;

const DELETE_EMPTY_WINDOWS = `
UNWIND $ids AS id
MATCH (w:Window) WHERE elementId(w) = id AND NOT EXISTS { ()-[:PASSED]->(w) }
DETACH DELETE w
RETURN count(*) AS n`;

// Registered people stay (the registry is not movement data); so does anyone still linked to
// anything (a declaration, another passage).
const DELETE_ORPHANS = `
UNWIND $ids AS id
MATCH (p:Person) WHERE elementId(p) = id AND coalesce(p.registered, false) = false AND NOT EXISTS { (p)--() }
DELETE p
RETURN count(*) AS n`;

const SWEEP_WINDOWS = `
MATCH (w:Window) WHERE w.start < $cut AND ${IN_SCOPE('w')} AND NOT EXISTS { ()-[:PASSED]->(w) }
WITH w LIMIT $batch
DETACH DELETE w
RETURN count(*) AS n`;

const COUNT = `
MATCH (w:Window) WHERE w.start < $cut AND ${IN_SCOPE('w')}
OPTIONAL MATCH (:Person)-[r:PASSED]->(w) WHERE r.leftAt < $cut
WITH w, collect(r) AS old
WITH w, old, NOT EXISTS { MATCH ()-[k:PASSED]->(w) WHERE k.leftAt >= $cut } AS emptied
UNWIND (CASE WHEN size(old) = 0 THEN [null] ELSE old END) AS r
RETURN count(DISTINCT r.passageId) AS passages, count(r) AS rels, count(DISTINCT CASE WHEN emptied THEN w END) AS windows`;

const COUNT_ORPHANS = `
MATCH (w:Window) WHERE w.start < $cut AND ${IN_SCOPE('w')}
MATCH (p:Person)-[r:PASSED]->(w) WHERE r.leftAt < $cut
WITH DISTINCT p WHERE coalesce(p.registered, false) = false
  AND NOT EXISTS { MATCH (p)-[x]-() WHERE type(x) <> 'PASSED' }
  AND NOT EXISTS { MATCH (p)-[k:PASSED]->(w2:Window) WHERE k.leftAt >= $cut OR NOT ${IN_SCOPE('w2')} }
RETURN count(p) AS n`;

const TRACE_RESULTS = (dry: boolean) => `
MATCH (t:TraceRecord) WHERE t.createdAt < $cut AND t.result IS NOT NULL
${dry ? '' : 'SET t.result = null, t.resultPurgedAt = $now'}
RETURN count(t) AS n`;

/**
 * Removes the result (not the metadata) of stored traces opened before the cut-off; returns how
 * many. Part of every unscoped purge.
 */
export async function purgeTraceResults(now: number, olderThanMs: number, dryRun: boolean): Promise<number> {
  const params = { cut: int(cutoffMs(now, olderThanMs)), now: int(now) };
  const [n] = dryRun ? await readQuery(TRACE_RESULTS(true), params, (r) => num(r['n'])) : await writeQuery(TRACE_RESULTS(false), params, (r) => num(r['n']));
  return n ?? 0;
}

export function cutoffMs(now: number, olderThanMs: number): number {
  return now - olderThanMs;
}

export async function purge(o: PurgeOptions): Promise<PurgeReport> {
  const started = performance.now();
  const cut = cutoffMs(o.now, o.olderThanMs);
  const batch = o.batchSize ?? DEFAULT_PURGE_BATCH;
  const params = { cut: int(cut), now: int(o.now), batch: int(batch), ...scopeParams(o.scope) };
  const dryRun = o.dryRun === true;
  let passages = 0;
  let relationships = 0;
  let windows = 0;
  let people = 0;
  let batches = 0;
  let traceResults = 0;

  if (dryRun) {
    const [c] = await readQuery(COUNT, params, (r) => ({ passages: num(r['passages']), rels: num(r['rels']), windows: num(r['windows']) }));
    const [orphans] = await readQuery(COUNT_ORPHANS, params, (r) => num(r['n']));
    passages = c?.passages ?? 0;
    relationships = c?.rels ?? 0;
    windows = c?.windows ?? 0;
    people = orphans ?? 0;
    if (o.scope === undefined) traceResults = await purgeTraceResults(o.now, o.olderThanMs, true);
  } else {
    for (;;) {
      const done = await writeTx(async (tx) => {
        const picked = (await tx.run(PICK, params)).records[0]?.get('pids') as string[] | undefined;
        if (!picked || picked.length === 0) return undefined;
        const del = (await tx.run(DELETE_PASSAGES, { pids: picked })).records[0];
        const winIds = (del?.get('windows') as string[] | undefined) ?? [];
        const personIds = (del?.get('people') as string[] | undefined) ?? [];
        const w = num((await tx.run(DELETE_EMPTY_WINDOWS, { ids: winIds })).records[0]?.get('n') ?? 0);
        const p = num((await tx.run(DELETE_ORPHANS, { ids: personIds })).records[0]?.get('n') ?? 0);
        return { passages: picked.length, rels: num(del?.get('rels') ?? 0), windows: w, people: p };
      });
      if (!done) break;
      batches++;
      passages += done.passages;
      relationships += done.rels;
      windows += done.windows;
      people += done.people;
      o.onBatch?.(passages);
      if (done.passages < batch) break;
    }
    for (;;) {
      const [n] = await writeQuery(SWEEP_WINDOWS, params, (r) => num(r['n']));
      windows += n ?? 0;
      if ((n ?? 0) < batch) break;
    }
    if (o.scope === undefined) traceResults = await purgeTraceResults(o.now, o.olderThanMs, false);
  }
  return {
    cutoff: isoUtc(cut),
    dryRun,
    passages,
    relationships,
    windows,
    people,
    traceResults,
    batches,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}
