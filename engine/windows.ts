/**
 * Time buckets ("windows") of the database's window size: the cells hotspots rank (station ×
 * bucket). Passages were once stored linked to every bucket they touch; they are nodes now,
 * found by duration class (spans, below). Pure functions; instants and sizes in milliseconds.
 */

export const DEFAULT_WINDOW_SECONDS = 900;

/** Start of the bucket holding instant `t`. Floors toward −∞, so instants before 1970 work too. */
export function bucketStart(t: number, sizeMs: number): number {
  return Math.floor(t / sizeMs) * sizeMs;
}

/** Every bucket start a passage [at, leftAt] touches, in order. */
export function windowStarts(at: number, leftAt: number, sizeMs: number): number[] {
  const out: number[] = [];
  for (let s = bucketStart(at, sizeMs); s <= leftAt; s += sizeMs) out.push(s);
  return out;
}

/**
 * Duration classes ("spans") of the passage layout (engine/db/passages.ts). A passage node is
 * indexed on (station, span, at); a passage of class k lasts at most spanMaxMs(k), so the
 * passages of class k that can touch an instant t all start in [t − spanMaxMs(k), t]: a range
 * seek on the start time alone, per class, finds long stays that began earlier without reading
 * a station's whole history. Classes grow fourfold from 15 minutes (a point scan is class 0), so
 * a seek reads at most about four times the rows that can match; the last class (stays of more
 * than ~170 days, in practice data errors) is unbounded.
 */
export const SPAN_BASE_MS = 15 * 60_000;
export const SPAN_CLASSES = 9;
const SPAN_UNBOUNDED_MS = 1e15; // ~31,700 years: "any start", still a safe integer after subtraction

/** The longest duration of class k (ms). */
export function spanMaxMs(k: number): number {
  return k >= SPAN_CLASSES - 1 ? SPAN_UNBOUNDED_MS : SPAN_BASE_MS * 4 ** k;
}

/** The class of a passage [at, leftAt]: the smallest k whose longest duration covers it. */
export function spanClass(at: number, leftAt: number): number {
  const d = leftAt - at;
  let k = 0;
  while (k < SPAN_CLASSES - 1 && d > spanMaxMs(k)) k++;
  return k;
}

/** [class, longest duration] of every class, the parameter of the range seeks. */
export function spanBounds(): [number, number][] {
  return Array.from({ length: SPAN_CLASSES }, (_, k) => [k, spanMaxMs(k)]);
}
