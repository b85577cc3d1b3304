import { isoUtc } from '../time';
import { closePeopleOf, paramsOut, personClass, scoreOf, sortEdges, sortPeople, type Edge, type Reached } from '../trace/assemble';
import { contactClass } from '../trace/colocation';
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

/**
 * The cases whose chain reached a person, with the time it reached them (exposure_c): indices into
 * the run's cases (CaseContext.cases) and times, in parallel, ordered by time then case id.
 * Arrays of numbers, not a Map per person: a depth-2 outbreak reaches hundreds of thousands of
 * people, most with a case or two.
 */
export interface CaseTimes {
  readonly cases: readonly number[];
  readonly at: readonly number[];
}

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
  /** The run's cases (ResolvedOutbreak.cases, in caseId order); a case's index is its place here. */
  readonly cases: readonly ResolvedCase[];
  /** Each case person's cases, as indices into `cases`. */
  readonly byPerson: ReadonlyMap<string, readonly number[]>;
  readonly until: number;
  readonly naive: boolean;
}

export function caseContext(cases: readonly ResolvedCase[], until: number, naive: boolean): CaseContext {
  const byPerson = new Map<string, number[]>();
  cases.forEach((c, i) => {
    const list = byPerson.get(c.personId);
    if (list) list.push(i);
    else byPerson.set(c.personId, [i]);
  });
  return { cases, byPerson, until, naive };
}

/** Whether contact time `at` lies in the generation-1 window [from, min(to, until)] of one of the person's cases. */
export function inSomeWindow(ctx: CaseContext, person: string, at: number): boolean {
  if (at > ctx.until) return false;
  for (const i of ctx.byPerson.get(person) ?? []) {
    const c = ctx.cases[i]!;
    if (at >= c.from && at <= c.to) return true;
  }
  return false;
}

/**
 * The cases of the people generation `generation` reached, from its contact edges: for an F1, each
 * case of the source person whose window holds the contact time; for an Fk, each case c of the
 * source v with the contact at or after v's exposure_c (any contact in naive mode); each at the
 * earliest such contact.
 *
 * Done per person reached, their edges by source then time, each source's cases walked once in
 * exposure order: a case is taken with the source's first edge at or after its exposure. The cost
 * is the sum over (source, person) pairs of the source's cases, not over edges: in a dense city
 * each F1 carries hundreds of cases and meets the same people again and again.
 */
export function attributeCases(generation: number, edges: readonly Edge[], ctx: CaseContext, casesOf: ReadonlyMap<string, CaseTimes>): Map<string, CaseTimes> {
  const best = new Scratch(ctx.cases.length);
  const out = new Map<string, CaseTimes>();
  for (const [target, list] of groupBy(edges, (e) => e.target)) {
    best.begin();
    if (generation === 1) {
      for (const e of list) {
        if (e.at > ctx.until) continue;
        for (const i of ctx.byPerson.get(e.source) ?? []) {
          const c = ctx.cases[i]!;
          if (e.at >= c.from && e.at <= c.to) best.offer(i, e.at, e);
        }
      }
    } else {
      if (list.length > 1) list.sort((x, y) => cmp(x.source, y.source) || x.at - y.at);
      for (let n = 0; n < list.length; ) {
        const src = list[n]!.source;
        const times = casesOf.get(src);
        let j = 0;
        for (; n < list.length && list[n]!.source === src; n++) {
          const e = list[n]!;
          for (; times !== undefined && j < times.cases.length && (ctx.naive || times.at[j]! <= e.at); j++) best.offer(times.cases[j]!, e.at, e);
        }
      }
    }
    out.set(target, best.times(ctx));
  }
  return out;
}

/**
 * Per case index, the best (earliest) candidate of the person or link being built: stamped, so
 * that one allocation serves every group of a call.
 */
class Scratch {
  private readonly stamp: Int32Array;
  readonly at: Float64Array;
  readonly edge: (Edge | undefined)[];
  touched: number[] = [];
  private round = 0;

  constructor(n: number) {
    this.stamp = new Int32Array(n);
    this.at = new Float64Array(n);
    this.edge = new Array<Edge | undefined>(n);
  }

  begin(): void {
    this.round++;
    this.touched = [];
  }

  /** Keeps (at, e) for case i unless an earlier time (or, with `before`, an earlier edge) is held. */
  offer(i: number, at: number, e: Edge, before?: (x: Edge, y: Edge) => number): void {
    if (this.stamp[i] !== this.round) {
      this.stamp[i] = this.round;
      this.at[i] = at;
      this.edge[i] = e;
      this.touched.push(i);
    } else if (at < this.at[i]! || (before !== undefined && at === this.at[i] && before(e, this.edge[i]!) < 0)) {
      this.at[i] = at;
      this.edge[i] = e;
    }
  }

