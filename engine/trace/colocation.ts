/**
 * Co-location of two passages (DESIGN.md, "Core semantics"), as pure functions on epoch-ms
 * intervals. The trace's Cypher applies the same predicate inside Neo4j; the engine uses these
 * to derive each contact's evidence from the passages the query returns.
 */

export interface Interval {
  readonly at: number;
  /** Equals `at` for a point scan. */
  readonly leftAt: number;
}

/**
 * Whether `a` and `b` (same station, different people) overlap once `a` is widened by the
 * tolerance on both sides. Symmetric: the condition is `|gap| <= τ` whichever passage comes first.
 */
export function colocated(a: Interval, b: Interval, tolMs: number): boolean {
  return b.at <= a.leftAt + tolMs && b.leftAt >= a.at - tolMs;
}

/** The contact time: the later of the two arrivals. */
export function contactTime(a: Interval, b: Interval): number {
  return contactTimeOf(a.at, b.at);
}

/** How long both were there at once, without the tolerance; 0 for passages that only came close. */
export function overlapMs(a: Interval, b: Interval): number {
  return overlapOf(a.at, a.leftAt, b.at, b.leftAt);
}

/** contactTime() on bare instants, for the trace's inner loop (no object per passage). */
export function contactTimeOf(aAt: number, bAt: number): number {
  return aAt > bAt ? aAt : bAt;
}

/** overlapMs() on bare instants. */
export function overlapOf(aAt: number, aLeft: number, bAt: number, bLeft: number): number {
  const d = (aLeft < bLeft ? aLeft : bLeft) - (aAt > bAt ? aAt : bAt);
  return d > 0 ? d : 0;
}
