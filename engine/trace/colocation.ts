/**
 * Co-location of two passages (DESIGN.md, "Core semantics"), as pure functions on epoch-ms
 * intervals. The trace's pairing (pairing.ts) applies colocatedAt to the passages its reads
 * return, and derives each contact's evidence with contactTimeOf and overlapOf; the `…At`/`…Of`
 * variants take bare instants, so the inner loop makes no object per passage.
 */

import type { ContactClass } from '../types';

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
  return colocatedAt(a.at, a.leftAt, b.at, b.leftAt, tolMs);
}

/** colocated() on bare instants, for the trace's inner loop (no object per passage). */
export function colocatedAt(aAt: number, aLeft: number, bAt: number, bLeft: number, tolMs: number): boolean {
  return bAt <= aLeft + tolMs && bLeft >= aAt - tolMs;
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

/**
 * Whether two passages were together at least `closeMs` (overlap without the tolerance), the
 * close contact of DESIGN.md ("Close contacts"). With closeMs > 0 this implies co-location at any
 * tolerance (they overlap), so a close-only trace needs no tolerance at all. A point scan lasts
 * nothing, so it is never part of a close contact.
 */
export function closeAt(aAt: number, aLeft: number, bAt: number, bLeft: number, closeMs: number): boolean {
  return overlapOf(aAt, aLeft, bAt, bLeft) >= closeMs;
}

/** A contact's class from its overlap: close from `close` on (both in ms, or both in seconds). */
export function contactClass(overlap: number, close: number): ContactClass {
  return overlap >= close ? 'close' : 'brief';
}