  /** The touched cases with their times, by time then case id. */
  times(ctx: CaseContext): CaseTimes {
    const order = this.touched;
    if (order.length > 1) order.sort((x, y) => this.at[x]! - this.at[y]! || cmp(ctx.cases[x]!.caseId, ctx.cases[y]!.caseId));
    return { cases: order, at: order.map((i) => this.at[i]!) };
  }
}

function groupBy(edges: readonly Edge[], key: (e: Edge) => string): Map<string, Edge[]> {
  const groups = new Map<string, Edge[]>();
  for (const e of edges) {
    const k = key(e);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [e]);
    else list.push(e);
  }
  return groups;
}

/** The links found so far, the best evidence of each `from → to`, by `to` (one map per target case, no key string per candidate). */
export class LinkTable {
  private readonly byTo = new Map<string, Map<string, Link>>();

  get size(): number {
    let n = 0;
    for (const row of this.byTo.values()) n += row.size;
    return n;
  }

  get(from: string, to: string): Link | undefined {
    return this.byTo.get(to)?.get(from);
  }

  /** The links into case `to`, by their `from`: what offerLink() reads and writes. */
  into(to: string): Map<string, Link> {
    let row = this.byTo.get(to);
    if (row === undefined) this.byTo.set(to, (row = new Map<string, Link>()));
    return row;
  }

  values(): Link[] {
    const out: Link[] = [];
    for (const row of this.byTo.values()) for (const l of row.values()) out.push(l);
    return out;
  }
}

/**
 * Adds the links that edges into case persons make (`e.generation` is the link's generation) to
 * `links`, keeping each link's best evidence (see the order above). A generation-1 edge's source
 * is a case person: its cases whose window holds the contact count. A later edge's source p is a
 * listed person: each case p has counts when the contact is at or after p's exposure to it (any,
 * in naive mode). The target's cases count when the contact is not after their confirmation
 * (nor after `until`), and never between two cases of one person. With `turnedTo`, each edge is
 * read the other way round (its target is the listed person, its source the case person) as a
 * link candidate of generation `turnedTo`.
 *
 * Later generations go per case person as attributeCases() goes per person reached: each
 * source's cases walked once. Offering every case of the source at every edge took 7–9 s in a
 * dense city (500 cases among 20,000 people: 680,000 edges into case persons from F1s carrying
 * hundreds of cases each, 2.8 × 10^7 candidates).
 */
export function addLinks(links: LinkTable, edges: readonly Edge[], ctx: CaseContext, casesOf: ReadonlyMap<string, CaseTimes>, turnedTo?: number): void {
  const turned = turnedTo !== undefined;
  const srcOf = (e: Edge): string => (turned ? e.target : e.source);
  const dstOf = (e: Edge): string => (turned ? e.source : e.target);
  const first = turned ? 1 : 0;
  const second = turned ? 0 : 1;
  const before = (x: Edge, y: Edge): number => x.at - y.at || cmp(x.passages[first], y.passages[first]) || cmp(x.passages[second], y.passages[second]);
  const later = new Map<number, Edge[]>();
  for (const e of edges) {
    const src = srcOf(e);
    const dst = dstOf(e);
    if (e.at > ctx.until || src === dst) continue;
    const targets = ctx.byPerson.get(dst);
    if (targets === undefined) continue;
    const generation = turnedTo ?? e.generation;
    if (generation > 1) {
      const list = later.get(generation);
      if (list === undefined) later.set(generation, [e]);
      else list.push(e);
      continue;
    }
    for (const i of ctx.byPerson.get(src) ?? []) {
      const c = ctx.cases[i]!;
      if (e.at < c.from || e.at > c.to) continue;
      for (const t of targets) offerLink(links.into(ctx.cases[t]!.caseId), ctx.cases[t]!, c.caseId, undefined, e, 1, turned);
    }
  }
  const best = new Scratch(ctx.cases.length);
  const via: string[] = new Array<string>(ctx.cases.length);
  for (const [generation, list] of [...later].sort((x, y) => x[0] - y[0])) {
    for (const [dst, into] of groupBy(list, dstOf)) {
      const targets = ctx.byPerson.get(dst)!;
      best.begin();
      // Per source (a Map, not a sort of every edge by source id: string compares were most of
      // the link round), its edges in `before` order; a total order on distinct edges, so the
      // best of each case does not depend on the order the sources come in.
      for (const [src, es] of groupBy(into, srcOf)) {
        const times = casesOf.get(src);
        if (times === undefined) continue;
        if (es.length > 1) es.sort(before);
        const { cases, at } = times;
        let j = 0;
        for (let n = 0; n < es.length && j < cases.length; n++) {
          const e = es[n]!;
          const t = e.at;
          for (; j < cases.length && (ctx.naive || at[j]! <= t); j++) {
            const i = cases[j]!;
            // Two cases of one person are never linked: the source's case must be another person's.
            if (targets.includes(i)) continue;
            best.offer(i, t, e, before);
            if (best.edge[i] === e) via[i] = src;
          }
        }
      }
      // The earliest candidate of each source case; a target case confirmed before it has none.
      for (const t of targets) {
        const row = links.into(ctx.cases[t]!.caseId);
        for (const i of best.touched) offerLink(row, ctx.cases[t]!, ctx.cases[i]!.caseId, via[i], best.edge[i]!, generation, turned);
      }
    }
  }
}

