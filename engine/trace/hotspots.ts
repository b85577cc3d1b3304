import { hotspotCells, type QueryOptions } from '../db/hotspots';
import { invalidInput } from '../errors';
import { isoUtc } from '../time';
import { checkCloseSeconds, closeOf } from './params';

/**
 * Hotspots: the station × time-window cells (window-sized buckets of time) ranked by how many of the
 * given cases passed through them in [from, to], then by how many of their passages did. Where
 * several cases were at once is where a cluster most likely spread. Close-only, only stays long
 * enough to be part of a close contact count (a checkpoint scan never does).
 */

export interface HotspotParams {
  /** The cases' pseudonymous person keys. */
  readonly cases: readonly string[];
  readonly from: number;
  readonly to: number;
  /** Default 20, at most MAX_HOTSPOTS. */
  readonly limit?: number;
  /** Count only passages that can be part of a close contact: stays of at least closeSeconds (default false). */
  readonly closeOnly?: boolean;
  /** The overlap of a close contact; default TRUYVET_CLOSE_SECONDS. */
  readonly closeSeconds?: number;
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
  /** Only stays of at least closeSeconds were counted. */
  closeOnly: boolean;
  hotspots: Hotspot[];
  /** Cases the graph does not know (no passage, no registry row). */
  missing: string[];
}

export const DEFAULT_HOTSPOTS = 20;
export const MAX_HOTSPOTS = 1000;

export async function hotspots(params: HotspotParams, options: QueryOptions = {}): Promise<HotspotResult> {
  const limit = params.limit ?? DEFAULT_HOTSPOTS;
  if (!Number.isSafeInteger(params.from) || !Number.isSafeInteger(params.to)) throw invalidInput('from and to must be instants', [{ field: 'from', reason: 'not an instant' }]);
  if (params.from > params.to) throw invalidInput(`from (${isoUtc(params.from)}) is after to (${isoUtc(params.to)})`, [{ field: 'from', reason: 'after to' }]);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HOTSPOTS) {
    throw invalidInput(`limit ${String(limit)} is not a whole number from 1 to ${MAX_HOTSPOTS}`, [{ field: 'limit', reason: 'out of range' }]);
  }
  const cases = [...new Set(params.cases)];
  if (cases.length === 0) throw invalidInput('hotspots need at least one case', [{ field: 'cases', reason: 'empty' }]);
  if (params.closeSeconds !== undefined) checkCloseSeconds(params.closeSeconds);
  const close = closeOf(params);
  const { sizeMs, cells, known } = await hotspotCells({ cases, from: params.from, to: params.to, limit, minStayMs: close.closeOnly ? close.closeMs : 0 }, options);
  const rows = cells.map(
    (c): Hotspot => ({
      stationId: c.stationId,
      stationName: c.stationName,
      windowStart: isoUtc(c.start),
      windowEnd: isoUtc(c.start + sizeMs),
      cases: c.cases,
      passages: c.passages,
      people: [...c.people].sort(),
    }),
  );
  return { windowSeconds: sizeMs / 1000, closeOnly: close.closeOnly, hotspots: rows, missing: cases.filter((c) => !known.has(c)) };
}
