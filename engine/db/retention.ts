import { int, num } from './convert';
import { readQuery, writeQuery, writeTx } from './driver';
import { CELL_SEEK, PERSON_SEEK, spansParam } from './passages';

/**
 * Retention's deletes (engine/retention says what goes when and reports it): old passages and the
 * unregistered people they leave with nothing, stored trace results, checkpoint scans,
 * declarations and isolation records. Deletes go in batches, each its own transaction, so a
 * purge of millions of nodes never builds one giant transaction and can be stopped and run again.
 */

/** Which passages are old: ended before `cut` (epoch ms), at stations inside the scope (null: no condition). */
export interface OldPassages {
  readonly cut: number;
  readonly province: string | null;
  readonly district: string | null;
  readonly commune: string | null;
}

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

function oldParams(o: OldPassages): Record<string, unknown> {
  return { cut: int(o.cut), spans: spansParam(), province: o.province, district: o.district, commune: o.commune };
}

/** How many old passages there are, and how many people would be left with nothing (a dry run). */
export async function countOldPassages(o: OldPassages): Promise<{ passages: number; people: number }> {
  const params = oldParams(o);
  const [passages] = await readQuery(COUNT, params, (r) => num(r['passages']));
  const [people] = await readQuery(COUNT_ORPHANS, params, (r) => num(r['n']));
  return { passages: passages ?? 0, people: people ?? 0 };
}

/**
 * Deletes up to `batch` old passages and the unregistered people they leave with nothing, in one
 * transaction; undefined when none was left.
 */
export async function deleteOldPassages(o: OldPassages, batch: number): Promise<{ passages: number; people: number } | undefined> {
  const params = { ...oldParams(o), batch: int(batch) };
  return writeTx(async (tx) => {
    const picked = (await tx.run(PICK, params)).records[0]?.get('ids') as string[] | undefined;
    if (!picked || picked.length === 0) return undefined;
    const del = (await tx.run(DELETE_PASSAGES, { ids: picked })).records[0];
    const pids = (del?.get('people') as string[] | undefined) ?? [];
    const p = num((await tx.run(DELETE_ORPHANS, { pids })).records[0]?.get('n') ?? 0);
    return { passages: picked.length, people: p };
  });
}

/** Deletes those of these people who are unregistered and have nothing left; returns how many. */
export async function deleteOrphans(pids: readonly string[]): Promise<number> {
  return (await writeQuery(DELETE_ORPHANS, { pids }, (r) => num(r['n'])))[0] ?? 0;
}

const TRACE_RESULTS = (dry: boolean) => `
MATCH (t:TraceRecord) WHERE t.createdAt < $cut AND t.result IS NOT NULL
${dry ? '' : 'SET t.result = null, t.members = null, t.resultPurgedAt = $now'}
RETURN count(t) AS n`;

/** Removes (or counts, `dryRun`) the result, not the metadata, of stored traces opened before `cut`. */
export async function clearTraceResults(cut: number, now: number, dryRun: boolean): Promise<number> {
  const params = { cut: int(cut), now: int(now) };
  const [n] = dryRun ? await readQuery(TRACE_RESULTS(true), params, (r) => num(r['n'])) : await writeQuery(TRACE_RESULTS(false), params, (r) => num(r['n']));
  return n ?? 0;
}

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

/** Isolation records that ended before `cut` (an isolation record names no place: never scoped). */
export async function purgeIsolationRecords(cut: number, dryRun: boolean): Promise<number> {
  const p: PersonalPurgeParams = { cut, declCut: 0, validMs: 0, batch: 5000, province: null, district: null, commune: null };
  return dryRun ? countOf(OLD_ISOLATIONS, p, 'i') : (await deleteInBatches(OLD_ISOLATIONS, 'i', p)).n;
}

// ---- follow-ups, cases and clusters (issue 20 point 6, issue 22) -------------------------------

/** Which follow-ups and cases are old, in the scope of their person's home (null: no condition). */
export interface OutbreakPurgeParams {
  readonly province: string | null;
  readonly district: string | null;
  readonly commune: string | null;
  /** Follow-ups that ended (closed, and their quarantine over) before it go (epoch ms). */
  readonly followUpCut: number;
  /** The statuses that keep a follow-up open (engine/followups/status.ts): never purged. */
  readonly openStatuses: readonly string[];
  /** Closed cases whose last status change was before it go (epoch ms). */
  readonly caseCut: number;
  /** The statuses of a closed case (not `confirmed`). */
  readonly closedStatuses: readonly string[];
  /** The lead of a default infectious period: a cluster's index case is the earliest infectious start (engine/db/clusters.ts). */
  readonly leadMs: number;
  readonly batch: number;
}

function outbreakParams(p: OutbreakPurgeParams) {
  return { ...p, openStatuses: [...p.openStatuses], closedStatuses: [...p.closedStatuses], followUpCut: int(p.followUpCut), caseCut: int(p.caseCut), lead: int(p.leadMs), batch: int(p.batch) };
}

// A follow-up ended at the later of its closing and its quarantine end; few next to passages, read
// by label. In scope = the home it was opened with (empty: not in the registry, in no scope).
const OLD_FOLLOWUPS = `
MATCH (f:FollowUp)
WHERE f.openFor IS NULL AND NOT f.status IN $openStatuses
  AND f.statusChangedAt < $followUpCut AND f.quarantineUntil < $followUpCut
  AND ${IN_SCOPE('f')}`;

