import { isoUtc } from '../time';
import type { ContactClass, EvidenceTrust, TraceContact, TracePerson, TraceResult } from '../types';
import { contactClass, contactTime, overlapMs, type Interval } from './colocation';
import type { ResolvedTrace } from './params';
import { riskScore } from './scoring';

/**
 * Pure assembly of a trace from the contact edges each generation's query found: who is reached,
 * when (exposure), through whom (via), with which evidence. No driver, no clock.
 */

export interface PassageRef extends Interval {
  readonly id: string;
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
  /** The longest overlap among those contacts: the person is close when it reaches closeMs. */
  readonly longestOverlapMs: number;
  /** Of those contacts, the ones resting on a national-QR passage, and their overlap (trust.ts); absent: none. */
  readonly nationalContacts?: number;
  readonly nationalOverlapMs?: number;
}

/**
 * A qualifying contact edge as a generation's query finds it (source in F(k−1), target new in
 * Fk), with its evidence. The query builds it at once, from the two passages' bare instants,
 * without an intermediate row holding an object per passage (4 % of a dense depth-2 trace's
 * time, docs/benchmarks.md).
 */
export interface Edge {
  readonly source: string;
  readonly target: string;
  readonly stationId: string;
  /** contactTime() of the two passages. */
  readonly at: number;
  /** overlapMs() of the two passages. */
  readonly overlapMs: number;
  readonly generation: number;
  /** [source's passage, target's passage]. */
  readonly passages: [string, string];
}

/** The edge between passage `a` of `source` and passage `b` of `target` at `stationId`. */
export function contactEdge(generation: number, source: string, target: string, stationId: string, a: PassageRef, b: PassageRef): Edge {
  return { source, target, stationId, at: contactTime(a, b), overlapMs: overlapMs(a, b), generation, passages: [a.id, b.id] };
}

/** The people a generation reaches, from that generation's edges (which are its contacts as they are). */
export function assembleGeneration(generation: number, edges: readonly Edge[]): { people: Reached[]; contacts: readonly Edge[] } {
  const byTarget = new Map<string, Target>();
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    const t = byTarget.get(e.target);
    if (t === undefined) {
      byTarget.set(e.target, { exposureAt: e.at, via: [e.source], viaSet: undefined, contacts: 1, overlapMs: e.overlapMs, longestOverlapMs: e.overlapMs });
    } else {
      if (e.at < t.exposureAt) t.exposureAt = e.at;
      addVia(t, e.source);
      t.contacts += 1;
      t.overlapMs += e.overlapMs;
      if (e.overlapMs > t.longestOverlapMs) t.longestOverlapMs = e.overlapMs;
    }
  }
  const people: Reached[] = [];
  for (const [id, t] of byTarget) {
    people.push({ id, generation, exposureAt: t.exposureAt, via: t.via.sort(), contacts: t.contacts, overlapMs: t.overlapMs, longestOverlapMs: t.longestOverlapMs });
  }
  return { people, contacts: edges };
}

