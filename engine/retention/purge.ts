import { performance } from 'node:perf_hooks';
import { clearExposureResults } from '../db/exposures';
import { clearOutbreakResults } from '../db/outbreaks';
import { clearTraceResults, countOldPassages, deleteOldPassages, deleteOrphans } from '../db/retention';
import { scopeParams } from '../jurisdiction';
import { caseRetentionDays, followUpRetentionDays, qrValidDays } from '../config';
import { isoUtc } from '../time';
import type { Jurisdiction } from '../types';
import { purgeDeclarations, purgeIsolations, purgeOutbreak, purgeScans } from './personal';

/**
 * Retention (docs/operations.md, "Retention and purge"): passages whose `leftAt` is before the cut-off (now minus the
 * retention period) are deleted, with the unregistered people they leave without any passage or
 * relationship; stored trace results older than the cut-off lose their
 * result (their metadata stays, for accountability), and so do outbreak runs: their sealed result
 * and their CONTACT relationships go, the run, its counts and the LINKED chain between cases stay. A passage ending exactly at the cut-off
 * stays. Scans, declarations, isolation records, follow-ups, cases and clusters go by their own rules (personal.ts). Work goes
 * in batches of whole passages, each its own transaction (engine/db/retention.ts), so a purge of
 * millions of passages never builds one giant transaction and can be stopped and run again.
 * `now` is a parameter: the engine never reads the clock.
 */

export interface PurgeOptions {
  readonly now: number;
  readonly olderThanMs: number;
  /** How long a declaration stays after its validity ended (default 21 days). */
  readonly declarationRetentionMs?: number;
  /** How long an ended follow-up stays (default: TRUYVET_FOLLOWUP_RETENTION_DAYS, 21 days). */
  readonly followUpRetentionMs?: number;
  /** How long a closed case stays after its last status change (default: TRUYVET_CASE_RETENTION_DAYS, 90 days). */
  readonly caseRetentionMs?: number;
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
  /** Venue exposures stored before the cut-off whose sealed people were removed (unscoped purges only). */
  readonly exposureResults: number;
  /** Outbreak runs created before the cut-off whose result and CONTACT relationships were removed (unscoped purges only). */
  readonly outbreakResults: number;
  /** Their CONTACT relationships removed. */
  readonly outbreakContacts: number;
  /** Checkpoint scans taken before the cut-off. */
  readonly scans: number;
  /** Declarations whose validity ended before now minus their own retention period. */
  readonly declarations: number;
  /** Isolation records that ended before the cut-off (unscoped purges only). */
  readonly isolations: number;
  /** Follow-ups that ended (closed, quarantine over) before now minus their retention period. */
  readonly followUps: number;
  /** Closed cases whose last status change was before now minus their retention period. */
  readonly cases: number;
  /** Clusters those cases left without a case. */
  readonly clusters: number;
  readonly batches: number;
  readonly seconds: number;
}

export const DEFAULT_PURGE_BATCH = 5000;
export const DEFAULT_DECLARATION_RETENTION_DAYS = 21;

/**
 * Removes the result (not the metadata) of stored traces opened before the cut-off; returns how
 * many. Part of every unscoped purge.
 */
export async function purgeTraceResults(now: number, olderThanMs: number, dryRun: boolean): Promise<number> {
  return clearTraceResults(cutoffMs(now, olderThanMs), now, dryRun);
}

export function cutoffMs(now: number, olderThanMs: number): number {
  return now - olderThanMs;
}

export async function purge(o: PurgeOptions): Promise<PurgeReport> {
  const started = performance.now();
  const cut = cutoffMs(o.now, o.olderThanMs);
  const batch = o.batchSize ?? DEFAULT_PURGE_BATCH;
  const old = { cut, ...scopeParams(o.scope) };
  const dryRun = o.dryRun === true;
  let passages = 0;
  const relationships = 0;
  const windows = 0;
  let people = 0;
  let batches = 0;
  let traceResults = 0;
  let exposureResults = 0;
  let outbreaks = { runs: 0, contacts: 0 };

  if (dryRun) {
    ({ passages, people } = await countOldPassages(old));
    if (o.scope === undefined) traceResults = await purgeTraceResults(o.now, o.olderThanMs, true);
    if (o.scope === undefined) exposureResults = await clearExposureResults(cut, o.now, true);
    if (o.scope === undefined) outbreaks = await clearOutbreakResults(cut, o.now, true);
  } else {
    for (;;) {
      const done = await deleteOldPassages(old, batch);
      if (!done) break;
      batches++;
      passages += done.passages;
      people += done.people;
      o.onBatch?.(passages);
      if (done.passages < batch) break;
    }
    if (o.scope === undefined) traceResults = await purgeTraceResults(o.now, o.olderThanMs, false);
    if (o.scope === undefined) exposureResults = await clearExposureResults(cut, o.now, false);
    // After the passages: the people a run's CONTACT relationships alone kept go with them.
    if (o.scope === undefined) outbreaks = await clearOutbreakResults(cut, o.now, false);
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
    people += await deleteOrphans(pids);
  }
  const isolations = o.scope === undefined ? await purgeIsolations(o.now, o.olderThanMs, dryRun) : 0;
  // After passages and declarations: the people a case or follow-up alone kept go with it.
  const outbreak = await purgeOutbreak(
    {
      followUpCut: o.now - (o.followUpRetentionMs ?? followUpRetentionDays() * 86_400_000),
      caseCut: o.now - (o.caseRetentionMs ?? caseRetentionDays() * 86_400_000),
      scope: o.scope,
      batch,
    },
    dryRun,
  );
  people += outbreak.people;
  return {
    cutoff: isoUtc(cut),
    dryRun,
    passages,
    relationships,
    windows,
    people,
    traceResults,
    exposureResults,
    outbreakResults: outbreaks.runs,
    outbreakContacts: outbreaks.contacts,
    scans,
    declarations: decl.declarations,
    isolations,
    followUps: outbreak.followUps,
    cases: outbreak.cases,
    clusters: outbreak.clusters,
    batches,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}
