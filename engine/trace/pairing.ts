import type { CandidateCell } from '../db/contacts';
import { invalidInput, type TruyvetError } from '../errors';
import { spanBounds, spanClass } from '../windows';
import type { Edge } from './assemble';
import * as colocation from './colocation';

/**
 * The pure half of a trace generation (generation.ts runs it on engine/db/contacts.ts's reads):
 * which start-time ranges to read around the frontier's passages, and which of the passages read
 * there pair with a frontier passage into a contact edge. Each (a, b) pair comes out once: a b is
 * read once per class range.
 */

/** A frontier person's passage, with who they are and since when their contacts count. */
export interface FrontierPassage {
  readonly src: string;
  readonly since: number;
  readonly id: string;
  readonly at: number;
  readonly leftAt: number;
}

/** The error of a trace that reaches more contacts than its budget. */
export function traceTooLarge(maxContacts: number): TruyvetError {
  return invalidInput(
    `the trace is too large to answer: more than ${maxContacts} contact edges; narrow the period, the depth or the tolerance`,
    [{ field: 'depth', reason: `more than ${maxContacts} contact edges` }],
  );
}

/**
 * The least signed overlap, min(a.leftAt, b.leftAt) − max(a.at, b.at), a pair of passages needs
 * to count: −τ for a co-location (intervals apart by a gap of at most τ: colocatedAt), closeMs
 * for a close contact (together at least that long: closeAt). Every bound of the reads and of the
 * pairing's search is written once with it, so both kinds of trace share them.
 */
export function minOverlapOf(tolMs: number, closeMs: number | undefined): number {
  return closeMs === undefined ? -tolMs : closeMs;
}

/**
 * The merged start-time ranges to read per station and duration class. Per passage a and class
 * k (longest stay M), any passage b of class k with min(a.leftAt, b.leftAt) − max(a.at, b.at) ≥ r
 * (r = minOverlapOf: −τ, or closeMs in a close-only trace) has b.leftAt ≥ a.at + r, so it starts
 * in [a.at + r − M, min(a.leftAt − r, hi)] and ends at or after a.at + r (and b.at ≥ since when
 * a started before since: the contact time max(a.at, b.at) must not be before the person's own
 * exposure). For r > 0 a close-only trace reads less: a passage shorter than r pairs with
 * nobody, so no range is made for it, and a class whose longest stay is shorter than r is never
 * read (a point scan is never part of a close contact). The ranges of one station and class are
 * merged, so a cell several frontier passages need (the F1s met F0 in the same place) is read once.
 */