/** Offers edge `e` as evidence of `from → c` (`row` = the links into c); builds a Link only when it beats the one held. */
function offerLink(row: Map<string, Link>, c: ResolvedCase, from: string, via: string | undefined, e: Edge, generation: number, turned: boolean): void {
  if (e.at > c.confirmedAt) return;
  const p0 = turned ? e.passages[1] : e.passages[0];
  const p1 = turned ? e.passages[0] : e.passages[1];
  const was = row.get(from);
  if (was !== undefined && (was.generation - generation || was.at - e.at || cmp(was.passages[0], p0) || cmp(was.passages[1], p1)) <= 0) return;
  const passages: [string, string] = [p0, p1];
  // Built whole, not spread: a dense outbreak makes hundreds of thousands of links.
  row.set(from, via === undefined ? { from, to: c.caseId, generation, at: e.at, stationId: e.stationId, overlapMs: e.overlapMs, passages } : { from, to: c.caseId, generation, at: e.at, stationId: e.stationId, overlapMs: e.overlapMs, passages, via });
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
  const withCases: OutbreakReached[] = people.map((r) => ({ ...r, cases: exposuresOf(casesOf.get(r.id), p.cases) }));
  const linkList = [...links].sort((x, y) => x.generation - y.generation || x.at - y.at || cmp(x.from, y.from) || cmp(x.to, y.to));
  const clusters = clustersOf(linkList, p.cases);
  return {
    head: {
      cases: p.cases.map((c) => c.caseId),
      params: paramsOut(p),
      stats: { people: people.length, contacts: contacts.length, closePeople: closePeopleOf(people, p.closeMs), links: linkList.length, clusters: clusters.length, milliseconds },
    },
    people: sortPeople(withCases),
    contacts: sortEdges(contacts),
    links: linkList,
    clusters,
  };
}

function exposuresOf(times: CaseTimes | undefined, cases: readonly ResolvedCase[]): CaseExposure[] {
  const out: CaseExposure[] = [];
  if (times !== undefined) for (let j = 0; j < times.cases.length; j++) out.push({ caseId: cases[times.cases[j]!]!.caseId, at: times.at[j]! });
  return out;
}

/** The OutbreakResult (DESIGN.md, "Interfaces") of a shaped outbreak trace: ISO instants, seconds, scores. */
export function outbreakResultOf(s: ShapedOutbreak): OutbreakResult {
  const closeMs = s.head.params.closeSeconds * 1000;
  return {
    cases: s.head.cases,
    params: s.head.params,
    people: s.people.map((r) => ({
      id: r.id,
      generation: r.generation,
      exposureAt: isoUtc(r.exposureAt),
      via: r.via,
      score: scoreOf(r),
      class: personClass(r, closeMs),
      cases: r.cases.map((c) => ({ case: c.caseId, at: isoUtc(c.at) })),
    })),
    contacts: s.contacts.map(
      (e): TraceContact => ({
        source: e.source,
        target: e.target,
        stationId: e.stationId,
        at: isoUtc(e.at),
        overlapSeconds: e.overlapMs / 1000,
        generation: e.generation,
        passages: e.passages,
        class: contactClass(e.overlapMs, closeMs),
      }),
    ),
    links: s.links.map((l) => linkOut(l, closeMs)),
    clusters: s.clusters.map((c) => ({ ...c, cases: [...c.cases] })),
    stats: s.head.stats,
  };
}

/** A link as the result gives it, with the class of its evidence contact. */
export function linkOut(l: Link, closeMs: number): OutbreakLink {
  const out: OutbreakLink = {
    from: l.from,
    to: l.to,
    generation: l.generation,
    at: isoUtc(l.at),
    stationId: l.stationId,
    overlapSeconds: l.overlapMs / 1000,
    passages: l.passages,
    class: contactClass(l.overlapMs, closeMs),
  };
  if (l.via !== undefined) out.via = l.via;
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
