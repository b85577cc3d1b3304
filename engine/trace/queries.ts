import { int, num, str } from '../db/convert';
import { readQuery, type QueryOptions } from '../db/driver';
import type { ContactRow } from './assemble';

/**
 * The trace's Cypher, one statement per generation for the whole frontier.
 *
 * 1. For each frontier person p (with `since`, the earliest contact time that may count for
 *    them) read p's passages, each once (only through the window holding its start).
 * 2. For each passage a, the bucket range [lo, hi] any co-located passage must touch:
 *    [a.at − τ, a.leftAt + τ], narrowed to contact times in [since, $hi].
 * 3. Group the passages by the (station, bucket) cells they need, so a cell that several frontier
 *    passages need (the F1s met F0 in the same place) is read once: one seek on the composite
 *    (station, start) index per cell, one expansion of its passages b, people already in the
 *    trace ($seen: F0, earlier generations, the frontier) dropped there.
 * 4. Match each b against the cell's frontier passages in a list comprehension (far cheaper
 *    than a row per pair): co-location, contact time max(a.at, b.at) in [since, $hi]
 *    (`a.at >= since OR b.at >= since`, both at most $hi), and b kept only at the first cell of
 *    a's range it touches, so each (a, b) pair comes out once without a DISTINCT.
 * One record per target passage b with the list of its source passages keeps the Bolt stream
 * small. Measured (README, "Benchmarks"): against a range seek per frontier passage and a record
 * per pair, half the database hits and a third of the wall time on dense cities.
 */
const GENERATION = `
UNWIND $frontier AS f
MATCH (p:Person {id: f.pid})-[a:PASSED]->(wa:Window)
WHERE a.at >= wa.start AND a.at <= $hi AND a.leftAt >= f.since - $tol
WITH f, p, a, wa.station AS station,
     CASE WHEN a.at >= f.since THEN a.at - $tol ELSE f.since END AS loT,
     CASE WHEN a.leftAt + $tol < $hi THEN a.leftAt + $tol ELSE $hi END AS hiT
WITH station, hiT - ((hiT % $size) + $size) % $size AS hi,
     {src: p.id, id: a.passageId, at: a.at, leftAt: a.leftAt, since: f.since, lo: loT - ((loT % $size) + $size) % $size} AS x
UNWIND range(x.lo, hi, $size) AS start
WITH station, start, collect(x) AS xs
MATCH (w:Window {station: station, start: start})<-[b:PASSED]-(q:Person)
WHERE b.at <= $hi AND NOT q.id IN $seen
WITH station, start, xs, q, b, b.at AS bAt, b.leftAt AS bLeft
WITH station, q, b, bAt, bLeft,
     [x IN xs WHERE (start = x.lo OR bAt >= start)
        AND bAt <= x.leftAt + $tol AND bLeft >= x.at - $tol
        AND (x.at >= x.since OR bAt >= x.since) | [x.src, x.id, x.at, x.leftAt]] AS sources
WHERE size(sources) > 0
RETURN station, q.id AS target, b.passageId AS bId, bAt, bLeft, sources`;

export interface FrontierEntry {
  readonly pid: string;
  /** Contacts before this instant (ms) do not count for this person. */
  readonly since: number;
}

export interface GenerationQuery {
  readonly frontier: readonly FrontierEntry[];
  /** Latest contact time that counts (ms). */
  readonly hi: number;
  readonly tolMs: number;
  readonly windowMs: number;
  /** People who can no longer be reached: F0, earlier generations and the frontier. */
  readonly seen: readonly string[];
}

export function generationParams(q: GenerationQuery): Record<string, unknown> {
  return {
    frontier: q.frontier.map((f) => ({ pid: f.pid, since: int(f.since) })),
    hi: int(q.hi),
    tol: int(q.tolMs),
    size: int(q.windowMs),
    seen: q.seen,
  };
}

export const GENERATION_CYPHER = GENERATION;

/** Every qualifying contact edge from the frontier to a person not yet in the trace. */
export async function contactsFromFrontier(q: GenerationQuery, options: QueryOptions = {}): Promise<ContactRow[]> {
  if (q.frontier.length === 0) return [];
  const rows: ContactRow[] = [];
  await readQuery(GENERATION, generationParams(q), (r) => contactRows(r, rows), options);
  return rows;
}

/** One record of the generation query (a target passage and its sources) as ContactRows, appended to `out`. */
export function contactRows(r: Record<string, unknown>, out: ContactRow[]): void {
  const target = str(r['target']);
  const stationId = str(r['station']);
  const b = { id: str(r['bId']), at: num(r['bAt']), leftAt: num(r['bLeft']) };
  for (const s of r['sources'] as unknown[][]) {
    out.push({ source: str(s[0]), target, stationId, a: { id: str(s[1]), at: num(s[2]), leftAt: num(s[3]) }, b });
  }
}

export async function personExists(pid: string, options: QueryOptions = {}): Promise<boolean> {
  const rows = await readQuery('MATCH (p:Person {id: $pid}) RETURN count(p) AS n', { pid }, (r) => num(r['n']), options);
  return (rows[0] ?? 0) > 0;
}
