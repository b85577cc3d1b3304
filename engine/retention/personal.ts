import { CASE_STATUSES } from '../cases/input';
import { purgeIsolationRecords, purgeOutbreakRecords, type OutbreakPurgeCounts } from '../db/retention';
import { OPEN_STATUSES } from '../followups/status';
import { INFECTIOUS_LEAD_MS } from '../outbreak/cases';
import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';

/**
 * Retention of the personal records beside passages (issue 20, point 6; README, "Retention"):
 * - checkpoint scans (person, station, time, position) follow passages: a scan taken before the
 *   cut-off goes, one taken exactly at it stays (a scan is a point, like its passage);
 * - declarations (sealed form, home, QR code) go a period after their validity ended: the QR
 *   code's `validUntil`, or for a declaration without a code (rejected, kept for review) the end
 *   its code would have had, `TRUYVET_QR_VALID_DAYS` after it was declared (or received, if that
 *   was earlier: a declaration time in the future cannot keep it);
 * - isolation records go once they ended (its `until`; a release at the time it was released)
 *   before the cut-off; an isolation until released that still holds stays;
 * - follow-ups go a period (`TRUYVET_FOLLOWUP_RETENTION_DAYS`) after they ended: closed (released,
 *   tested positive) and their quarantine over, whichever came later; an open one stays;
 * - cases go a period (`TRUYVET_CASE_RETENTION_DAYS`) after their last status change once closed
 *   (recovered, died, discarded), with their links and place in clusters; a confirmed case stays;
 *   a cluster goes with its last case, and one that lost its index case gets the next;
 * - in a scoped purge, follow-ups and cases go by the person's home, as their reads are scoped.
 * Deletes go in batches, each its own transaction, like passages (engine/db/retention.ts). `now`
 * is a parameter.
 */

export { purgeDeclarations, purgeScans, type PersonalPurgeParams } from '../db/retention';

/**
 * Isolation records that ended before the cut-off (`now − olderThanMs`). Part of every unscoped
 * purge: an isolation record names no place.
 */
export async function purgeIsolations(now: number, olderThanMs: number, dryRun: boolean): Promise<number> {
  return purgeIsolationRecords(now - olderThanMs, dryRun);
}

/** A case no longer under way: every status but `confirmed`. */
export const CLOSED_CASE_STATUSES: readonly string[] = CASE_STATUSES.filter((s) => s !== 'confirmed');

/**
 * Follow-ups that ended before `followUpCut`, closed cases last changed before `caseCut` (epoch
 * ms), in scope, and the clusters left without a case.
 */
export async function purgeOutbreak(
  o: { readonly followUpCut: number; readonly caseCut: number; readonly scope: Jurisdiction | undefined; readonly batch: number },
  dryRun: boolean,
): Promise<OutbreakPurgeCounts> {
  return purgeOutbreakRecords(
    { ...scopeParams(o.scope), followUpCut: o.followUpCut, caseCut: o.caseCut, openStatuses: OPEN_STATUSES, closedStatuses: CLOSED_CASE_STATUSES, leadMs: INFECTIOUS_LEAD_MS, batch: o.batch },
    dryRun,
  );
}
