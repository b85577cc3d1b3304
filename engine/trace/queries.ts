import { int, num } from '../db/convert';
import { readQuery, readStatements, type QueryOptions, type StatementRunner } from '../db/driver';
import { invalidInput, type TruyvetError } from '../errors';
import { spanBounds, spanClass } from '../windows';
import { CELL_SEEK, PERSON_SEEK } from '../db/passages';
import type { Edge } from './assemble';
import { contactTimeOf, overlapOf } from './colocation';

/**
 * The trace's Cypher: two statements per generation for the whole frontier, the pairing in JS.
 *
 * 1. FRONTIER: each frontier person's passages that can still give a contact (one seek on the
 *    (pid, at, …) index per person), records of parallel lists per person.
 * 2. In JS, per passage a and duration class k, the start-time range any co-located passage b of
 *    class k must lie in: b.at ∈ [a.at − τ − maxDuration(k), min(a.leftAt + τ, hi)] (and
 *    b.at ≥ since when a started before since: the contact time max(a.at, b.at) must not be
 *    before the person's own exposure). The ranges of one station and class are merged, so a
 *    cell several frontier passages need (the F1s met F0 in the same place) is read once.
 * 3. CANDIDATES: one range seek on the (station, span, at, …) index per merged range, b.leftAt
 *    checked against the lowest a.at − τ of the range; the index holds every property read, so
 *    the node store is not touched. A range comes back as records of parallel lists (pids, ids,
 *    ats, leftAts) of at most RECORD_LIST_MAX passages, not a record per passage: on the 10M city
 *    Neo4j's time in 100 depth-1 traces' statements went from 2.00 s to 1.64 s (same process, A/B).
 * 4. In JS: people already in the trace dropped (a Set, not `NOT IN $seen` per row), each b
 *    matched against the station's frontier passages with the co-location predicate and the
 *    contact-time bounds. Each (a, b) pair comes out once: a b is read once per class range.
 * Measured (docs/benchmarks.md, "Storage layout"): against one Cypher statement pairing in list comprehensions
 * over (:Window) buckets, fewer database hits and a far smaller Bolt stream.
 */
/** Exported for tests/db/plans.int.test.ts, which checks that every hot read seeks its index. */
export const FRONTIER = `
UNWIND range(0, size($frontier) - 1) AS i
CALL (i) {
  WITH $frontier[i] AS f
  MATCH (a:Passage) ${PERSON_SEEK('a')} AND a.pid = f[0] AND a.at <= $hi AND a.leftAt >= f[1] - $tol
  RETURN collect(a.id) AS ids, collect(a.station) AS stations, collect(toFloat(a.at)) AS ats, collect(toFloat(a.leftAt)) AS lefts
}
UNWIND range(0, size(ids) - 1, $chunk) AS s
RETURN i, ids[s..s + $chunk], stations[s..s + $chunk], ats[s..s + $chunk], lefts[s..s + $chunk]`;

export const CANDIDATES = `
UNWIND range(0, size($cells) - 1) AS i
CALL (i) {
  WITH $cells[i] AS c
  MATCH (b:Passage) ${CELL_SEEK('b')} AND b.station = c[0] AND b.span = c[1] AND b.at >= c[2] AND b.at <= c[3] AND b.leftAt >= c[4]
  RETURN collect(b.pid) AS pids, collect(b.id) AS ids, collect(toFloat(b.at)) AS ats, collect(toFloat(b.leftAt)) AS lefts
}
UNWIND range(0, size(pids) - 1, $chunk) AS s
RETURN i, pids[s..s + $chunk], ids[s..s + $chunk], ats[s..s + $chunk], lefts[s..s + $chunk]`;

/**
 * Most passages per record. A Bolt message longer than a chunk reaches the driver as several
 * buffers, and it then reads every byte by walking the buffer list and every float through an
 * 8-byte copy (neo4j-driver 6.3, CombinedBuffer): a busy cell's record of tens of kilobytes
 * decoded several times slower than the same passages in short records. On the 10M city's
 * largest depth-1 traces (~45k people) the statements' wall time went from 150–220 ms to
 * 50–75 ms with 100 per record (300: 80–100 ms; 40: no better than 100).
 */
const RECORD_LIST_MAX = 100;

export interface FrontierEntry {
  readonly pid: string;
  /** Contacts before this instant (ms) do not count for this person. */
  readonly since: number;
}

