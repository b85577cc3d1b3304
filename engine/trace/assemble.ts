import { isoUtc } from '../time';
import type { TraceContact, TracePerson, TraceResult } from '../types';
import { contactTime, overlapMs, type Interval } from './colocation';
import type { ResolvedTrace } from './params';
import { riskScore } from './scoring';

/**
 * Pure assembly of a trace from the contact edges each generation's query found: who is reached,
 * when (exposure), through whom (via), with which evidence. No driver, no clock.
 */

export interface PassageRef extends Interval {
  readonly id: string;
}

/** A qualifying contact edge as the query returns it: source in F(k−1), target new in Fk. */
export interface ContactRow {
  readonly source: string;
  readonly target: string;
  readonly stationId: string;
  /** The source's passage. */
  readonly a: PassageRef;
  /** The target's passage. */
  readonly b: PassageRef;
}

export interface Reached {
  readonly id: string;
  readonly generation: number;
  /** Earliest contact time (ms) among the edges that reached the person in their generation. */
  readonly exposureAt: number;
  /** Every previous-generation person with at least one such edge, sorted. */
  readonly via: string[];
  readonly contacts: number;
  readonly overlapMs: number;
}

export interface Edge {
  readonly source: string;
  readonly target: string;
  readonly stationId: string;
  readonly at: number;
  readonly overlapMs: number;
  readonly generation: number;
  readonly passages: [string, string];
}

/** The people a generation reaches and its edges, from that generation's qualifying rows. */
export function assembleGeneration(generation: number, rows: readonly ContactRow[]): { people: Reached[]; contacts: Edge[] } {
  const byTarget = new Map<string, Target>();
  const contacts: Edge[] = new Array<Edge>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const at = contactTime(r.a, r.b);
    const ov = overlapMs(r.a, r.b);
    contacts[i] = { source: r.source, target: r.target, stationId: r.stationId, at, overlapMs: ov, generation, passages: [r.a.id, r.b.id] };
    const t = byTarget.get(r.target);
    if (t === undefined) {
      byTarget.set(r.target, { exposureAt: at, via: [r.source], viaSet: undefined, contacts: 1, overlapMs: ov });
    } else {
      if (at < t.exposureAt) t.exposureAt = at;
      addVia(t, r.source);
      t.contacts += 1;
      t.overlapMs += ov;
    }
  }
  const people: Reached[] = [];
  for (const [id, t] of byTarget) people.push({ id, generation, exposureAt: t.exposureAt, via: t.via.sort(), contacts: t.contacts, overlapMs: t.overlapMs });
  return { people, contacts };
}

interface Target {
  exposureAt: number;
  /** Distinct sources; a Set beside it only once there are many (a Set per person reached was most of a large generation's garbage). */
  via: string[];
  viaSet: Set<string> | undefined;
  contacts: number;
  overlapMs: number;
}

const VIA_SCAN = 16;

function addVia(t: Target, source: string): void {
  if (t.viaSet !== undefined) {
    if (!t.viaSet.has(source)) {
      t.viaSet.add(source);
      t.via.push(source);
    }
    return;
  }
  if (t.via.includes(source)) return;
  t.via.push(source);
  if (t.via.length > VIA_SCAN) t.viaSet = new Set(t.via);
}

const byPerson = (x: Reached, y: Reached): number => x.generation - y.generation || x.exposureAt - y.exposureAt || cmp(x.id, y.id);
const byEdge = (x: Edge, y: Edge): number =>
  x.generation - y.generation || x.at - y.at || cmp(x.source, y.source) || cmp(x.target, y.target) || cmp(x.passages[0], y.passages[0]) || cmp(x.passages[1], y.passages[1]);

/**
 * The TraceResult (DESIGN.md, "Interfaces"): people by generation then exposure time, contacts
 * by generation then contact time; instants as ISO strings in UTC. Ids are as given (the graph's
 * pseudonyms, unless the caller mapped them).
 */
export function traceResult(p: ResolvedTrace, people: readonly Reached[], contacts: readonly Edge[], milliseconds: number): TraceResult {
  const outPeople: TracePerson[] = [...people].sort(byPerson).map((r) => ({
    id: r.id,
    generation: r.generation,
    exposureAt: isoUtc(r.exposureAt),
    via: r.via,
    score: riskScore({ generation: r.generation, contacts: r.contacts, overlapSeconds: r.overlapMs / 1000 }),
  }));
  const outContacts: TraceContact[] = sortEdges(contacts).map((e) => ({
    source: e.source,
    target: e.target,
    stationId: e.stationId,
    at: isoUtc(e.at),
    overlapSeconds: e.overlapMs / 1000,
    generation: e.generation,
    passages: e.passages,
  }));
  return {
    f0: p.f0,
    params: {
      from: isoUtc(p.from),
      to: isoUtc(p.to),
      until: isoUtc(p.until),
      depth: p.depth,
      toleranceSeconds: p.toleranceSeconds,
      mode: p.mode,
    },
    people: outPeople,
    contacts: outContacts,
    stats: { people: outPeople.length, contacts: outContacts.length, milliseconds },
  };
}

/**
 * `[...contacts].sort(byEdge)`, faster on large traces (millions of edges): edges arrive grouped
 * by generation, so each generation is ordered by contact time with a native numeric sort of
 * packed keys ((at − earliest) · 2^bits + index, exact below 2^53), and only runs of equal times
 * go through the full comparator. A comparator sort of the indices took most of the time of a
 * large depth-2 assembly; the packed keys need the edges' times within ~49 days of each other
 * for two million edges, and anything else falls back to the comparator.
 */
export function sortEdges(contacts: readonly Edge[]): Edge[] {
  const n = contacts.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const e = contacts[i]!;
    if (i > 0 && e.generation < contacts[i - 1]!.generation) return [...contacts].sort(byEdge);
    if (!Number.isSafeInteger(e.at)) return [...contacts].sort(byEdge);
    if (e.at < min) min = e.at;
    if (e.at > max) max = e.at;
  }
  const scale = 2 ** Math.max(1, Math.ceil(Math.log2(n + 1)));
  if ((max - min + 1) * scale > Number.MAX_SAFE_INTEGER) return [...contacts].sort(byEdge);
  const out: Edge[] = new Array<Edge>(n);
  let start = 0;
  while (start < n) {
    const gen = contacts[start]!.generation;
    let end = start;
    while (end < n && contacts[end]!.generation === gen) end++;
    const keys = new Float64Array(end - start);
    for (let i = start; i < end; i++) keys[i - start] = (contacts[i]!.at - min) * scale + i;
    keys.sort();
    for (let k = 0; k < keys.length; ) {
      const time = Math.floor(keys[k]! / scale);
      let j = k + 1;
      while (j < keys.length && Math.floor(keys[j]! / scale) === time) j++;
      if (j - k === 1) out[start + k] = contacts[keys[k]! - time * scale]!;
      else {
        const run: Edge[] = [];
        for (let r = k; r < j; r++) run.push(contacts[keys[r]! - time * scale]!);
        run.sort(byEdge);
        for (let r = 0; r < run.length; r++) out[start + k + r] = run[r]!;
      }
      k = j;
    }
    start = end;
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
