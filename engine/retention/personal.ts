import { int, num } from '../db/convert';
import { readQuery, writeQuery } from '../db/driver';
import { PERSON_SEEK } from '../db/passages';

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
 * Deletes go in batches, each its own transaction, like passages. `now` is a parameter.
 */

const IN_SCOPE = (v: string) =>
  `($province IS NULL OR (${v}.province = $province AND ($district IS NULL OR ${v}.district = $district) AND ($commune IS NULL OR ${v}.commune = $commune)))`;

// Old scans by the (flagged, at) index: every scan has `flagged` true or false, so the two
// values with a range on `at` seek exactly the old scans, without an index of their own to keep
// up on the hot scan path. In scope = the scan's station is inside the jurisdiction.
const OLD_SCANS = `
MATCH (s:Scan) USING INDEX SEEK s:Scan(flagged, at)
WHERE s.flagged IN [true, false] AND s.at < $cut
  AND ($province IS NULL OR EXISTS { MATCH (st:Station {id: s.stationId}) WHERE ${IN_SCOPE('st')} })`;

// Declarations are few next to passages (one per citizen per trip) and their end is computed,
// so they are read by label, a batch at a time. In scope = the declarant's home.
const OLD_DECLARATIONS = `
MATCH (d:Declaration)
WHERE coalesce(d.qrValidUntil, CASE WHEN d.receivedAt < d.declaredAt THEN d.receivedAt ELSE d.declaredAt END + $validMs) < $declCut
  AND ${IN_SCOPE('d')}`;

const OLD_ISOLATIONS = `
MATCH (i:Isolation)
WHERE CASE WHEN i.isolated THEN i.until ELSE i.updatedAt END < $cut`;

export interface PersonalPurgeParams {
  readonly province: string | null;
  readonly district: string | null;
  readonly commune: string | null;
  /** Scans and isolation records before it go (epoch ms). */
  readonly cut: number;
  /** Declarations whose validity ended before it go (epoch ms). */
  readonly declCut: number;
  /** How long a QR code is valid, for declarations without one. */
  readonly validMs: number;
  readonly batch: number;
}

function params(p: PersonalPurgeParams) {
  return { ...p, cut: int(p.cut), declCut: int(p.declCut), validMs: int(p.validMs), batch: int(p.batch) };
}

async function countOf(match: string, p: PersonalPurgeParams, v: string): Promise<number> {
  const [n] = await readQuery(`${match} RETURN count(${v}) AS n`, params(p), (r) => num(r['n']));
  return n ?? 0;
}

/** Deletes batch after batch until none is left; returns how many nodes and the people they named. */
async function deleteInBatches(match: string, v: string, p: PersonalPurgeParams): Promise<{ n: number; pids: string[]; batches: number }> {
  let n = 0;
  let batches = 0;
  const pids = new Set<string>();
  for (;;) {
    const done = await writeQuery(`${match} WITH ${v} LIMIT $batch WITH ${v}, ${v}.pid AS pid DETACH DELETE ${v} RETURN count(*) AS n, collect(DISTINCT pid) AS pids`, params(p), (r) => ({
      n: num(r['n']),
      pids: r['pids'] as string[],
    }));
    const got = done[0]?.n ?? 0;
    if (got === 0) break;
    batches++;
    n += got;
    for (const pid of done[0]?.pids ?? []) pids.add(pid);
    if (got < p.batch) break;
  }
  return { n, pids: [...pids], batches };
}

/** Scans taken before the cut-off, in scope. */
export async function purgeScans(p: PersonalPurgeParams, dryRun: boolean): Promise<number> {
  return dryRun ? countOf(OLD_SCANS, p, 's') : (await deleteInBatches(OLD_SCANS, 's', p)).n;
}

/**
 * Declarations whose validity ended before their cut-off, in scope. A real run returns the
 * declarants (the caller removes those left with nothing); a dry run counts them.
 */
export async function purgeDeclarations(p: PersonalPurgeParams, dryRun: boolean): Promise<{ declarations: number; people: number; pids: string[] }> {
  if (dryRun) {
    // People whose every link is to a declaration that goes, with no passage.
    const [people] = await readQuery(
      `${OLD_DECLARATIONS}
       WITH d.pid AS pid, count(d) AS old
       MATCH (x:Person {id: pid})
       WHERE coalesce(x.registered, false) = false AND COUNT { (x)--() } = old
         AND NOT EXISTS { MATCH (y:Passage) ${PERSON_SEEK('y')} AND y.pid = pid }
       RETURN count(x) AS n`,
      params(p),
      (r) => num(r['n']),
    );
    return { declarations: await countOf(OLD_DECLARATIONS, p, 'd'), people: people ?? 0, pids: [] };
  }
  const done = await deleteInBatches(OLD_DECLARATIONS, 'd', p);
  return { declarations: done.n, people: 0, pids: done.pids };
}

/**
 * Isolation records that ended before the cut-off (`now − olderThanMs`). Part of every unscoped
 * purge: an isolation record names no place.
 */
export async function purgeIsolations(now: number, olderThanMs: number, dryRun: boolean): Promise<number> {
  const p: PersonalPurgeParams = { cut: now - olderThanMs, declCut: 0, validMs: 0, batch: 5000, province: null, district: null, commune: null };
  return dryRun ? countOf(OLD_ISOLATIONS, p, 'i') : (await deleteInBatches(OLD_ISOLATIONS, 'i', p)).n;
}