export interface GenerationQuery {
  /** k of the Fk this query finds (its edges carry it). */
  readonly generation: number;
  readonly frontier: readonly FrontierEntry[];
  /** Latest contact time that counts (ms). */
  readonly hi: number;
  readonly tolMs: number;
  /** People who can no longer be reached: F0, earlier generations and the frontier. */
  readonly seen: readonly string[];
  /**
   * Most contact rows this generation may return (the trace's remaining budget); past it, an
   * invalid_input error instead of a result too large to hold. Unlimited when undefined.
   */
  readonly maxContacts?: number;
  /**
   * What becomes of each edge found, decided before it counts against maxContacts: a contact
   * (every edge, when absent), set aside (returned apart, not counted) or dropped. The outbreak
   * trace (engine/outbreak) sets aside edges into case persons, its link candidates, and keeps
   * F1 edges only inside the windows of the source's cases.
   */
  readonly classify?: (e: Edge) => EdgeFate;
}

export type EdgeFate = 'contact' | 'aside' | 'drop';

/** A generation's edges: its contacts, and those `classify` set aside. */
export interface GenerationEdges {
  readonly contacts: Edge[];
  readonly aside: Edge[];
}

/**
 * Cells per candidate statement: a generation's candidates are read and matched a slice at a
 * time, so a huge generation is never held whole in memory (a statement's records are buffered:
 * 400 busy station-classes over two weeks of a 10M-passage city are some 10^5 passages, tens of
 * MB, against the contact budget's ~1 GB). A depth-2 generation from hundreds of F1s has
 * thousands of cells of a few passages each, so the statements' fixed cost counts: 400 instead of
 * 100 took 30 depth-2 traces of the API bench's city from 2.46–2.48 s to 2.00–2.32 s in all
 * (536 → 201 statements; 1,000 gave no more).
 */
const CELLS_PER_STATEMENT = 400;

/** The error of a trace that reaches more contacts than its budget. */
export function traceTooLarge(maxContacts: number): TruyvetError {
  return invalidInput(
    `the trace is too large to answer: more than ${maxContacts} contact edges; narrow the period, the depth or the tolerance`,
    [{ field: 'depth', reason: `more than ${maxContacts} contact edges` }],
  );
}

interface FrontierPassage {
  readonly src: string;
  readonly since: number;
  readonly id: string;
  readonly at: number;
  readonly leftAt: number;
}

/** A cell of the candidate read: [station, span class, lowest b.at, highest b.at, lowest b.leftAt]. */
type Cell = [string, number, number, number, number];

/**
 * The merged start-time ranges to read per station and duration class. Exported for tests of
 * the range arithmetic.
 */
export function candidateCells(byStation: ReadonlyMap<string, readonly FrontierPassage[]>, hi: number, tolMs: number): Cell[] {
  const cells: Cell[] = [];
  const spans = spanBounds();
  for (const [station, as] of byStation) {
    for (const [k, maxMs] of spans) {
      // [lo, hi, minLeft] per passage, then merged where they overlap.
      const ranges: [number, number, number][] = [];
      for (const a of as) {
        const top = Math.min(a.leftAt + tolMs, hi);
        let lo = a.at - tolMs - maxMs;
        if (a.at < a.since && lo < a.since) lo = a.since;
        if (lo <= top) ranges.push([lo, top, a.at - tolMs]);
      }
      ranges.sort((x, y) => x[0] - y[0]);
      let cur: [number, number, number] | undefined;
      for (const r of ranges) {
        if (cur && r[0] <= cur[1]) {
          cur[1] = Math.max(cur[1], r[1]);
          cur[2] = Math.min(cur[2], r[2]);
        } else {
          if (cur) cells.push([station, k, cur[0], cur[1], cur[2]]);
          cur = [r[0], r[1], r[2]];
        }
      }
      if (cur) cells.push([station, k, cur[0], cur[1], cur[2]]);
    }
  }
  return cells;
}

/**
 * Every qualifying contact edge from the frontier to a person not yet in the trace. The
 * statements run one by one on one session (readStatements says why not in one transaction).
 * Instants come back as floats (exact below 2^53): a JS number straight from Bolt instead of an
 * Integer object per value, on streams of tens of thousands of records. `read` replaces the
 * statement runner (the benchmark's PROFILE); records are read by position, in the order
 * FRONTIER and CANDIDATES return their fields.
 */
export async function contactsFromFrontier(q: GenerationQuery, options: QueryOptions = {}, read?: StatementRunner): Promise<Edge[]> {
  return (await edgesFromFrontier(q, options, read)).contacts;
}

/** contactsFromFrontier() with the edges `q.classify` set aside returned too. */
export async function edgesFromFrontier(q: GenerationQuery, options: QueryOptions = {}, read?: StatementRunner): Promise<GenerationEdges> {
  if (q.frontier.length === 0) return { contacts: [], aside: [] };
  if (read) return generation(q, read);
  return readStatements((run) => generation(q, run), options);
}