interface Target {
  exposureAt: number;
  /** Distinct sources; a Set beside it only once there are many (a Set per person reached was most of a large generation's garbage). */
  via: string[];
  viaSet: Set<string> | undefined;
  contacts: number;
  overlapMs: number;
  longestOverlapMs: number;
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

/** A TraceResult's fields but its people and contacts (and whatever a caller adds, such as the sensitivity rows). */
export type TraceHead<Extra extends object = object> = Omit<TraceResult, 'people' | 'contacts'> & Extra;

/**
 * A trace's answer before it becomes objects: its head, and its people and contact edges in the
 * result's order. The API stores and pages a trace from this (engine/trace-store/codec.ts encodes it
 * directly) and builds objects only for the page it answers: for the API benchmark's depth-2
 * traces (~4,500 people, ~44,000 edges) shaping, storing's encoding and the first page took
 * 25–27 ms instead of 36–40 through the whole result's objects (docs/benchmarks.md, "What was tried").
 */
export interface ShapedTrace<Extra extends object = object> {
  readonly head: TraceHead<Extra>;
  readonly people: readonly Reached[];
  readonly contacts: readonly Edge[];
  /** The ids of the contacts' passages that are lower-trust evidence (national QR scans, trust.ts); absent: none. */
  readonly national?: ReadonlySet<string>;
}

/** A person's class (DESIGN.md, "Close contacts"): close when any contact that reached them is. */
export function personClass(r: Pick<Reached, 'longestOverlapMs'>, closeMs: number): ContactClass {
  return contactClass(r.longestOverlapMs, closeMs);
}

/** How many of these people are close. */
export function closePeopleOf(people: readonly Pick<Reached, 'longestOverlapMs'>[], closeMs: number): number {
  let n = 0;
  for (let i = 0; i < people.length; i++) if (people[i]!.longestOverlapMs >= closeMs) n++;
  return n;
}

/** The parameters a result states (instants as ISO text): a single trace's and an outbreak run's alike. */
export function paramsOut(p: Omit<ResolvedTrace, 'f0' | 'tolMs' | 'closeMs'>): Required<TraceResult['params']> {
  return {
    from: isoUtc(p.from),
    to: isoUtc(p.to),
    until: isoUtc(p.until),
    depth: p.depth,
    toleranceSeconds: p.toleranceSeconds,
    mode: p.mode,
    closeSeconds: p.closeSeconds,
    closeOnly: p.closeOnly,
  };
}

/** Orders people by generation then exposure time, contacts by generation then contact time (then ids, so that the order is total). */
export function shapeTrace(p: ResolvedTrace, people: readonly Reached[], contacts: readonly Edge[], milliseconds: number, national?: ReadonlySet<string>): ShapedTrace {
  return {
    ...(national !== undefined && national.size > 0 ? { national } : {}),
    head: {
      f0: p.f0,
      params: paramsOut(p),
      stats: { people: people.length, contacts: contacts.length, closePeople: closePeopleOf(people, p.closeMs), milliseconds },
    },
    people: sortPeople(people),
    contacts: sortEdges(contacts),
  };
}

/** A person's risk score (scoring.ts) from the evidence that reached them. */
export function scoreOf(r: Reached): number {
  return riskScore({
    generation: r.generation,
    contacts: r.contacts,
    overlapSeconds: r.overlapMs / 1000,
    nationalContacts: r.nationalContacts ?? 0,
    nationalOverlapSeconds: (r.nationalOverlapMs ?? 0) / 1000,
  });
}

/** The trust of a contact's two passages when one of them is national (TraceContact.trust), else undefined. */
export function contactTrust(national: ReadonlySet<string> | undefined, passages: readonly [string, string]): [EvidenceTrust, EvidenceTrust] | undefined {
  if (national === undefined) return undefined;
  const a = national.has(passages[0]);
  const b = national.has(passages[1]);
  return a || b ? [a ? 'national' : 'standard', b ? 'national' : 'standard'] : undefined;
}

/**
 * The TraceResult (DESIGN.md, "Interfaces") of a shaped trace: instants as ISO strings in UTC,
 * overlaps in seconds, a score per person. Ids are as given (the graph's pseudonyms, unless the
 * caller mapped them).
 */
export function resultOf<Extra extends object>(s: ShapedTrace<Extra>): TraceResult & Extra {
  const { f0, params, stats, ...extra } = s.head;
  const closeMs = params.closeSeconds * 1000;
  const people: TracePerson[] = s.people.map((r) => ({ id: r.id, generation: r.generation, exposureAt: isoUtc(r.exposureAt), via: r.via, score: scoreOf(r), class: personClass(r, closeMs) }));
  const contacts: TraceContact[] = s.contacts.map((e) => {
    const c: TraceContact = {
      source: e.source,
      target: e.target,
      stationId: e.stationId,
      at: isoUtc(e.at),
      overlapSeconds: e.overlapMs / 1000,
      generation: e.generation,
      passages: e.passages,
      class: contactClass(e.overlapMs, closeMs),
    };
    const trust = contactTrust(s.national, e.passages);
    if (trust) c.trust = trust;
    return c;
  });
  return { f0, params, people, contacts, stats, ...extra } as TraceResult & Extra;
}

/**
 * `[...contacts].sort(byEdge)`, faster on large traces (millions of edges): see sortByTime.
 */
export function sortEdges(contacts: readonly Edge[]): Edge[] {
  return sortByTime(contacts, edgeGeneration, edgeTime, byEdge);
}

/** `[...people].sort(byPerson)`, the same way: the comparator sort was most of shaping a 45k-person result. */
export function sortPeople<R extends Reached>(people: readonly R[]): R[] {
  return sortByTime<R>(people, personGeneration, exposureTime, byPerson);
}

const edgeGeneration = (e: Edge): number => e.generation;
const edgeTime = (e: Edge): number => e.at;
const personGeneration = (r: Reached): number => r.generation;
const exposureTime = (r: Reached): number => r.exposureAt;

/**
 * `[...items].sort(full)` where `full` orders by generation, then time, then anything else.
 * Items arrive grouped by generation, so each generation is ordered by time with a stable radix
 * sort of the times' offsets from the earliest (three passes of 11 bits over 32-bit offsets, ~49
 * days of milliseconds), and only runs of equal times go through `full`: 67,000 edges in ~18 ms
 * against ~23 with a native sort of packed float keys. Offsets past 32 bits, times that are not
 * integers and items not grouped by generation fall back to `full`.
 */
export function sortByTime<T>(items: readonly T[], generation: (x: T) => number, time: (x: T) => number, full: (x: T, y: T) => number): T[] {
  const n = items.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = time(items[i]!);
    if (i > 0 && generation(items[i]!) < generation(items[i - 1]!)) return [...items].sort(full);
    if (!Number.isSafeInteger(t)) return [...items].sort(full);
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (n > 0 && max - min > 0xffffffff) return [...items].sort(full);
  const out: T[] = new Array<T>(n);
  let start = 0;
  while (start < n) {
    const gen = generation(items[start]!);
    let end = start;
    while (end < n && generation(items[end]!) === gen) end++;
    const offsets = new Uint32Array(end - start);
    for (let i = start; i < end; i++) offsets[i - start] = time(items[i]!) - min;
    const order = radixOrder(offsets);
    for (let k = 0; k < order.length; ) {
      const t = offsets[order[k]!]!;
      let j = k + 1;
      while (j < order.length && offsets[order[j]!] === t) j++;
      if (j - k === 1) out[start + k] = items[start + order[k]!]!;
      else {
        const run: T[] = [];
        for (let r = k; r < j; r++) run.push(items[start + order[r]!]!);
        run.sort(full);
        for (let r = 0; r < run.length; r++) out[start + k + r] = run[r]!;
      }
      k = j;
    }
    start = end;
  }
  return out;
}

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;

/** The positions of `keys` in ascending order, equal keys in position order (LSD radix sort). */
export function radixOrder(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let max = 0;
  for (let i = 0; i < n; i++) if (keys[i]! > max) max = keys[i]!;
  let spare = new Uint32Array(n);
  const count = new Uint32Array(RADIX + 1);
  // Only as many passes as the largest key has digits: a day of milliseconds needs three, an hour two.
  for (let shift = 0; shift < 32 && max >>> shift > 0; shift += RADIX_BITS) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[((keys[i]! >>> shift) & (RADIX - 1)) + 1]!++;
    for (let d = 0; d < RADIX; d++) count[d + 1]! += count[d]!;
    for (let i = 0; i < n; i++) {
      const o = order[i]!;
      spare[count[(keys[o]! >>> shift) & (RADIX - 1)]!++] = o;
    }
    [order, spare] = [spare, order];
  }
  return order;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
