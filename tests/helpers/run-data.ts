import { randomBytes } from 'node:crypto';
import { writeQuery } from '../../engine/db/driver';
import { CELL_SEEK } from '../../engine/db/passages';
import { pseudonym } from '../../engine/identity';

/**
 * Each test file makes its data under a unique run id and removes only that (no global wipe):
 * station ids and raw person keys start with the prefix, so cleanup finds them.
 */
export function newRunId(label = 't'): string {
  return `${label}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Deletes the run's stations with their passages, and the run's people with their registry rows. */
export async function removeRunData(prefix: string, rawPersonIds: readonly string[] = []): Promise<void> {
  // Passages by station id: stations are found by prefix, their passages by the (station, span,
  // at, …) index, which Neo4j uses only with a predicate on each of its properties (CELL_SEEK
  // and the existence checks; without them, a scan of every passage). Passages at a station
  // that was never imported carry the prefix too.
  await writeQuery(
    `MATCH (s:Station) WHERE s.id STARTS WITH $prefix
     OPTIONAL MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station = s.id AND x.span IS NOT NULL AND x.at IS NOT NULL
     DETACH DELETE x, s`,
    { prefix },
    () => undefined,
  );
  await writeQuery(`MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station STARTS WITH $prefix AND x.span IS NOT NULL AND x.at IS NOT NULL DETACH DELETE x`, { prefix }, () => undefined);
  const pids = rawPersonIds.map(pseudonym);
  if (pids.length > 0) {
    await writeQuery(
      `UNWIND $pids AS pid
       OPTIONAL MATCH (p:Person {id: pid})
       OPTIONAL MATCH (i:Identity {pid: pid})
       DETACH DELETE p, i`,
      { pids },
      () => undefined,
    );
  }
}
