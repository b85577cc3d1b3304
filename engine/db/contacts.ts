import { int, num, str } from './convert';
import { readQuery, readStatements, type QueryOptions, type StatementRunner } from './driver';
import { CELL_SEEK, PERSON_SEEK } from './passages';

export type { QueryOptions, StatementRunner };

/**
 * The trace's reads (engine/trace/generation.ts runs a generation on them, engine/trace/pairing.ts
 * pairs what they return): two statements per generation for the whole frontier, the pairing in JS.
 *
 * 1. FRONTIER: each frontier person's passages that can still give a contact (one seek on the
 *    (pid, at, …) index per person), records of parallel lists per person.
 *
 * Both reads take the least signed overlap a pair needs, `minOverlapMs` (engine/trace/pairing.ts,
 * minOverlapOf): −τ for every co-location, closeSeconds in a close-only trace. There a passage
 * shorter than that can be part of no contact, so both statements drop it (`minStay`; the stay is
 * computed from leftAt and at, which the indexes hold: still no node-store read), and the frontier
 * keeps only passages that end at least minOverlap after the person's `since`.
 * 2. In JS (candidateCells), per passage a and duration class k, the start-time range any
 *    co-located passage b of class k must lie in, merged per station and class.
 * 3. CANDIDATES: one range seek on the (station, span, at, …) index per merged range, b.leftAt
 *    checked against the lowest a.at − τ of the range; the index holds every property read, so
 *    the node store is not touched. A range comes back as records of parallel lists (pids, ids,
 *    ats, leftAts) of at most RECORD_LIST_MAX passages, not a record per passage: on the 10M city
 *    Neo4j's time in 100 depth-1 traces' statements went from 2.00 s to 1.64 s (same process, A/B).
 * 4. In JS: the pairing (people already in the trace dropped, the co-location predicate).
 * Measured (docs/benchmarks.md, "Storage layout"): against one Cypher statement pairing in list
 * comprehensions over (:Window) buckets, fewer database hits and a far smaller Bolt stream.
 * Instants come back as floats (exact below 2^53): a JS number straight from Bolt instead of an
 * Integer object per value, on streams of tens of thousands of records.
 */
/** Exported for tests/plans.int.test.ts, which checks that every hot read seeks its index. */
export const FRONTIER = `
UNWIND range(0, size($frontier) - 1) AS i
CALL (i) {
  WITH $frontier[i] AS f
  MATCH (a:Passage) ${PERSON_SEEK('a')} AND a.pid = f[0] AND a.at <= $hi AND a.leftAt >= f[1] + $minOverlap AND a.leftAt - a.at >= $minStay
  RETURN collect(a.id) AS ids, collect(a.station) AS stations, collect(toFloat(a.at)) AS ats, collect(toFloat(a.leftAt)) AS lefts
}
UNWIND range(0, size(ids) - 1, $chunk) AS s
RETURN i, ids[s..s + $chunk], stations[s..s + $chunk], ats[s..s + $chunk], lefts[s..s + $chunk]`;

