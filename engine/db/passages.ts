import { createHash } from 'node:crypto';
import type { Passage } from '../types';
import { windowStarts } from '../windows';
import { int, num, str } from './convert';
import { readQuery, writeTx } from './driver';

/**
 * Passages in the graph: `(:Person)-[:PASSED {passageId, key, at, leftAt, source}]->(:Window)`,
 * one relationship per window the passage touches (see engine/windows.ts). Instants are stored
 * as epoch milliseconds (UTC) INTEGERs: the trace compares them millions of times, and integer
 * comparison is cheaper than temporal values. Writes are idempotent by passage id.
 */

export type WriteOutcome = 'imported' | 'duplicate' | 'conflict';

export interface PassageWrite extends Passage {
  /** Sealed raw person key, stored once on a new Person (engine/identity.ts). */
  readonly personRef: string;
}

/**
 * The stable id of a passage that came without one: a hash of the pseudonymous person, the
 * station and both instants, so re-importing the same row yields the same id.
 */
export function derivedPassageId(personId: string, stationId: string, at: number, leftAt: number): string {
  return 'h' + createHash('sha256').update(`${personId}\u0000${stationId}\u0000${at}\u0000${leftAt}`).digest('hex').slice(0, 24);
}

// Classify every row against what is stored (same id: identical → duplicate, different →
// conflict), then create only the new ones. Rows must have distinct ids within a batch.
const WRITE = `
UNWIND $rows AS row
OPTIONAL MATCH (op:Person)-[old:PASSED {passageId: row.id}]->(ow:Window)
WITH row, head(collect({p: op.id, s: ow.station, at: old.at, leftAt: old.leftAt})) AS old
WITH row, CASE
  WHEN old.p IS NULL THEN 'imported'
  WHEN old.p = row.personId AND old.s = row.stationId AND old.at = row.at AND old.leftAt = row.leftAt THEN 'duplicate'
  ELSE 'conflict' END AS outcome
CALL (row, outcome) {
  WITH row WHERE outcome = 'imported'
  MERGE (p:Person {id: row.personId})
    ON CREATE SET p.ref = row.personRef, p.registered = false
  WITH row, p
  MATCH (st:Station {id: row.stationId})
  UNWIND row.windows AS ws
  MERGE (w:Window {station: row.stationId, start: ws})
    ON CREATE SET w.fresh = true
  WITH row, p, st, w
  CALL (w, st) {
    WITH w, st WHERE w.fresh
    MERGE (w)-[:AT]->(st)
    REMOVE w.fresh
  }
  MERGE (p)-[r:PASSED {key: row.id + '#' + toString(w.start)}]->(w)
    ON CREATE SET r.passageId = row.id, r.at = row.at, r.leftAt = row.leftAt, r.source = row.source
}
RETURN row.id AS id, outcome`;

/**
 * Writes a batch of passages in one transaction; returns each passage id's outcome. Callers
 * check station existence first (a passage at an unknown station is a reject, not a write).
 */
export async function writePassages(rows: readonly PassageWrite[], windowMs: number): Promise<Map<string, WriteOutcome>> {
  const out = new Map<string, WriteOutcome>();
  const params: Record<string, unknown>[] = [];
  for (const p of rows) {
    if (out.has(p.id)) continue;
    out.set(p.id, 'duplicate');
    params.push({
      id: p.id,
      personId: p.personId,
      personRef: p.personRef,
      stationId: p.stationId,
      at: int(p.at),
      leftAt: int(p.leftAt),
      source: p.source,
      windows: windowStarts(p.at, p.leftAt, windowMs).map(int),
    });
  }
  if (params.length === 0) return out;
  await writeTx(async (tx) => {
    const res = await tx.run(WRITE, { rows: params });
    for (const r of res.records) out.set(str(r.get('id')), str(r.get('outcome')) as WriteOutcome);
  });
  return out;
}

const OF_PERSON = `
MATCH (p:Person {id: $personId})-[r:PASSED]->(w:Window)
WHERE r.leftAt >= $from AND r.at <= $to
WITH DISTINCT r.passageId AS id, r.at AS at, r.leftAt AS leftAt, r.source AS source, w.station AS stationId
RETURN id, at, leftAt, source, stationId
ORDER BY at, id`;

/** A person's passages that touch [from, to], each once, in time order. */
export async function passagesOfPerson(personId: string, from: number, to: number): Promise<Passage[]> {
  return readQuery(OF_PERSON, { personId, from: int(from), to: int(to) }, (r) => ({
    id: str(r['id']),
    personId,
    stationId: str(r['stationId']),
    at: num(r['at']),
    leftAt: num(r['leftAt']),
    source: str(r['source']),
  }));
}
