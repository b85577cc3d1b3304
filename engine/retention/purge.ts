import { performance } from 'node:perf_hooks';
import { int, num } from '../db/convert';
import { readQuery, writeQuery, writeTx } from '../db/driver';
import { CELL_SEEK, PERSON_SEEK, spansParam } from '../db/passages';
import { scopeParams } from '../jurisdiction';
import { qrValidDays } from '../qr/config';
import { isoUtc } from '../time';
import type { Jurisdiction } from '../types';
import { purgeDeclarations, purgeIsolations, purgeScans } from './personal';

/**
 * Retention (docs/operations.md, "Retention and purge"): passages whose `leftAt` is before the cut-off (now minus the
 * retention period) are deleted, with the unregistered people they leave without any passage or
 * relationship; stored trace results older than the cut-off lose their
 * result (their metadata stays, for accountability). A passage ending exactly at the cut-off
 * stays. Scans, declarations and isolation records go by their own rules (personal.ts). Work goes in batches of whole passages, each its own transaction, so a purge of
 * millions of passages never builds one giant transaction and can be stopped and run again.
 * `now` is a parameter: the engine never reads the clock.
 */

export interface PurgeOptions {
  readonly now: number;
  readonly olderThanMs: number;
  /** How long a declaration stays after its validity ended (default 21 days). */
  readonly declarationRetentionMs?: number;
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
  /**
   * Always 0 since passages are nodes (engine/db/passages.ts): they were the PASSED links and
   * emptied (:Window) buckets of the earlier layout; kept so the report keeps its shape.
   */
  readonly relationships: number;
  readonly windows: number;
  readonly people: number;
  readonly traceResults: number;
  /** Checkpoint scans taken before the cut-off. */
  readonly scans: number;
  /** Declarations whose validity ended before now minus their own retention period. */
  readonly declarations: number;
  /** Isolation records that ended before the cut-off (unscoped purges only). */
  readonly isolations: number;
  readonly batches: number;
  readonly seconds: number;
}

export const DEFAULT_PURGE_BATCH = 5000;
export const DEFAULT_DECLARATION_RETENTION_DAYS = 21;

// Old passages are found per station in scope and per duration class, by a range seek on the
// (station, span, at) index (a passage that ended before the cut-off started before it), so
// the purge reads what it deletes, not the whole store.
const OLD = `
MATCH (s:Station)
WHERE $province IS NULL OR (s.province = $province AND ($district IS NULL OR s.district = $district) AND ($commune IS NULL OR s.commune = $commune))
UNWIND $spans AS sp
MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station = s.id AND x.span = sp[0] AND x.at < $cut AND x.leftAt < $cut`;

const PICK = `${OLD}
WITH x.id AS id LIMIT $batch
RETURN collect(id) AS ids`;

const DELETE_PASSAGES = `
UNWIND $ids AS id
MATCH (x:Passage {id: id})
WITH x, x.pid AS pid
DELETE x
RETURN count(*) AS n, collect(DISTINCT pid) AS people`;

// Registered people stay (the registry is not movement data); so does anyone still linked to
// anything (a declaration) or with a passage left.
const DELETE_ORPHANS = `
UNWIND $pids AS pid
MATCH (p:Person {id: pid})
WHERE coalesce(p.registered, false) = false AND NOT EXISTS { (p)--() }
  AND NOT EXISTS { MATCH (y:Passage) ${PERSON_SEEK('y')} AND y.pid = pid }
DELETE p
RETURN count(*) AS n`;

const COUNT = `${OLD}
RETURN count(x) AS passages`;

// People whose every passage would go (all in scope, all ended before the cut-off).
const COUNT_ORPHANS = `${OLD}
WITH DISTINCT x.pid AS pid
MATCH (p:Person {id: pid})
WHERE coalesce(p.registered, false) = false AND NOT EXISTS { (p)--() }
  AND NOT EXISTS {
    MATCH (y:Passage) ${PERSON_SEEK('y')} AND y.pid = pid
    MATCH (t:Station {id: y.station})
    WHERE y.leftAt >= $cut OR NOT ($province IS NULL OR (t.province = $province AND ($district IS NULL OR t.district = $district) AND ($commune IS NULL OR t.commune = $commune)))
  }
RETURN count(p) AS n`;

const TRACE_RESULTS = (dry: boolean) => `
MATCH (t:TraceRecord) WHERE t.createdAt < $cut AND t.result IS NOT NULL
${dry ? '' : 'SET t.result = null, t.members = null, t.resultPurgedAt = $now'}
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
  const params = { cut: int(cut), now: int(o.now), batch: int(batch), spans: spansParam(), ...scopeParams(o.scope) };
  const dryRun = o.dryRun === true;
  let passages = 0;
  const relationships = 0;
  const windows = 0;
  let people = 0;
  let batches = 0;
  let traceResults = 0;

  if (dryRun) {
    const [c] = await readQuery(COUNT, params, (r) => num(r['passages']));
    const [orphans] = await readQuery(COUNT_ORPHANS, params, (r) => num(r['n']));
    passages = c ?? 0;
    people = orphans ?? 0;
    if (o.scope === undefined) traceResults = await purgeTraceResults(o.now, o.olderThanMs, true);
  } else {
    for (;;) {
      const done = await writeTx(async (tx) => {
        const picked = (await tx.run(PICK, params)).records[0]?.get('ids') as string[] | undefined;
        if (!picked || picked.length === 0) return undefined;
        const del = (await tx.run(DELETE_PASSAGES, { ids: picked })).records[0];
        const pids = (del?.get('people') as string[] | undefined) ?? [];
        const p = num((await tx.run(DELETE_ORPHANS, { pids })).records[0]?.get('n') ?? 0);
        return { passages: picked.length, people: p };
      });
      if (!done) break;
      batches++;
      passages += done.passages;
      people += done.people;
      o.onBatch?.(passages);
      if (done.passages < batch) break;
    }
    if (o.scope === undefined) traceResults = await purgeTraceResults(o.now, o.olderThanMs, false);
  }
  const personal = {
    ...scopeParams(o.scope),
    cut,
    declCut: o.now - (o.declarationRetentionMs ?? DEFAULT_DECLARATION_RETENTION_DAYS * 86_400_000),
    validMs: Math.round(qrValidDays() * 86_400_000),
    batch,
  };
  const scans = await purgeScans(personal, dryRun);
  const decl = await purgeDeclarations(personal, dryRun);
  people += decl.people;
  // The declarants a real run leaves with nothing go as after passages.
  for (let i = 0; i < decl.pids.length; i += batch) {
    const pids = decl.pids.slice(i, i + batch);
    people += (await writeQuery(DELETE_ORPHANS, { pids }, (r) => num(r['n'])))[0] ?? 0;
  }
  const isolations = o.scope === undefined ? await purgeIsolations(o.now, o.olderThanMs, dryRun) : 0;
  return {
    cutoff: isoUtc(cut),
    dryRun,
    passages,
    relationships,
    windows,
    people,
    traceResults,
    scans,
    declarations: decl.declarations,
    isolations,
    batches,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}