export const CANDIDATES = `
UNWIND range(0, size($cells) - 1) AS i
CALL (i) {
  WITH $cells[i] AS c
  MATCH (b:Passage) ${CELL_SEEK('b')} AND b.station = c[0] AND b.span = c[1] AND b.at >= c[2] AND b.at <= c[3] AND b.leftAt >= c[4] AND b.leftAt - b.at >= $minStay
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

/**
 * Cells per candidate statement: a generation's candidates are read and handed on a slice at a
 * time, so a huge generation is never held whole in memory (a statement's records are buffered:
 * 400 busy station-classes over two weeks of a 10M-passage city are some 10^5 passages, tens of
 * MB, against the contact budget's ~1 GB). A depth-2 generation from hundreds of F1s has
 * thousands of cells of a few passages each, so the statements' fixed cost counts: 400 instead of
 * 100 took 30 depth-2 traces of the API bench's city from 2.46–2.48 s to 2.00–2.32 s in all
 * (536 → 201 statements; 1,000 gave no more).
 */
const CELLS_PER_STATEMENT = 400;

/** A frontier person, and the instant before which their contacts do not count (ms). */
export interface FrontierSeek {
  readonly pid: string;
  readonly since: number;
}

/** A cell of the candidate read: [station, span class, lowest b.at, highest b.at, lowest b.leftAt]. */
export type CandidateCell = [string, number, number, number, number];

/** One record of a frontier person's passages, as parallel lists (at most RECORD_LIST_MAX long). */
export type FrontierPassages = (frontierIndex: number, ids: readonly string[], stations: readonly string[], ats: readonly number[], lefts: readonly number[]) => void;

/** One record of a cell's passages, as parallel lists (at most RECORD_LIST_MAX long). */
export type CellPassages = (cellIndex: number, pids: readonly string[], ids: readonly string[], ats: readonly number[], lefts: readonly number[]) => void;

/** The two reads of a generation, on one session. */
export interface ContactReads {
  /**
   * Each frontier person's passages with at ≤ hi and leftAt ≥ since + minOverlapMs (since − τ for
   * every co-location), lasting at least minOverlapMs when it is positive.
   */
  frontierPassages(frontier: readonly FrontierSeek[], hi: number, minOverlapMs: number, each: FrontierPassages): Promise<void>;
  /**
   * The passages of each cell lasting at least minOverlapMs when it is positive,
   * CELLS_PER_STATEMENT cells per statement: `each` sees one statement's records before the next
   * statement runs, so memory stays bounded by a slice.
   */
  cellPassages(cells: readonly CandidateCell[], minOverlapMs: number, each: CellPassages): Promise<void>;
}

/**
 * Runs `work` with the generation's reads. The statements run one by one on one session
 * (readStatements in driver.ts says why not in one transaction). `read` replaces the statement
 * runner (the benchmark's PROFILE); records are read by position, in the order FRONTIER and
 * CANDIDATES return their fields.
 */
export async function withContactReads<T>(work: (reads: ContactReads) => Promise<T>, options: QueryOptions = {}, read?: StatementRunner): Promise<T> {
  if (read) return work(readsOn(read));
  return readStatements((run) => work(readsOn(run)), options);
}

function readsOn(run: StatementRunner): ContactReads {
  return {
    async frontierPassages(frontier, hi, minOverlapMs, each) {
      const records = await run(FRONTIER, {
        chunk: int(RECORD_LIST_MAX),
        frontier: frontier.map((f) => [f.pid, int(f.since)]),
        hi: int(hi),
        minOverlap: int(minOverlapMs),
        minStay: int(Math.max(0, minOverlapMs)),
      });
      // frontier index, then the person's passages as parallel lists: ids, stations, ats, leftAts
      for (const r of records) each(num(r.get(0)), r.get(1) as string[], r.get(2) as string[], r.get(3) as number[], r.get(4) as number[]);
    },
    async cellPassages(cells, minOverlapMs, each) {
      const minStay = int(Math.max(0, minOverlapMs));
      for (let from = 0; from < cells.length; from += CELLS_PER_STATEMENT) {
        const slice = cells.slice(from, from + CELLS_PER_STATEMENT);
        const records = await run(CANDIDATES, { chunk: int(RECORD_LIST_MAX), minStay, cells: slice.map((c) => [c[0], int(c[1]), int(c[2]), int(c[3]), int(c[4])]) });
        // cell index in the slice, then the cell's passages as parallel lists: pids, ids, ats, leftAts
        for (const r of records) each(from + num(r.get(0)), r.get(1) as string[], r.get(2) as string[], r.get(3) as number[], r.get(4) as number[]);
      }
    },
  };
}

/**
 * The national-QR passages at these stations starting in these ranges, on their own index
 * (trust, station, at, id); engine/trace/trust.ts says why they are read after the generations.
 */
export const NATIONAL_AT_STATIONS = `
UNWIND $cells AS c
MATCH (x:Passage) USING INDEX SEEK x:Passage(trust, station, at, id)
WHERE x.trust = 'national' AND x.station = c[0] AND x.at >= c[1] AND x.at <= c[2] AND x.id IS NOT NULL
RETURN x.id AS id`;

/** The ids of the national-QR passages at each [station, lowest at, highest at] (epoch ms). */
export async function nationalPassagesAt(ranges: readonly (readonly [string, number, number])[], options: QueryOptions = {}): Promise<Set<string>> {
  if (ranges.length === 0) return new Set();
  const cells = ranges.map(([station, lo, hi]) => [station, int(lo), int(hi)]);
  return new Set(await readQuery(NATIONAL_AT_STATIONS, { cells }, (r) => str(r['id']), options));
}
