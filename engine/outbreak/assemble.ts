import { isoUtc } from '../time';
import { colocated, contactTimeOf, overlapOf } from '../trace/colocation';
import { scoreOf, sortEdges, sortPeople, type Edge, type Reached } from '../trace/assemble';
import type { FrontierPassage } from '../trace/queries';
import type { OutbreakCluster, OutbreakLink, OutbreakResult, TraceContact } from '../types';
import type { ResolvedCase, ResolvedOutbreak } from './cases';

/**
 * Pure assembly of an outbreak trace (DESIGN.md, "Outbreak semantics") from the edges each
 * generation's read found: which cases reached each listed person and when (the `cases`
 * attribution), the links between cases, the clusters they form. No driver, no clock.
 *
 * Where DESIGN.md is silent, decided here (and in the oracle, tests/oracle/outbreak.ts):
 * - An edge of generation 1 counts for case c of its source person when its contact time lies in
 *   [c.from, min(c.to, until)]; an edge that lies in no window of its source's cases is dropped.
 * - Naive mode: an Fk (k ≥ 2) has every case of every via, at the earliest contact with a via
 *   that has it; contacts of k ≥ 2 count from the outbreak's `from`, the earliest case start.
 * - Links reach generation depth + 1 (case persons met by the last listed generation). Of a
 *   link's candidate contacts the smallest generation wins, then the earliest contact time, then
 *   the smallest source passage id, then the smallest case person's passage id.
 * - Clusters: connected components of the links taken in either direction, of two cases or more;
 *   index = earliest `from` (infectiousFrom), then caseId; id = `cl-` + index case id; clusters
 *   in the order of their index cases.
 */

/** Case id → the time its chain reached a person (exposure_c, ms). */
export type CaseTimes = Map<string, number>;

export interface CaseExposure {
  readonly caseId: string;
  readonly at: number;
}

/** A listed person of an outbreak trace: a single trace's Reached, plus the cases that reached them. */
export interface OutbreakReached extends Reached {
  /** Sorted by `at`, then caseId. */
  readonly cases: readonly CaseExposure[];
}

/** A link between two cases as the engine holds it (instants and overlap in ms). */
export interface Link {
  readonly from: string;
  readonly to: string;
  readonly generation: number;
  readonly at: number;
  readonly stationId: string;
  readonly overlapMs: number;
  /** [source's passage, the `to` case person's passage]. */
  readonly passages: [string, string];
  /** The listed person who carried `from`'s chain (generation ≥ 2). */
  readonly via?: string;
}

/** What attribution and links need to know of the run. */
export interface CaseContext {
  /** Each case person's cases (cases.ts, casesByPerson). */
  readonly byPerson: ReadonlyMap<string, readonly ResolvedCase[]>;
  readonly until: number;
  readonly naive: boolean;
}

/** Whether contact time `at` lies in the generation-1 window [from, min(to, until)] of one of the cases. */
export function inSomeWindow(cases: readonly ResolvedCase[], at: number, until: number): boolean {
  if (at > until) return false;
  for (const c of cases) if (at >= c.from && at <= c.to) return true;
  return false;
}

/**
 * The cases of the people generation `generation` reached, from its contact edges: for an F1, each
 * case of the source person whose window holds the contact time; for an Fk, each case c of the
 * source v with the contact at or after v's exposure_c (any contact in naive mode); each at the
 * earliest such contact.
 */
export function attributeCases(generation: number, edges: readonly Edge[], ctx: CaseContext, casesOf: ReadonlyMap<string, CaseTimes>): Map<string, CaseTimes> {
  const out = new Map<string, CaseTimes>();
  const reach = (target: string, caseId: string, at: number): void => {
    let times = out.get(target);
    if (times === undefined) out.set(target, (times = new Map<string, number>()));
    const was = times.get(caseId);
    if (was === undefined || at < was) times.set(caseId, at);
  };
  for (const e of edges) {
    if (generation === 1) {
      if (e.at > ctx.until) continue;
      for (const c of ctx.byPerson.get(e.source) ?? []) if (e.at >= c.from && e.at <= c.to) reach(e.target, c.caseId, e.at);
    } else {
      for (const [caseId, exposure] of casesOf.get(e.source) ?? []) if (ctx.naive || e.at >= exposure) reach(e.target, caseId, e.at);
    }
  }
  return out;
}

