import { createHash } from 'node:crypto';
import type { EvidenceTrust, Passage } from '../types';
import { spanBounds, spanClass } from '../windows';
import { int, num, str } from './convert';
import type { ManagedTransaction } from 'neo4j-driver';
import { readQuery, writeTx } from './driver';
import { isTruyvetError } from '../errors';

/**
 * Passages in the graph: one `(:Passage {id, pid, station, at, leftAt, span, source, trust?})`
 * node per passage, no relationships. `pid` is the person's pseudonymous key, `station` the
 * station id, `span` its duration class (engine/windows.ts). Indexes (engine/db/schema.ts):
 * `id` unique (idempotent writes), (station, span, at, …) for co-location lookups, (pid, at, …)
 * for a person's passages; both cover every property a trace reads (CELL_SEEK, PERSON_SEEK).
 *
 * Why not DESIGN.md's `(:Person)-[:PASSED]->(:Window)`: a passage had one relationship per
 * 15-minute window it touched (5.4 on average in the generated cities: dwell intervals of hours),
 * each with two index entries, plus window MERGEs and AT links, and every write locked the busy
 * windows and the person. A node per passage is one write with three index entries and no lock
 * on anything shared; the co-location lookup is a range seek per duration class instead of a
 * bucket read (docs/benchmarks.md, "Storage layout": bench/storage.ts measures both layouts).
 *
 * Instants are epoch milliseconds (UTC) INTEGERs: the trace compares them millions of times, and
 * integer comparison is cheaper than temporal values. Writes are idempotent by passage id.
 */

/**
 * The two lookup indexes hold every property a trace reads, so a trace reads index entries only,
 * never the node store (on the 10M city, Neo4j's time per depth-1 trace halved: p50 6 → 3 ms,
 * p99 114 → 50 ms). Neo4j uses a composite index only when the query has a predicate on each of
 * its properties: a read that seeks one puts the hint and these predicates after its MATCH, so
 * one that forgets a predicate fails in every test instead of silently scanning all passages.
 * SEEK, not a bare USING INDEX: a bare hint is also met by a scan of the whole index, which the
 * planner picks when the label looks nearly empty (a fresh graph) and then keeps in its cache.
 * Fixed text, no input: the variable name is the caller's constant.
 */
export const CELL_SEEK = (v: string): string =>
  `USING INDEX SEEK ${v}:Passage(station, span, at, leftAt, pid, id) WHERE ${v}.leftAt IS NOT NULL AND ${v}.pid IS NOT NULL AND ${v}.id IS NOT NULL`;
export const PERSON_SEEK = (v: string): string =>
  `USING INDEX SEEK ${v}:Passage(pid, at, leftAt, station, id) WHERE ${v}.at IS NOT NULL AND ${v}.leftAt IS NOT NULL AND ${v}.station IS NOT NULL AND ${v}.id IS NOT NULL`;

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
// then the writes for new rows only. Rows go as lists, not maps: Bolt packs them faster.
const CLASSIFY = `
UNWIND $ids AS id
MATCH (x:Passage {id: id})
RETURN id, x.pid AS personId, x.station AS stationId, x.at AS at, x.leftAt AS leftAt`;

const KNOWN_PEOPLE = `
UNWIND $pids AS pid
MATCH (p:Person {id: pid})
RETURN pid`;

// row = [id, personId, stationId, at, leftAt, span, source, trust]. CREATE, not MERGE: the ids
// were just classified in this transaction, and the unique constraint on Passage.id turns a
// concurrent writer of the same passage into an error that writePassages retries (then as a
// duplicate). A null trust writes no property.
const CREATE = `
CALL () {
  UNWIND $people AS pp
  MERGE (p:Person {id: pp[0]})
    ON CREATE SET p.ref = pp[1], p.registered = false
}
UNWIND $rows AS row
CREATE (:Passage {id: row[0], pid: row[1], station: row[2], at: row[3], leftAt: row[4], span: row[5], source: row[6], trust: row[7]})`;

const ATTEMPTS = 3;

/**
 * Writes a batch of passages in one transaction; returns each passage id's outcome. Within the
 * batch the first row of an id counts, later ones are duplicates. Callers check station
 * existence first (a passage at an unknown station is a reject, not a write).
 */
export async function writePassages(rows: readonly PassageWrite[]): Promise<Map<string, WriteOutcome>> {
  const first = new Map<string, PassageWrite>();
  for (const p of rows) if (!first.has(p.id)) first.set(p.id, p);
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeBatch(first);
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
export async function writePassagesIn(tx: ManagedTransaction, rows: readonly PassageWrite[]): Promise<Map<string, WriteOutcome>> {
  const first = new Map<string, PassageWrite>();
  for (const p of rows) if (!first.has(p.id)) first.set(p.id, p);
  return writeBatch(first, tx);
}

async function writeBatch(first: ReadonlyMap<string, PassageWrite>, inTx?: ManagedTransaction): Promise<Map<string, WriteOutcome>> {
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
    const params = fresh.map((p) => [p.id, p.personId, p.stationId, int(p.at), int(p.leftAt), int(spanClass(p.at, p.leftAt)), p.source, p.trust ?? null]);
    await tx.run(CREATE, { people, rows: params });
    return out;
  };
  return inTx ? work(inTx) : writeTx(work);
}

// The station's name comes with each passage: a timeline is one read, not one for the passages
// and another for their stations' names.
export const OF_PERSON = `
MATCH (x:Passage) ${PERSON_SEEK('x')} AND x.pid = $personId AND x.at <= $to AND x.leftAt >= $from
OPTIONAL MATCH (st:Station {id: x.station}) USING INDEX SEEK st:Station(id)
RETURN x.id AS id, x.at AS at, x.leftAt AS leftAt, x.source AS source, x.trust AS trust, x.station AS stationId, coalesce(st.name, '') AS stationName
ORDER BY at, id`;

/**
 * A person's passages that touch [from, to], in time order, with their stations' names ('' if
 * unknown) and their trust as evidence (`national` for a national-QR scan, else `standard`).
 */
export async function passagesOfPerson(personId: string, from: number, to: number): Promise<(Passage & { readonly stationName: string; readonly trust: EvidenceTrust })[]> {
  return readQuery(OF_PERSON, { personId, from: int(from), to: int(to) }, (r) => ({
    id: str(r['id']),
    personId,
    stationId: str(r['stationId']),
    at: num(r['at']),
    leftAt: num(r['leftAt']),
    source: str(r['source']),
    trust: r['trust'] === 'national' ? 'national' : 'standard',
    stationName: str(r['stationName']),
  }));
}

/**
 * The Cypher parameter `$spans` of a lookup "passages at a station touching [lo, hi]": with it,
 * `UNWIND $spans AS sp MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station = s AND x.span = sp[0]
 * AND x.at >= lo - sp[1] AND x.at <= hi AND x.leftAt >= lo` is one bounded range seek per
 * duration class (engine/windows.ts).
 */
export function spansParam(): ReturnType<typeof int>[][] {
  return spanBounds().map(([k, d]) => [int(k), int(d)]);
}
