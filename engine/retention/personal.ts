import { purgeIsolationRecords } from '../db/retention';

/**
 * Retention of the personal records beside passages (issue 20, point 6; README, "Retention"):
 * - checkpoint scans (person, station, time, position) follow passages: a scan taken before the
 *   cut-off goes, one taken exactly at it stays (a scan is a point, like its passage);
 * - declarations (sealed form, home, QR code) go a period after their validity ended: the QR
 *   code's `validUntil`, or for a declaration without a code (rejected, kept for review) the end
 *   its code would have had, `TRUYVET_QR_VALID_DAYS` after it was declared (or received, if that
 *   was earlier: a declaration time in the future cannot keep it);
 * - isolation records go once they ended (its `until`; a release at the time it was released)
 *   before the cut-off; an isolation until released that still holds stays.
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