export function candidateCells(byStation: ReadonlyMap<string, readonly FrontierPassage[]>, hi: number, tolMs: number, closeMs?: number): CandidateCell[] {
  const minOverlapMs = minOverlapOf(tolMs, closeMs);
  const cells: CandidateCell[] = [];
  const spans = spanBounds().filter(([, maxMs]) => maxMs >= minOverlapMs);
  for (const [station, all] of byStation) {
    const as = minOverlapMs > 0 ? all.filter((a) => a.leftAt - a.at >= minOverlapMs) : all;
    for (const [k, maxMs] of spans) {
      // [lo, hi, minLeft] per passage, then merged where they overlap.
      const ranges: [number, number, number][] = [];
      for (const a of as) {
        const top = Math.min(a.leftAt - minOverlapMs, hi);
        let lo = a.at + minOverlapMs - maxMs;
        if (a.at < a.since && lo < a.since) lo = a.since;
        if (lo <= top) ranges.push([lo, top, a.at + minOverlapMs]);
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

export interface PairingParams {
  /** k of the Fk the edges reach (they carry it). */
  readonly generation: number;
  /** Latest contact time that counts (ms). */
  readonly hi: number;
  readonly tolMs: number;
  /** A close-only trace: only pairs together at least this long (ms) count; undefined: every co-location. */
  readonly closeMs?: number | undefined;
  /** People who can no longer be reached. */
  readonly seen: readonly string[];
  /** Most edges; past it, traceTooLarge. */
  readonly maxContacts: number;
  /**
   * What becomes of each edge found, decided before it counts against maxContacts: a contact
   * (every edge, when absent), set aside (kept apart, not counted) or dropped.
   */
  readonly classify?: ((e: Edge) => EdgeFate) | undefined;
}

export type EdgeFate = 'contact' | 'aside' | 'drop';

/** Pairs the passages of candidate cells with the frontier's; `edges` (and `aside`) grow with each call of `add`. */
export interface Pairing {
  /** One record of a cell's passages at `stationId`, as parallel lists. */
  add(stationId: string, pids: readonly string[], ids: readonly string[], ats: readonly number[], lefts: readonly number[]): void;
  readonly edges: Edge[];
  /** The edges `classify` set aside. */
  readonly aside: Edge[];
}

// Bound once: an imported function is read through a getter on every call once compiled to CommonJS.
const { closeAt, colocatedAt, contactTimeOf, overlapOf } = colocation;

/** `byStation`: the frontier's passages by station, each starting by `hi` (as the frontier read returns them). */
export function pairing(p: PairingParams, byStation: ReadonlyMap<string, readonly FrontierPassage[]>): Pairing {
  // A busy station can hold hundreds of frontier passages (the F1s all met F0 there): per
  // station and duration class, sorted by arrival, so each b is matched by binary search against
  // [b.at + r − class bound, b.leftAt − r] (r = minOverlapOf: −τ, or closeMs) instead of against all of them.
  const sorted = new Map<string, { max: number; as: FrontierPassage[] }[]>();
  for (const [station, as] of byStation) {
    const classes = spanBounds().map(([, max]) => ({ max, as: [] as FrontierPassage[] }));
    for (const a of as) classes[spanClass(a.at, a.leftAt)]!.as.push(a);
    for (const c of classes) c.as.sort((x, y) => x.at - y.at);
    sorted.set(station, classes.filter((c) => c.as.length > 0));
  }
  // Copied into locals once per record (below): the loop reads them for every candidate pair.
  const closeMs = p.closeMs;
  const state = {
    seen: new Set(p.seen),
    tol: p.tolMs,
    close: closeMs ?? 0,
    closeOnly: closeMs !== undefined,
    r: minOverlapOf(p.tolMs, closeMs),
    hi: p.hi,
    limit: p.maxContacts,
    generation: p.generation,
    classify: p.classify,
    edges: [] as Edge[],
    aside: [] as Edge[],
  };
  return {
    edges: state.edges,
    aside: state.aside,
    add(stationId, pids, ids, ats, lefts) {
      const { seen, tol, close, closeOnly, r, hi, limit, generation, classify, edges, aside } = state;
      const classes = sorted.get(stationId) ?? [];
      for (let n = 0; n < pids.length; n++) {
        const target = pids[n]!;
        if (seen.has(target)) continue;
        const bAt = ats[n]!;
        const bLeft = lefts[n]!;
        if (bAt > hi) continue;
        for (const { max, as } of classes) {
          const lo = bAt + r - max;
          let i = 0;
          let j = as.length;
          while (i < j) {
            const mid = (i + j) >>> 1;
            if (as[mid]!.at < lo) i = mid + 1;
            else j = mid;
          }
          for (; i < as.length; i++) {
            const a = as[i]!;
            // Sorted by arrival: once a starts after b.leftAt − r, no later a pairs with b.
            if (a.at > bLeft - r) break;
            if (closeOnly ? !closeAt(a.at, a.leftAt, bAt, bLeft, close) : !colocatedAt(a.at, a.leftAt, bAt, bLeft, tol)) continue;
            // The contact time max(a.at, b.at) must be in [since, hi] (b.at ≤ hi is checked above).
            if (a.at < a.since && bAt < a.since) continue;
            const edge: Edge = {
              source: a.src,
              target,
              stationId,
              at: contactTimeOf(a.at, bAt),
              overlapMs: overlapOf(a.at, a.leftAt, bAt, bLeft),
              generation,
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
            if (edges.push(edge) > limit) throw traceTooLarge(limit);
          }
        }
      }
    },
  };
}
