/**
 * Time buckets ("windows"): one `(:Window {station, start})` per station per bucket that has
 * passages. A passage is linked to every bucket its [at, leftAt] touches, so a co-location
 * lookup for an interval widened by the tolerance touches only the buckets in that range.
 * Pure functions; instants and sizes in milliseconds.
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
 * The bucket starts `[lo, hi]` a co-location lookup must read for a passage [at, leftAt] with
 * tolerance `tolMs`: any passage that can co-locate touches [at − τ, leftAt + τ].
 */
export function lookupRange(at: number, leftAt: number, tolMs: number, sizeMs: number): [number, number] {
  return [bucketStart(at - tolMs, sizeMs), bucketStart(leftAt + tolMs, sizeMs)];
}
