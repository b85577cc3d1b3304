import { randomBytes } from 'node:crypto';
import { writeQuery } from '../../engine/db/driver';
import { pseudonym } from '../../engine/identity';

/**
 * Each test file makes its data under a unique run id and removes only that (no global wipe):
 * station ids and raw person keys start with the prefix, so cleanup finds them.
 */
export function newRunId(label = 't'): string {
  return `${label}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Deletes the run's stations with their windows and passages, and the run's people with their registry rows. */
export async function removeRunData(prefix: string, rawPersonIds: readonly string[] = []): Promise<void> {
  await writeQuery(
    `MATCH (s:Station) WHERE s.id STARTS WITH $prefix
     OPTIONAL MATCH (w:Window)-[:AT]->(s)
     DETACH DELETE w, s`,
    { prefix },
    () => undefined,
  );
  await writeQuery(
    `MATCH (w:Window) WHERE w.station STARTS WITH $prefix DETACH DELETE w`,
    { prefix },
    () => undefined,
  );
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
