import { randomBytes } from 'node:crypto';
import { dropChain } from '../../engine/audit/store';
import { readQuery, runAutoCommit, writeQuery } from '../../engine/db/driver';
import { CELL_SEEK } from '../../engine/db/passages';
import { pseudonym } from '../../engine/identity';

/**
 * Tests share one database and never wipe it: each test file makes its data under a unique run
 * id and removes exactly that. The run id starts every id the test chooses — stations (and so
 * their passages), scans, account names (so their refresh tokens, the traces and imports they
 * own), audit chains — and `removeRun` finds all of it by that prefix. People are the exception:
 * document numbers cannot carry it, so a test lists the raw keys it used.
 */

export function newRunId(label = 't'): string {
  return `${label}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export interface RunPeople {
  /** Raw person keys (registry ids, document numbers): their people and identities, declarations, isolations and scans. */
  readonly people?: readonly string[];
  /** Also everyone with a passage at the run's stations (imports, whose person keys the test does not list). */
  readonly passagePeople?: boolean;
}

// The existence checks let the (station, span, at, …) index serve the prefix: Neo4j uses it only
// with a predicate on each of its properties (without them, a scan of every passage).
const RUN_PASSAGES = `MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station STARTS WITH $run AND x.span IS NOT NULL AND x.at IS NOT NULL`;

/**
 * Deletes everything of the run (`run` is a prefix: `${run}x` goes too), in batches: a run can hold
 * tens of thousands of passages.
 */
export async function removeRun(run: string, o: RunPeople = {}): Promise<void> {
  // A short prefix would reach other tests' data (an empty one, everything).
  if (run.length < 6) throw new Error(`removeRun: '${run}' is too short to be a run id`);
  const ext = `oidc:${run}`; // accounts from the identity provider: `oidc:<subject>`
  if (o.passagePeople) {
    await runAutoCommit(
      `${RUN_PASSAGES}
       WITH DISTINCT x.pid AS pid MATCH (p:Person {id: pid})
       CALL (p) { OPTIONAL MATCH (i:Identity {pid: p.id}) DETACH DELETE p, i } IN TRANSACTIONS OF 1000 ROWS`,
      { run },
    );
  }
  const pids = (o.people ?? []).map(pseudonym);
  if (o.passagePeople) {
    await runAutoCommit(`${RUN_PASSAGES} WITH DISTINCT x.pid AS pid MATCH (f:FollowUp {personId: pid}) CALL (f) { DETACH DELETE f } IN TRANSACTIONS OF 1000 ROWS`, { run });
  }
  if (pids.length > 0) {
    await writeQuery('UNWIND $pids AS pid MATCH (f:FollowUp {personId: pid}) DETACH DELETE f', { pids }, () => undefined);
    await writeQuery('MATCH (d:Declaration) WHERE d.pid IN $pids DETACH DELETE d', { pids }, () => undefined);
    await writeQuery('UNWIND $pids AS pid MATCH (i:Isolation {pid: pid}) DETACH DELETE i', { pids }, () => undefined);
    await runAutoCommit('UNWIND $pids AS pid MATCH (s:Scan {pid: pid}) WHERE s.at IS NOT NULL CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 1000 ROWS', { pids });
    await runAutoCommit(
      `UNWIND $pids AS pid OPTIONAL MATCH (p:Person {id: pid}) OPTIONAL MATCH (i:Identity {pid: pid})
       WITH p, i CALL (p, i) { DETACH DELETE p, i } IN TRANSACTIONS OF 1000 ROWS`,
      { pids },
    );
  }
  await runAutoCommit(`${RUN_PASSAGES} CALL (x) { DETACH DELETE x } IN TRANSACTIONS OF 5000 ROWS`, { run });
  await runAutoCommit('MATCH (s:Station) WHERE s.id STARTS WITH $run CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 500 ROWS', { run });
  await writeQuery('MATCH (s:Scan) WHERE s.id STARTS WITH $run OR s.stationId STARTS WITH $run DETACH DELETE s', { run }, () => undefined);
  // Outbreak runs of the run's accounts, or over its cases (the command line's owner is the OS user), with their CONTACT and LINKED relationships.
  const runs = await readQuery(
    `MATCH (r:OutbreakRun) WHERE toLower(r.owner) STARTS WITH toLower($run) OR EXISTS { (r)-[:TRACED]->(c:Case) WHERE c.id STARTS WITH $run } RETURN r.id AS id`,
    { run },
    (r) => r['id'] as string,
  );
  for (const id of runs) {
    await writeQuery("MATCH (f:FollowUp) WHERE ('run:' + $id) IN f.sources DETACH DELETE f", { id }, () => undefined);
    await runAutoCommit('MATCH ()-[c:CONTACT]->() WHERE c.run = $id CALL (c) { DELETE c } IN TRANSACTIONS OF 5000 ROWS', { id });
    await runAutoCommit('MATCH ()-[l:LINKED]->() WHERE l.run = $id CALL (l) { DELETE l } IN TRANSACTIONS OF 5000 ROWS', { id });
    await writeQuery('MATCH (r:OutbreakRun {id: $id}) DETACH DELETE r', { id }, () => undefined);
  }
  // Clusters across days holding the run's cases (engine/db/clusters.ts).
  await writeQuery('MATCH (c:Case)-[:IN]->(k:Cluster) WHERE c.id STARTS WITH $run WITH DISTINCT k DETACH DELETE k', { run }, () => undefined);
  await runAutoCommit('MATCH (c:Case) WHERE c.id STARTS WITH $run CALL (c) { DETACH DELETE c } IN TRANSACTIONS OF 1000 ROWS', { run });
  // Lower-cased: tests of case-insensitive usernames make `<RUN>-…` too.
  const owned = (v: string) => `toLower(${v}) STARTS WITH toLower($run) OR toLower(${v}) STARTS WITH toLower($ext)`;
  await writeQuery(`MATCH (t:RefreshToken) WHERE ${owned('t.username')} DETACH DELETE t`, { run, ext }, () => undefined);
  await writeQuery(`MATCH (a:Account) WHERE ${owned('a.username')} DETACH DELETE a`, { run, ext }, () => undefined);
  await writeQuery(`MATCH (t:TraceRecord) WHERE ${owned('t.owner')} DETACH DELETE t`, { run, ext }, () => undefined);
  await writeQuery(`MATCH (e:ExposureRecord) WHERE ${owned('e.owner')} DETACH DELETE e`, { run, ext }, () => undefined);
  await writeQuery(`MATCH (j:ImportJob) WHERE ${owned('j.owner')} DETACH DELETE j`, { run, ext }, () => undefined);
  const chains = await readQuery(
    `CALL () {
       MATCH (h:AuditHead) WHERE h.chain STARTS WITH $run RETURN h.chain AS chain
       UNION
       MATCH (e:AuditEvent) WHERE e.chain STARTS WITH $run AND e.seq >= 0 RETURN DISTINCT e.chain AS chain
     }
     RETURN chain`,
    { run },
    (r) => r['chain'] as string,
  );
  for (const chain of chains) await dropChain(chain);
}
