import { createHash } from 'node:crypto';
import type { Passage } from '../types';
import { windowStarts } from '../windows';
import { int, num, str } from './convert';
import type { ManagedTransaction } from 'neo4j-driver';
import { readQuery, writeTx } from './driver';
import { isTruyvetError } from '../errors';

/**
 * Passages in the graph: `(:Person)-[:PASSED {passageId, key, at, leftAt, source}]->(:Window)`,
 * one relationship per window the passage touches (see engine/windows.ts). Instants are stored
 * as epoch milliseconds (UTC) INTEGERs: the trace compares them millions of times, and integer
 * comparison is cheaper than temporal values. Writes are idempotent by passage id.
 */

export type WriteOutcome = 'imported' | 'duplicate' | 'conflict';

export interface PassageWrite extends Passage {
  /**
   * Sealed raw person key, stored once on a new Person (engine/identity.ts). A function is
   * called only when the person is new to the graph: sealing costs tens of microseconds, and
   * most passages are of people the graph already knows.
   */
  readonly personRef: string | (() => string);
  /**
   * How far the passage can be trusted as evidence, for scans: `signed` (a verified truyvet QR
   * code) or `national` (the unsigned national QR, checked only against the registry). Absent
   * for imported logs: no `trust` property is written.
   */
  readonly trust?: PassageTrust;
}

export type PassageTrust = 'signed' | 'national';

/**
 * The stable id of a passage that came without one: a hash of the pseudonymous person, the
 * station and both instants, so re-importing the same row yields the same id.
 */
export function derivedPassageId(personId: string, stationId: string, at: number, leftAt: number): string {
  return 'h' + createHash('sha256').update(`${personId}\u0000${stationId}\u0000${at}\u0000${leftAt}`).digest('hex').slice(0, 24);
}

// A batch is one write transaction of three statements: which ids are stored already (same
// id: identical content → duplicate, different → conflict), which people of the new rows the
// graph knows (only new people get a sealed ref: sealing is the importer's costliest step),
// then the writes for new rows only. Rows go as lists, not maps: Bolt packs them faster, and
// at 50,000 rows a second the packing is a large part of the work.
const CLASSIFY = `
UNWIND $ids AS id
MATCH (op:Person)-[old:PASSED {passageId: id}]->(ow:Window)
WITH id, head(collect([op.id, ow.station, old.at, old.leftAt])) AS o
RETURN id, o[0] AS personId, o[1] AS stationId, o[2] AS at, o[3] AS leftAt`;

const KNOWN_PEOPLE = `
UNWIND $pids AS pid
MATCH (p:Person {id: pid})
RETURN pid`;

// A new window gets its AT link in the same transaction, so "no AT yet" means "created just
// now" (a degree check, cheaper than marking new windows with a property and removing it).
// row = [id, personId, stationId, at, leftAt, source, firstWindowStart, trust]
// The window starts of a row are range(firstWindowStart, leftAt, $size), as windowStarts() gives.
// CREATE, not MERGE, for PASSED: the ids were just classified in this transaction, and the
// unique constraint on PASSED.key turns a concurrent writer of the same passage into an error
// that writePassages retries (then as a duplicate).
const CREATE = `
CALL () {
  UNWIND $people AS pp
  MERGE (p:Person {id: pp[0]})
    ON CREATE SET p.ref = pp[1], p.registered = false
}
CALL () {
  UNWIND $windows AS ww
  MERGE (w:Window {station: ww[0], start: ww[1]})
  WITH w, ww WHERE NOT EXISTS { (w)-[:AT]->() }
  MATCH (st:Station {id: ww[0]})
  CREATE (w)-[:AT]->(st)
}
UNWIND $rows AS row
MERGE (p:Person {id: row[1]})
  ON CREATE SET p.registered = false
WITH row, p
UNWIND range(row[6], row[4], $size) AS ws
MATCH (w:Window {station: row[2], start: ws})
CREATE (p)-[:PASSED {key: row[0] + '#' + toString(ws), passageId: row[0], at: row[3], leftAt: row[4], source: row[5], trust: row[7]}]->(w)`;

const ATTEMPTS = 3;

/**
 * Writes a batch of passages in one transaction; returns each passage id's outcome. Within the
 * batch the first row of an id counts, later ones are duplicates. Callers check station
 * existence first (a passage at an unknown station is a reject, not a write).
 */
export async function writePassages(rows: readonly PassageWrite[], windowMs: number): Promise<Map<string, WriteOutcome>> {
  const first = new Map<string, PassageWrite>();
  for (const p of rows) if (!first.has(p.id)) first.set(p.id, p);
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeBatch(first, windowMs);
    } catch (e) {
      // Another writer stored one of these passages between our check and our write.
      if (!(isTruyvetError(e) && e.code === 'conflict') || attempt >= ATTEMPTS) throw e;
    }
  }
}

/**
 * writePassages inside a transaction the caller opened, so its own records and their passages
 * commit together (a checkpoint scan and its passage: one commit, one disk flush, per batch).
 * No retry here: a conflict fails the caller's transaction, and the caller retries it whole.
 */
export async function writePassagesIn(tx: ManagedTransaction, rows: readonly PassageWrite[], windowMs: number): Promise<Map<string, WriteOutcome>> {
  const first = new Map<string, PassageWrite>();
  for (const p of rows) if (!first.has(p.id)) first.set(p.id, p);
  return writeBatch(first, windowMs, tx);
}

async function writeBatch(first: ReadonlyMap<string, PassageWrite>, windowMs: number, inTx?: ManagedTransaction): Promise<Map<string, WriteOutcome>> {
  const work = async (tx: ManagedTransaction): Promise<Map<string, WriteOutcome>> => {
    const out = new Map<string, WriteOutcome>();
    const stored = await tx.run(CLASSIFY, { ids: [...first.keys()] });
    for (const r of stored.records) {
      const id = str(r.get('id'));
      const p = first.get(id);
      if (!p) continue;
      const same = r.get('personId') === p.personId && r.get('stationId') === p.stationId && num(r.get('at')) === p.at && num(r.get('leftAt')) === p.leftAt;
      out.set(id, same ? 'duplicate' : 'conflict');
    }
    const fresh: PassageWrite[] = [];
    for (const [id, p] of first) {
      if (out.has(id)) continue;
      out.set(id, 'imported');
      fresh.push(p);
    }
    if (fresh.length === 0) return out;

    const pids = [...new Set(fresh.map((p) => p.personId))];
    const known = new Set((await tx.run(KNOWN_PEOPLE, { pids })).records.map((r) => str(r.get('pid'))));
    const people: [string, string][] = [];
    const refOf = new Map(fresh.map((p) => [p.personId, p.personRef] as const));
    for (const pid of pids) {
      if (known.has(pid)) continue;
      const ref = refOf.get(pid);
      people.push([pid, typeof ref === 'function' ? ref() : (ref ?? '')]);
    }
    const windows = new Map<string, [string, ReturnType<typeof int>]>();
    const params: unknown[][] = [];
    for (const p of fresh) {
      const starts = windowStarts(p.at, p.leftAt, windowMs);
      for (const ws of starts) {
        const k = `${p.stationId}\u0000${ws}`;
        if (!windows.has(k)) windows.set(k, [p.stationId, int(ws)]);
      }
      params.push([p.id, p.personId, p.stationId, int(p.at), int(p.leftAt), p.source, int(starts[0] ?? p.at), p.trust ?? null]);
    }
    await tx.run(CREATE, { people, windows: [...windows.values()], rows: params, size: int(windowMs) });
    return out;
  };
  return inTx ? work(inTx) : writeTx(work);
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