/**
 * Adds the links that edges into case persons make (`e.generation` is the link's generation) to
 * `links`, keyed by `from → to`, keeping each link's best evidence (see the order above). A
 * generation-1 edge's source is a case person: its cases whose window holds the contact count.
 * A later edge's source p is a listed person: each case p has counts when the contact is at or
 * after p's exposure to it (any, in naive mode). The target's cases count when the contact is not
 * after their confirmation (nor after `until`), and never between two cases of one person.
 */
export function addLinks(links: Map<string, Link>, edges: readonly Edge[], ctx: CaseContext, casesOf: ReadonlyMap<string, CaseTimes>): void {
  for (const e of edges) {
    if (e.at > ctx.until) continue;
    const targets = ctx.byPerson.get(e.target);
    if (targets === undefined) continue;
    const add = (from: ResolvedCase | string, via: string | undefined): void => {
      const fromId = typeof from === 'string' ? from : from.caseId;
      for (const c of targets) {
        if (e.at > c.confirmedAt || c.caseId === fromId) continue;
        const link: Link = { from: fromId, to: c.caseId, generation: e.generation, at: e.at, stationId: e.stationId, overlapMs: e.overlapMs, passages: e.passages, ...(via === undefined ? {} : { via }) };
        const key = `${fromId}\u0000${c.caseId}`;
        const was = links.get(key);
        if (was === undefined || better(link, was)) links.set(key, link);
      }
    };
    if (e.generation === 1) {
      if (e.source === e.target) continue;
      for (const c of ctx.byPerson.get(e.source) ?? []) if (e.at >= c.from && e.at <= c.to) add(c, undefined);
    } else {
      for (const [caseId, exposure] of casesOf.get(e.source) ?? []) {
        if (!ctx.naive && e.at < exposure) continue;
        // Two cases of one person are never linked: the source's case must be another person's.
        if (targets.some((t) => t.caseId === caseId)) continue;
        add(caseId, e.source);
      }
    }
  }
}

function better(x: Link, y: Link): boolean {
  return (x.generation - y.generation || x.at - y.at || cmp(x.passages[0], y.passages[0]) || cmp(x.passages[1], y.passages[1])) < 0;
}

/**
 * The edges from the last listed generation's passages (`from`) to case persons' passages
 * (`cases`), both by station as FRONTIER returns them: co-located, at a contact time in
 * [since of the source, hi]. The link round after the last generation needs only these, not a
 * candidates read of everyone at those stations.
 */
export function pairWithCasePersons(generation: number, from: ReadonlyMap<string, readonly FrontierPassage[]>, cases: ReadonlyMap<string, readonly FrontierPassage[]>, hi: number, tolMs: number): Edge[] {
  const edges: Edge[] = [];
  for (const [stationId, bs] of cases) {
    const as = from.get(stationId);
    if (as === undefined) continue;
    // Sorted by arrival with the longest stay known, so each source passage looks only at those that can touch it.
    const sorted = [...bs].sort((x, y) => x.at - y.at);
    let longest = 0;
    for (const b of sorted) longest = Math.max(longest, b.leftAt - b.at);
    for (const a of as) {
      const lo = a.at - tolMs - longest;
      let i = 0;
      let j = sorted.length;
      while (i < j) {
        const mid = (i + j) >>> 1;
        if (sorted[mid]!.at < lo) i = mid + 1;
        else j = mid;
      }
      for (; i < sorted.length; i++) {
        const b = sorted[i]!;
        if (b.at > a.leftAt + tolMs) break;
        if (b.src === a.src || !colocated(a, b, tolMs)) continue;
        const at = contactTimeOf(a.at, b.at);
        if (at < a.since || at > hi) continue;
        edges.push({ source: a.src, target: b.src, stationId, at, overlapMs: overlapOf(a.at, a.leftAt, b.at, b.leftAt), generation, passages: [a.id, b.id] });
      }
    }
  }
  return edges;
}

/**
 * Clusters: the connected components of the links (either direction) with two cases or more,
 * each with its index case (earliest `from`, then caseId) and its cases sorted; in the order of
 * their index cases.
 */