async function generation(q: GenerationQuery, run: StatementRunner): Promise<GenerationEdges> {
  const frontierRecords = await run(FRONTIER, {
    chunk: int(RECORD_LIST_MAX),
    frontier: q.frontier.map((f) => [f.pid, int(f.since)]),
    hi: int(q.hi),
    tol: int(q.tolMs),
  });
  const byStation = new Map<string, FrontierPassage[]>();
  for (const r of frontierRecords) {
    // frontier index, then the person's passages as parallel lists: ids, stations, ats, leftAts
    const f = q.frontier[num(r.get(0))]!;
    const ids = r.get(1) as string[];
    const stations = r.get(2) as string[];
    const ats = r.get(3) as number[];
    const lefts = r.get(4) as number[];
    for (let n = 0; n < ids.length; n++) {
      const a: FrontierPassage = { src: f.pid, since: f.since, id: ids[n]!, at: ats[n]!, leftAt: lefts[n]! };
      const list = byStation.get(stations[n]!);
      if (list) list.push(a);
      else byStation.set(stations[n]!, [a]);
    }
  }
  const cells = candidateCells(byStation, q.hi, q.tolMs);
  if (cells.length === 0) return { contacts: [], aside: [] };

  // A busy station can hold hundreds of frontier passages (the F1s all met F0 there): per
  // station and duration class, sorted by arrival, so each b is matched by binary search against
  // [b.at − τ − class bound, b.leftAt + τ] instead of against all of them.
  const sorted = new Map<string, { max: number; as: FrontierPassage[] }[]>();
  for (const [station, as] of byStation) {
    const classes = spanBounds().map(([, max]) => ({ max, as: [] as FrontierPassage[] }));
    for (const a of as) classes[spanClass(a.at, a.leftAt)]!.as.push(a);
    for (const c of classes) c.as.sort((x, y) => x.at - y.at);
    sorted.set(station, classes.filter((c) => c.as.length > 0));
  }
  const seen = new Set(q.seen);
  const tol = q.tolMs;
  const limit = q.maxContacts ?? Infinity;
  const classify = q.classify;
  const rows: Edge[] = [];
  const aside: Edge[] = [];
  for (let from = 0; from < cells.length; from += CELLS_PER_STATEMENT) {
    const slice = cells.slice(from, from + CELLS_PER_STATEMENT);
    const lists = await run(CANDIDATES, { chunk: int(RECORD_LIST_MAX), cells: slice.map((c) => [c[0], int(c[1]), int(c[2]), int(c[3]), int(c[4])]) });
    for (const r of lists) {
      // cell index, then the cell's passages as parallel lists: pids, ids, ats, leftAts
      const stationId = slice[num(r.get(0))]![0];
      const classes = sorted.get(stationId) ?? [];
      const pids = r.get(1) as string[];
      const ids = r.get(2) as string[];
      const ats = r.get(3) as number[];
      const lefts = r.get(4) as number[];
      for (let n = 0; n < pids.length; n++) {
        const target = pids[n]!;
        if (seen.has(target)) continue;
        const bAt = ats[n]!;
        const bLeft = lefts[n]!;
        if (bAt > q.hi) continue;
        for (const { max, as } of classes) {
          const lo = bAt - tol - max;
          let i = 0;
          let j = as.length;
          while (i < j) {
            const mid = (i + j) >>> 1;
            if (as[mid]!.at < lo) i = mid + 1;
            else j = mid;
          }
          for (; i < as.length; i++) {
            const a = as[i]!;
            if (a.at > bLeft + tol) break;
            // Co-location (engine/trace/colocation.ts) and a contact time max(a.at, b.at) in [since, hi].
            if (bAt > a.leftAt + tol) continue;
            if (a.at < a.since && bAt < a.since) continue;
            const edge: Edge = {
              source: a.src,
              target,
              stationId,
              at: contactTimeOf(a.at, bAt),
              overlapMs: overlapOf(a.at, a.leftAt, bAt, bLeft),
              generation: q.generation,
              passages: [a.id, ids[n]!],
            };
            if (classify !== undefined) {
              const fate = classify(edge);
              if (fate === 'drop') continue;
              if (fate === 'aside') {
                aside.push(edge);
                continue;
              }
            }
            // Checked per edge: one busy station can pair thousands of passages with each other.
            if (rows.push(edge) > limit) throw traceTooLarge(limit);
          }
        }
      }
    }
  }
  return { contacts: rows, aside };
}

export async function personExists(pid: string, options: QueryOptions = {}): Promise<boolean> {
  const rows = await readQuery('MATCH (p:Person {id: $pid}) RETURN count(p) AS n', { pid }, (r) => num(r['n']), options);
  return (rows[0] ?? 0) > 0;
}
