import { int, num, str, strOrEmpty } from './convert';
import { readQuery, type QueryOptions } from './driver';
import { PERSON_SEEK } from './passages';
import { windowSizeMs } from './schema';

export type { QueryOptions };

/**
 * The hotspot reads (engine/trace/hotspots.ts checks the request and shapes the answer). A cell
 * is a station and a window-sized bucket of time (the database's window size); a passage counts
 * in every cell its [at, leftAt] touches that meets [from, to], when it lasts at least `minStayMs`
 * (0: every passage; a close-only ranking counts only stays that can be part of a close contact).
 */
export const HOTSPOTS = `
UNWIND $cases AS pid
MATCH (x:Passage) ${PERSON_SEEK('x')} AND x.pid = pid AND x.at <= $to AND x.leftAt >= $from AND x.leftAt - x.at >= $minStay
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

export interface HotspotCell {
  readonly stationId: string;
  /** '' when the station is unknown. */
  readonly stationName: string;
  /** The cell's first instant (epoch ms); it lasts `sizeMs`. */
  readonly start: number;
  readonly cases: number;
  readonly passages: number;
  /** Unsorted. */
  readonly people: string[];
}

/**
 * The `limit` busiest cells of these cases' passages in [from, to] (by cases, then passages),
 * the window size they are cut by, and which of the cases the graph knows as people.
 */
export async function hotspotCells(
  q: { readonly cases: readonly string[]; readonly from: number; readonly to: number; readonly limit: number; readonly minStayMs?: number },
  options: QueryOptions = {},
): Promise<{ sizeMs: number; cells: HotspotCell[]; known: Set<string> }> {
  const size = await windowSizeMs();
  const known = new Set(await readQuery(KNOWN, { cases: q.cases }, (r) => str(r['id']), options));
  const cells = await readQuery(
    HOTSPOTS,
    { cases: q.cases, from: int(q.from), to: int(q.to), size: int(size), limit: int(q.limit), minStay: int(q.minStayMs ?? 0) },
    (r): HotspotCell => ({
      stationId: str(r['stationId']),
      stationName: strOrEmpty(r['stationName']),
      start: num(r['start']),
      cases: num(r['cases']),
      passages: num(r['passages']),
      people: (r['people'] as unknown[]).map(str),
    }),
    options,
  );
  return { sizeMs: size, cells, known };
}
