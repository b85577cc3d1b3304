import { int, num, str, strOrEmpty } from '../db/convert';
import { readQuery, type QueryOptions } from '../db/driver';
import { PERSON_SEEK } from '../db/passages';
import { windowSizeMs } from '../db/schema';
import { invalidInput } from '../errors';
import { isoUtc } from '../time';

/**
 * Hotspots: the station × time-window cells (window-sized buckets of time) ranked by how many of the
 * given cases passed through them in [from, to], then by how many of their passages did. Where
 * several cases were at once is where a cluster most likely spread.
 */

export interface HotspotParams {
  /** The cases' pseudonymous person keys. */
  readonly cases: readonly string[];
  readonly from: number;
  readonly to: number;
  /** Default 20, at most MAX_HOTSPOTS. */
  readonly limit?: number;
}

export interface Hotspot {
  stationId: string;
  stationName: string;
  /** The cell: [windowStart, windowEnd). */
  windowStart: string;
  windowEnd: string;
  /** Distinct cases with a passage touching the cell. */
  cases: number;
  /** The cases' passages touching the cell (a dwell counts in every cell it spans). */
  passages: number;
  /** Which cases (pseudonymous keys, sorted). */
  people: string[];
}

export interface HotspotResult {
  windowSeconds: number;
  hotspots: Hotspot[];
  /** Cases the graph does not know (no passage, no registry row). */
  missing: string[];
}

export const DEFAULT_HOTSPOTS = 20;
export const MAX_HOTSPOTS = 1000;

// A cell is a station and a window-sized bucket of time (the database's window size); a passage
// counts in every cell its [at, leftAt] touches that meets [from, to].
export const HOTSPOTS = `
UNWIND $cases AS pid
MATCH (x:Passage) ${PERSON_SEEK('x')} AND x.pid = pid AND x.at <= $to AND x.leftAt >= $from
UNWIND range(x.at - ((x.at % $size) + $size) % $size, x.leftAt, $size) AS start
WITH x, start WHERE start <= $to AND start + $size > $from
WITH x.station AS station, start, count(x) AS passages, collect(DISTINCT x.pid) AS people
WITH station, start, passages, people, size(people) AS cases
ORDER BY cases DESC, passages DESC, start, station
LIMIT $limit
OPTIONAL MATCH (s:Station {id: station})
RETURN station AS stationId, s.name AS stationName, start, cases, passages, people
ORDER BY cases DESC, passages DESC, start, stationId`;

const KNOWN = 'UNWIND $cases AS pid MATCH (p:Person {id: pid}) RETURN p.id AS id';

export async function hotspots(params: HotspotParams, options: QueryOptions = {}): Promise<HotspotResult> {
  const limit = params.limit ?? DEFAULT_HOTSPOTS;
  if (!Number.isSafeInteger(params.from) || !Number.isSafeInteger(params.to)) throw invalidInput('from and to must be instants', [{ field: 'from', reason: 'not an instant' }]);
  if (params.from > params.to) throw invalidInput(`from (${isoUtc(params.from)}) is after to (${isoUtc(params.to)})`, [{ field: 'from', reason: 'after to' }]);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HOTSPOTS) {
    throw invalidInput(`limit ${String(limit)} is not a whole number from 1 to ${MAX_HOTSPOTS}`, [{ field: 'limit', reason: 'out of range' }]);
  }
  const cases = [...new Set(params.cases)];
  if (cases.length === 0) throw invalidInput('hotspots need at least one case', [{ field: 'cases', reason: 'empty' }]);
  const size = await windowSizeMs();
  const known = new Set(await readQuery(KNOWN, { cases }, (r) => str(r['id']), options));
  const rows = await readQuery(
    HOTSPOTS,
    { cases, from: int(params.from), to: int(params.to), size: int(size), limit: int(limit) },
    (r): Hotspot => {
      const start = num(r['start']);
      return {
        stationId: str(r['stationId']),
        stationName: strOrEmpty(r['stationName']),
        windowStart: isoUtc(start),
        windowEnd: isoUtc(start + size),
        cases: num(r['cases']),
        passages: num(r['passages']),
        people: (r['people'] as unknown[]).map(str).sort(),
      };
    },
    options,
  );
  return { windowSeconds: size / 1000, hotspots: rows, missing: cases.filter((c) => !known.has(c)) };
}