export function clustersOf(links: Iterable<{ readonly from: string; readonly to: string }>, cases: readonly ResolvedCase[]): OutbreakCluster[] {
  const parent = new Map<string, string>();
  const root = (x: string): string => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    // Path compression: later finds are one step.
    let y = x;
    while (y !== r) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  for (const l of links) {
    if (!parent.has(l.from)) parent.set(l.from, l.from);
    if (!parent.has(l.to)) parent.set(l.to, l.to);
    const a = root(l.from);
    const b = root(l.to);
    if (a !== b) parent.set(a, b);
  }
  const byId = new Map(cases.map((c) => [c.caseId, c]));
  const groups = new Map<string, ResolvedCase[]>();
  for (const id of parent.keys()) {
    const c = byId.get(id);
    if (c === undefined) continue;
    const r = root(id);
    const g = groups.get(r);
    if (g) g.push(c);
    else groups.set(r, [c]);
  }
  const earlier = (x: ResolvedCase, y: ResolvedCase): number => x.from - y.from || cmp(x.caseId, y.caseId);
  const clusters: { index: ResolvedCase; cases: string[] }[] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const index = g.reduce((a, b) => (earlier(b, a) < 0 ? b : a));
    clusters.push({ index, cases: g.map((c) => c.caseId).sort(cmp) });
  }
  clusters.sort((x, y) => earlier(x.index, y.index));
  return clusters.map((c) => ({ id: `cl-${c.index.caseId}`, index: c.index.caseId, cases: c.cases }));
}

/** An OutbreakResult's fields but its people, contacts, links and clusters. */
export type OutbreakHead = Omit<OutbreakResult, 'people' | 'contacts' | 'links' | 'clusters'>;

/** An outbreak trace's answer before it becomes objects (like ShapedTrace): what storage and paging start from. */
export interface ShapedOutbreak {
  readonly head: OutbreakHead;
  /** In a single trace's order: generation, exposure time, id. */
  readonly people: readonly OutbreakReached[];
  /** In a single trace's order: generation, contact time, ids. */
  readonly contacts: readonly Edge[];
  /** By generation, contact time, from, to. */
  readonly links: readonly Link[];
  readonly clusters: readonly OutbreakCluster[];
}

/** Orders and heads an outbreak trace; `casesOf` holds each listed person's cases. */
export function shapeOutbreak(
  p: ResolvedOutbreak,
  people: readonly Reached[],
  casesOf: ReadonlyMap<string, CaseTimes>,
  contacts: readonly Edge[],
  links: Iterable<Link>,
  milliseconds: number,
): ShapedOutbreak {
  const withCases: OutbreakReached[] = people.map((r) => ({ ...r, cases: exposuresOf(casesOf.get(r.id)) }));
  const linkList = [...links].sort((x, y) => x.generation - y.generation || x.at - y.at || cmp(x.from, y.from) || cmp(x.to, y.to));
  const clusters = clustersOf(linkList, p.cases);
  return {
    head: {
      cases: p.cases.map((c) => c.caseId),
      params: { from: isoUtc(p.from), to: isoUtc(p.to), until: isoUtc(p.until), depth: p.depth, toleranceSeconds: p.toleranceSeconds, mode: p.mode },
      stats: { people: people.length, contacts: contacts.length, links: linkList.length, clusters: clusters.length, milliseconds },
    },
    people: sortPeople(withCases),
    contacts: sortEdges(contacts),
    links: linkList,
    clusters,
  };
}

function exposuresOf(times: CaseTimes | undefined): CaseExposure[] {
  const out: CaseExposure[] = [];
  for (const [caseId, at] of times ?? []) out.push({ caseId, at });
  return out.sort((x, y) => x.at - y.at || cmp(x.caseId, y.caseId));
}

/** The OutbreakResult (DESIGN.md, "Interfaces") of a shaped outbreak trace: ISO instants, seconds, scores. */
export function outbreakResultOf(s: ShapedOutbreak): OutbreakResult {
  return {
    cases: s.head.cases,
    params: s.head.params,
    people: s.people.map((r) => ({
      id: r.id,
      generation: r.generation,
      exposureAt: isoUtc(r.exposureAt),
      via: r.via,
      score: scoreOf(r),
      cases: r.cases.map((c) => ({ case: c.caseId, at: isoUtc(c.at) })),
    })),
    contacts: s.contacts.map(
      (e): TraceContact => ({ source: e.source, target: e.target, stationId: e.stationId, at: isoUtc(e.at), overlapSeconds: e.overlapMs / 1000, generation: e.generation, passages: e.passages }),
    ),
    links: s.links.map((l) => linkOut(l)),
    clusters: s.clusters.map((c) => ({ ...c, cases: [...c.cases] })),
    stats: s.head.stats,
  };
}

function linkOut(l: Link): OutbreakLink {
  const out: OutbreakLink = { from: l.from, to: l.to, generation: l.generation, at: isoUtc(l.at), stationId: l.stationId, overlapSeconds: l.overlapMs / 1000, passages: l.passages };
  if (l.via !== undefined) out.via = l.via;
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