// In scope = the case person's registry home, as every read of cases (engine/db/cases.ts): an
// unregistered person's case goes only in an unscoped purge.
const OLD_CASES = `
MATCH (c:Case)
WHERE c.status IN $closedStatuses AND c.statusChangedAt < $caseCut
OPTIONAL MATCH (i:Identity {pid: c.personId})
WITH c, i WHERE $province IS NULL OR coalesce(i.province = $province AND ($district IS NULL OR i.district = $district) AND ($commune IS NULL OR i.commune = $commune), false)`;

export interface OutbreakPurgeCounts {
  readonly followUps: number;
  readonly cases: number;
  /** Clusters left without a case. */
  readonly clusters: number;
  /** Unregistered people left with nothing. */
  readonly people: number;
}

/**
 * Deletes (or counts, `dryRun`) old follow-ups and closed cases a batch per transaction: a case
 * with its relationships (OF, LINKED both ways, IN, TRACED and FOUND_BY of runs), the clusters
 * its batch leaves without a case (other clusters keep their ids; one that lost its index case
 * gets the index among the cases it keeps, by the rule of engine/db/clusters.ts), and the unregistered people
 * left with nothing, in the same transaction, so a purge stopped halfway leaves a consistent
 * graph and runs again.
 */
export async function purgeOutbreakRecords(p: OutbreakPurgeParams, dryRun: boolean): Promise<OutbreakPurgeCounts> {
  const params = outbreakParams(p);
  if (dryRun) {
    const one = async (q: string) => (await readQuery(q, params, (r) => num(r['n'])))[0] ?? 0;
    return {
      followUps: await one(`${OLD_FOLLOWUPS} RETURN count(f) AS n`),
      cases: await one(`${OLD_CASES} RETURN count(c) AS n`),
      // Clusters every case of which goes.
      clusters: await one(`${OLD_CASES} MATCH (c)-[:IN]->(k:Cluster) WITH k, count(c) AS going WHERE COUNT { (k)<-[:IN]-(:Case) } = going RETURN count(k) AS n`),
      // People whose every relationship is to a follow-up or case that goes, with no passage.
      people: await one(
        `CALL () { ${OLD_FOLLOWUPS} RETURN f.personId AS pid UNION ALL ${OLD_CASES} RETURN c.personId AS pid }
         WITH pid, count(*) AS going
         MATCH (x:Person {id: pid})
         WHERE coalesce(x.registered, false) = false AND COUNT { (x)--() } = going
           AND NOT EXISTS { MATCH (y:Passage) ${PERSON_SEEK('y')} AND y.pid = pid }
         RETURN count(x) AS n`,
      ),
    };
  }
  let followUps = 0;
  let cases = 0;
  let clusters = 0;
  let people = 0;
  for (;;) {
    const done = await writeTx(async (tx) => {
      const rec = (await tx.run(`${OLD_FOLLOWUPS} WITH f LIMIT $batch WITH f, f.personId AS pid DETACH DELETE f RETURN count(*) AS n, collect(DISTINCT pid) AS pids`, params)).records[0];
      const n = num(rec?.get('n') ?? 0);
      const gone = num((await tx.run(DELETE_ORPHANS, { pids: (rec?.get('pids') as string[] | undefined) ?? [] })).records[0]?.get('n') ?? 0);
      return { n, people: gone };
    });
    followUps += done.n;
    people += done.people;
    if (done.n < p.batch) break;
  }
  for (;;) {
    const done = await writeTx(async (tx) => {
      const rec = (
        await tx.run(
          `${OLD_CASES} WITH c LIMIT $batch
           OPTIONAL MATCH (c)-[:IN]->(k:Cluster)
           WITH c, c.personId AS pid, collect(k.id) AS kids
           DETACH DELETE c
           RETURN count(*) AS n, collect(DISTINCT pid) AS pids, collect(kids) AS kids`,
          params,
        )
      ).records[0];
      const n = num(rec?.get('n') ?? 0);
      const kids = [...new Set(((rec?.get('kids') as string[][] | undefined) ?? []).flat())];
      const k = (await tx.run('UNWIND $kids AS kid MATCH (k:Cluster {id: kid}) WHERE NOT EXISTS { (k)<-[:IN]-(:Case) } DETACH DELETE k RETURN count(*) AS n', { kids })).records[0];
      await tx.run(
        `UNWIND $kids AS kid MATCH (k:Cluster {id: kid})<-[:IN]-(c:Case)
         WHERE NOT EXISTS { MATCH (:Case {id: k.indexCase})-[:IN]->(k) }
         WITH k, c ORDER BY coalesce(c.infectiousFrom, coalesce(c.onsetAt, c.confirmedAt) - $lead), c.id
         WITH k, collect(c.id)[0] AS index
         SET k.indexCase = index`,
        { kids, lead: params.lead },
      );
      const gone = num((await tx.run(DELETE_ORPHANS, { pids: (rec?.get('pids') as string[] | undefined) ?? [] })).records[0]?.get('n') ?? 0);
      return { n, clusters: num(k?.get('n') ?? 0), people: gone };
    });
    cases += done.n;
    clusters += done.clusters;
    people += done.people;
    if (done.n < p.batch) break;
  }
  return { followUps, cases, clusters, people };
}
