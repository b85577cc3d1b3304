import { forceCollide, forceManyBody, forceRadial, forceSimulation, type SimulationNodeDatum } from 'd3';
import { t, type Lang } from './i18n';
import { personKey } from './result';
import { formatDay, formatTime } from './time';
import type { LoadedTrace, TraceContact, TracePerson } from './types';

/**
 * The transmission graph's data: which nodes are drawn, and how they are laid out. Pure (no DOM).
 *
 * Every generation is present whatever its size. A generation with more people than its room on
 * the ring (`budget`) is drawn partly as groups: the people whose first contact (the one that set
 * their exposure) happened at one station within one hour become one node — "Cầu Sài Gòn 06:50
 * 24/11 · 230 F1" — sized by its count, biggest groups first, until the generation fits; past
 * that, what is left becomes one "others" node per generation. The selected person is drawn on
 * their own with the chain that reached them and the people they reached in the next generation
 * (up to EXPAND); a selected group, with the people its members reached. Each generation says
 * how many of its people are drawn one by one ("n of m shown").
 *
 * Links join nodes: one per (source node, target node) pair, carrying that pair's contacts; with
 * `firstOnly`, only each person's first contact counts (a tree). The layout is seeded: fixed
 * starting positions on generation rings, a fixed number of ticks, no Math.random.
 */

export interface GraphNode {
  /** A person's id, or a group's id (`g1:<station>:<first contact>`, `g2:others`). */
  readonly id: string;
  readonly kind: 'person' | 'group';
  readonly generation: number;
  /** A person's key; empty for a group (the view writes its place and time). */
  readonly label: string;
  /** A person's risk score; a group's highest. */
  readonly score: number;
  /** A person's exposure; a group's earliest. */
  readonly exposureAt: string | undefined;
  /** The people the node stands for: the person, or the members of the group not drawn on their own. */
  readonly people: readonly string[];
  /** A group: the station of its first contacts (none for "others"), and their first and last time. */
  readonly stationId?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface GraphLink {
  /** `<source node>><target node>`. */
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly generation: number;
  /** Every contact between the two nodes, earliest first; the first one labels the edge. */
  readonly contacts: readonly TraceContact[];
}

/** How much of one generation is drawn one person per node. */
export interface GenerationShown {
  readonly generation: number;
  /** People of the generation in the result. */
  readonly total: number;
  /** Drawn one by one. */
  readonly shown: number;
  /** In group nodes, and how many groups. */
  readonly grouped: number;
  readonly groups: number;
}

export interface GraphData {
  /** F0 first, then generation by generation, earliest exposure first: the keyboard's order. */
  readonly nodes: readonly GraphNode[];
  readonly links: readonly GraphLink[];
  /** Generations 1 … depth, each present even when empty. */
  readonly generations: readonly GenerationShown[];
  /** Node pairs left out because `firstOnly` keeps one contact into each person. */
  readonly laterLinks: number;
}

/** What the graph opens around: a person, or a group (its id and all its members). */
export type GraphFocus = { readonly person: string } | { readonly group: string; readonly people: readonly string[] };

export interface GraphOptions {
  /** Keep only the contact that reached each person first (who exposed them first): a tree. */
  readonly firstOnly?: boolean;
  readonly focus?: GraphFocus;
  /** Most nodes of generation g on its ring (people one by one plus groups). */
  readonly budget?: (generation: number) => number;
}

/** Room on each ring at the view's size: F1 on the inner ring, later generations on wider ones. */
export const defaultBudget = (generation: number): number => (generation <= 1 ? 20 : 24);

/** People of the next generation drawn one by one around a selected person or group. */
export const EXPAND = 40;

/** First contacts at one station within this span from the group's first one make one group. */
export const GROUP_SPAN_MS = 3_600_000;

/** Above this many contacts the view starts in first-contact-only mode. */
export const DENSE_LINKS = 400;

const byContact = (a: TraceContact, b: TraceContact) => a.at.localeCompare(b.at) || a.stationId.localeCompare(b.stationId) || a.source.localeCompare(b.source);

/** What the graph needs of a trace, indexed once per result (results are never changed in place). */
interface TraceIndex {
  readonly byId: ReadonlyMap<string, TracePerson>;
  /** Place of each person in the engine's order (generation, then exposure). */
  readonly order: ReadonlyMap<string, number>;
  /** The contact that reached each person first, from the generation before theirs. */
  readonly firstInto: ReadonlyMap<string, TraceContact>;
  /** People each person reached in the next generation, in the engine's order. */
  readonly reached: ReadonlyMap<string, readonly string[]>;
  /** Each person's group key (station and hour-long window of their first contact). */
  readonly groupOf: ReadonlyMap<string, { key: string; stationId: string; from: string }>;
}

const indexes = new WeakMap<object, TraceIndex>();

function indexOf(trace: Pick<LoadedTrace, 'f0' | 'people' | 'contacts'>): TraceIndex {
  const known = indexes.get(trace);
  if (known) return known;
  const byId = new Map(trace.people.map((p) => [p.id, p]));
  const order = new Map(trace.people.map((p, i) => [p.id, i]));
  const genOf = (id: string) => (id === trace.f0 ? 0 : byId.get(id)?.generation);
  const firstInto = new Map<string, TraceContact>();
  const reachedSets = new Map<string, Set<string>>();
  for (const c of trace.contacts) {
    const target = byId.get(c.target);
    if (!target) continue;
    const fromPrevious = genOf(c.source) === target.generation - 1;
    if (fromPrevious) {
      let set = reachedSets.get(c.source);
      if (!set) reachedSets.set(c.source, (set = new Set()));
      set.add(c.target);
    }
    const prev = firstInto.get(c.target);
    // A contact from the generation before always wins over one that is not (naive mode, a page not loaded).
    const prevFromPrevious = prev !== undefined && genOf(prev.source) === target.generation - 1;
    if (!prev || (fromPrevious && !prevFromPrevious) || (fromPrevious === prevFromPrevious && byContact(c, prev) < 0)) firstInto.set(c.target, c);
  }
  const reached = new Map<string, string[]>();
  for (const [source, set] of reachedSets) reached.set(source, [...set].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)));

  // Groups: per generation and station, first contacts in time order; a group spans GROUP_SPAN_MS from its first.
  const groupOf = new Map<string, { key: string; stationId: string; from: string }>();
  const buckets = new Map<string, { id: string; at: string }[]>();
  for (const p of trace.people) {
    const c = firstInto.get(p.id);
    const k = `${p.generation}\u0000${c?.stationId ?? ''}`;
    let list = buckets.get(k);
    if (!list) buckets.set(k, (list = []));
    list.push({ id: p.id, at: c?.at ?? p.exposureAt });
  }
  for (const [k, list] of buckets) {
    const [generation, stationId] = k.split('\u0000') as [string, string];
    list.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
    let start: { at: string; ms: number } | undefined;
    for (const item of list) {
      const ms = Date.parse(item.at);
      if (!start || ms - start.ms >= GROUP_SPAN_MS) start = { at: item.at, ms };
      groupOf.set(item.id, { key: `g${generation}:${stationId}:${start.at}`, stationId, from: start.at });
    }
  }
  const index = { byId, order, firstInto, reached, groupOf };
  indexes.set(trace, index);
  return index;
}

/** The path F0 → … → person along each person's first contact, F0 first (stops early if a link is missing). */
export function firstContactChain(trace: Pick<LoadedTrace, 'f0' | 'people' | 'contacts'>, personId: string): string[] {
  const { firstInto } = indexOf(trace);
  const path = [personId];
  let at = personId;
  for (let guard = 0; at !== trace.f0 && guard < 64; guard++) {
    const c = firstInto.get(at);
    if (!c) break;
    path.push(c.source);
    at = c.source;
  }
  return path.reverse();
}

/** The people a person reached in the next generation, in the engine's order. */
export function reachedBy(trace: Pick<LoadedTrace, 'f0' | 'people' | 'contacts'>, personId: string): readonly string[] {
  return indexOf(trace).reached.get(personId) ?? [];
}

/** The people drawn one by one whatever the budget: the focus, its chain and whom it reached. */
export function forcedPeople(trace: Pick<LoadedTrace, 'f0' | 'people' | 'contacts'>, focus: GraphFocus | undefined): Set<string> {
  const forced = new Set<string>();
  if (!focus) return forced;
  const index = indexOf(trace);
  const reached = new Set<string>();
  if ('person' in focus) {
    if (focus.person !== trace.f0 && !index.byId.has(focus.person)) return forced;
    for (const id of firstContactChain(trace, focus.person)) forced.add(id);
    for (const id of index.reached.get(focus.person) ?? []) reached.add(id);
  } else {
    for (const member of focus.people) for (const id of index.reached.get(member) ?? []) reached.add(id);
  }
  const next = [...reached].sort((a, b) => (index.order.get(a) ?? 0) - (index.order.get(b) ?? 0));
  for (const id of next.slice(0, EXPAND)) forced.add(id);
  forced.delete(trace.f0);
  return forced;
}

interface Unit {
  readonly people: TracePerson[];
  readonly group: { key: string; stationId: string; from: string } | undefined;
}

/**
 * One generation's nodes: `forced` people one by one; the rest one by one while they fit in
 * `budget` nodes, else the biggest groups (two people or more) become group nodes until they do,
 * and if even that leaves too many, everything past the first `budget - 1` nodes becomes one
 * "others" group. Groups keep their key whatever the focus, so a selected group stays selected.
 */
function planGeneration(people: readonly TracePerson[], forced: ReadonlySet<string>, budget: number, index: TraceIndex): { persons: TracePerson[]; groups: Unit[] } {
  const persons = people.filter((p) => forced.has(p.id));
  const free = people.filter((p) => !forced.has(p.id));
  const room = Math.max(4, budget - persons.length);
  if (free.length <= room) return { persons: [...persons, ...free], groups: [] };
  const byKey = new Map<string, Unit>();
  for (const p of free) {
    const g = index.groupOf.get(p.id);
    const key = g?.key ?? `none:${p.id}`;
    let unit = byKey.get(key);
    if (!unit) byKey.set(key, (unit = { people: [], group: g }));
    unit.people.push(p);
  }
  // Biggest first; equal sizes in the order of their first person (earliest exposure).
  const units = [...byKey.values()].sort((a, b) => b.people.length - a.people.length || (index.order.get(a.people[0]!.id) ?? 0) - (index.order.get(b.people[0]!.id) ?? 0));
  let nodes = free.length;
  const grouped = new Set<Unit>();
  for (const u of units) {
    if (nodes <= room || u.people.length < 2) break;
    grouped.add(u);
    nodes -= u.people.length - 1;
  }
  const groups = units.filter((u) => grouped.has(u));
  const singles = units.filter((u) => !grouped.has(u)).flatMap((u) => u.people);
  if (nodes <= room) return { persons: [...persons, ...singles], groups };
  // Still too many: keep the groups, then the riskiest people, and put the rest in "others".
  singles.sort((a, b) => b.score - a.score || (index.order.get(a.id) ?? 0) - (index.order.get(b.id) ?? 0));
  const keep = Math.max(0, room - 1);
  const keptGroups = groups.slice(0, keep);
  const keptSingles = singles.slice(0, Math.max(0, keep - keptGroups.length));
  const rest = [...groups.slice(keep).flatMap((u) => u.people), ...singles.slice(keptSingles.length)];
  const others: Unit[] = rest.length > 0 ? [{ people: rest, group: undefined }] : [];
  return { persons: [...persons, ...keptSingles], groups: [...keptGroups, ...others] };
}

export function graphData(trace: LoadedTrace, options: GraphOptions = {}): GraphData {
  const index = indexOf(trace);
  const budget = options.budget ?? defaultBudget;
  const forced = forcedPeople(trace, options.focus);
  const byGen = new Map<number, TracePerson[]>();
  for (const p of trace.people) {
    let list = byGen.get(p.generation);
    if (!list) byGen.set(p.generation, (list = []));
    list.push(p);
  }
  const maxGen = Math.max(trace.params.depth, ...byGen.keys());
  const nodes: GraphNode[] = [{ id: trace.f0, kind: 'person', generation: 0, label: personKey(trace.f0, trace.identities), score: 1, exposureAt: undefined, people: [trace.f0] }];
  const nodeOf = new Map<string, string>([[trace.f0, trace.f0]]);
  const generations: GenerationShown[] = [];
  const orderOf = (id: string) => index.order.get(id) ?? 0;
  for (let g = 1; g <= maxGen; g++) {
    const people = byGen.get(g) ?? [];
    const plan = planGeneration(people, forced, budget(g), index);
    const drawn: { node: GraphNode; first: number }[] = [];
    for (const p of plan.persons) {
      drawn.push({ node: { id: p.id, kind: 'person', generation: g, label: personKey(p.id, trace.identities), score: p.score, exposureAt: p.exposureAt, people: [p.id] }, first: orderOf(p.id) });
      nodeOf.set(p.id, p.id);
    }
    for (const u of plan.groups) {
      const id = u.group?.key ?? `g${g}:others`;
      const members = [...u.people].sort((a, b) => orderOf(a.id) - orderOf(b.id));
      const times = members.map((p) => index.firstInto.get(p.id)?.at ?? p.exposureAt).sort();
      const node: GraphNode = {
        id,
        kind: 'group',
        generation: g,
        label: '',
        score: Math.max(...members.map((p) => p.score)),
        exposureAt: members[0]?.exposureAt,
        people: members.map((p) => p.id),
        ...(u.group ? { stationId: u.group.stationId, from: times[0]!, to: times[times.length - 1]! } : {}),
      };
      drawn.push({ node, first: orderOf(members[0]!.id) });
      for (const p of members) nodeOf.set(p.id, id);
    }
    drawn.sort((a, b) => a.first - b.first || a.node.id.localeCompare(b.node.id));
    nodes.push(...drawn.map((d) => d.node));
    const grouped = plan.groups.reduce((n, u) => n + u.people.length, 0);
    generations.push({ generation: g, total: people.length, shown: plan.persons.length, grouped, groups: plan.groups.length });
  }

  const linksOf = (contacts: Iterable<TraceContact>) => {
    const pairs = new Map<string, { source: string; target: string; generation: number; contacts: TraceContact[] }>();
    for (const c of contacts) {
      const source = nodeOf.get(c.source);
      const target = nodeOf.get(c.target);
      if (source === undefined || target === undefined || source === target) continue;
      const id = `${source}>${target}`;
      const pair = pairs.get(id);
      if (pair) pair.contacts.push(c);
      else pairs.set(id, { source, target, generation: c.generation, contacts: [c] });
    }
    return pairs;
  };
  const all = linksOf(trace.contacts);
  const first = linksOf(index.firstInto.values());
  const kept = options.firstOnly ? first : all;
  const links: GraphLink[] = [...kept].map(([id, p]) => ({ id, source: p.source, target: p.target, generation: p.generation, contacts: p.contacts.sort(byContact) }));
  links.sort((a, b) => a.generation - b.generation || a.id.localeCompare(b.id));
  return { nodes, links, generations, laterLinks: options.firstOnly ? all.size - first.size : 0 };
}

/** The words a node is labelled with, line by line: a person's key; a group's place, then its time and count. */
export function nodeLines(n: GraphNode, stationName: (id: string) => string, lang: Lang): string[] {
  if (n.kind === 'person') return [n.label];
  if (n.stationId === undefined || n.from === undefined) return [t(lang, 'graph.others', { n: n.people.length, g: n.generation })];
  return [...wrapName(shortName(stationName(n.stationId))), `${formatTime(n.from, lang)} ${formatDay(n.from, lang)} · ${n.people.length} F${n.generation}`];
}

/** A station name in a label: at most two lines of about this many characters (the node's title has it whole). */
export const NAME_CHARS = 18;

/** The abbreviations Vietnamese officials write themselves (KCN Tân Bình, KCX Tân Thuận), for labels only. */
const SHORT: readonly [RegExp, string][] = [
  [/^Chốt kiểm soát\s+/i, 'Chốt '],
  [/^Khu công nghiệp\s+/i, 'KCN '],
  [/^Khu chế xuất\s+/i, 'KCX '],
  [/^Khu công nghệ cao\b/i, 'Khu CNC'],
  [/^Công ty TNHH\s+/i, 'Cty '],
  [/^Công ty cổ phần\s+/i, 'Cty CP '],
];

export function shortName(name: string): string {
  for (const [re, to] of SHORT) if (re.test(name)) return name.replace(re, to);
  return name;
}

/** A name on one line, or two at a space, the second cut with "…" past NAME_CHARS. */
export function wrapName(name: string): string[] {
  if (name.length <= NAME_CHARS) return [name];
  const cut = name.lastIndexOf(' ', NAME_CHARS);
  const first = cut > 0 ? name.slice(0, cut) : name.slice(0, NAME_CHARS);
  const rest = name.slice(first.length).trim();
  return [first, rest.length > NAME_CHARS ? `${rest.slice(0, NAME_CHARS - 1).trimEnd()}…` : rest];
}

/** A node's label on one line: "Cầu Sài Gòn 06:50 24/11 · 230 F1". */
export function nodeText(n: GraphNode, stationName: (id: string) => string, lang: Lang): string {
  return nodeLines(n, stationName, lang).join(' ');
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface LayoutOptions {
  /** Distance between generation rings. */
  readonly ring?: number;
  readonly ticks?: number;
}

/** The starting positions are already a radial tree: the forces only need to settle collisions. */
export const DEFAULT_TICKS = 160;

/** Node radius in the layout: F0 biggest, people by their risk score, groups by their count (area). */
export function nodeRadius(n: Pick<GraphNode, 'generation' | 'score' | 'kind' | 'people'>): number {
  if (n.generation === 0) return 16;
  if (n.kind === 'group') return Math.min(26, Math.round(10 + 1.6 * Math.sqrt(n.people.length)));
  return 8 + Math.round(5 * Math.max(0, Math.min(1, n.score)));
}

interface SimNode extends SimulationNodeDatum {
  id: string;
  generation: number;
  r: number;
}

/**
 * The radius of each generation's ring: at least `ring` beyond the previous one, and wide enough
 * for its nodes side by side, so a crowded generation gets a bigger ring instead of a pile.
 */
export function ringRadii(data: Pick<GraphData, 'nodes'>, ring: number): Map<number, number> {
  const room = new Map<number, number>();
  for (const n of data.nodes) room.set(n.generation, (room.get(n.generation) ?? 0) + 2 * nodeRadius(n) + 8);
  const radii = new Map<number, number>();
  let prev = 0;
  for (const g of [...room.keys()].sort((a, b) => a - b)) {
    const r = g === 0 ? 0 : Math.max(prev + ring, (room.get(g) ?? 0) / (2 * Math.PI));
    radii.set(g, r);
    prev = r;
  }
  return radii;
}

/**
 * Positions (rounded to 0.1) around F0 at (0, 0), as a radial tree: F1 nodes start evenly spread
 * on the first ring in the keyboard's order (earliest exposure first, clockwise from the top);
 * each later generation is ordered by the angle of the node that reached it first and fanned out
 * around it on its own ring. d3-force then only relaxes the rings (radial pull, collision, a
 * little repulsion) — no link force, which in dense clusters drags a generation to one side.
 */
export function layoutGraph(data: GraphData, options: LayoutOptions = {}): Map<string, Point> {
  const ring = options.ring ?? 120;
  const ticks = options.ticks ?? DEFAULT_TICKS;
  const radii = ringRadii(data, ring);
  // Each node's parent: the node its earliest link comes from.
  const parent = new Map<string, { source: string; at: string }>();
  for (const l of data.links) {
    const at = l.contacts[0]?.at ?? '';
    const prev = parent.get(l.target);
    if (!prev || at < prev.at || (at === prev.at && l.source < prev.source)) parent.set(l.target, { source: l.source, at });
  }
  const byGen = new Map<number, GraphNode[]>();
  for (const n of data.nodes) {
    const list = byGen.get(n.generation);
    if (list) list.push(n);
    else byGen.set(n.generation, [n]);
  }
  const angle = new Map<string, number>();
  for (const g of [...byGen.keys()].sort((a, b) => a - b)) {
    const list = byGen.get(g) ?? [];
    if (g <= 1) {
      list.forEach((n, i) => angle.set(n.id, g === 0 ? 0 : (2 * Math.PI * i) / list.length));
      continue;
    }
    // Each group of children starts fanned out around its parent's angle, one node's width
    // apart; where groups overlap, the collision force below spreads them along the ring.
    const radius = radii.get(g) ?? g * ring;
    const groups = new Map<string, GraphNode[]>();
    for (const n of list) {
      const p = parent.get(n.id)?.source ?? '';
      const group = groups.get(p);
      if (group) group.push(n);
      else groups.set(p, [n]);
    }
    for (const [p, group] of groups) {
      const center = angle.get(p) ?? 0;
      const widths = group.map((n) => (2 * nodeRadius(n) + 8) / Math.max(1, radius));
      const total = widths.reduce((s, w) => s + w, 0);
      let at = center - total / 2;
      group.forEach((n, i) => {
        angle.set(n.id, at + widths[i]! / 2);
        at += widths[i]!;
      });
    }
  }
  const nodes: SimNode[] = data.nodes.map((n) => {
    const a = (angle.get(n.id) ?? 0) - Math.PI / 2;
    const radius = radii.get(n.generation) ?? n.generation * ring;
    const node: SimNode = { id: n.id, generation: n.generation, r: nodeRadius(n), x: radius * Math.cos(a), y: radius * Math.sin(a) };
    if (n.generation === 0) {
      node.fx = 0;
      node.fy = 0;
    }
    return node;
  });
  const sim = forceSimulation<SimNode>(nodes)
    .randomSource(mulberry32(20210802))
    .force('charge', forceManyBody<SimNode>().strength(-30).distanceMax(ring))
    .force('ring', forceRadial<SimNode>((d) => radii.get(d.generation) ?? d.generation * ring).strength(0.9))
    .force('collide', forceCollide<SimNode>((d) => d.r + 4))
    .stop();
  sim.tick(ticks);
  const out = new Map<string, Point>();
  for (const n of nodes) out.set(n.id, { x: round1(n.x ?? 0), y: round1(n.y ?? 0) });
  return out;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** A small seeded generator for d3-force's jiggle (used when two nodes coincide). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The box around the laid-out nodes, with a margin: the exported picture's viewBox. */
export function layoutBounds(points: Iterable<Point>, margin = 40): { x: number; y: number; width: number; height: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  if (!Number.isFinite(x0)) return { x: -margin, y: -margin, width: 2 * margin, height: 2 * margin };
  return { x: x0 - margin, y: y0 - margin, width: x1 - x0 + 2 * margin, height: y1 - y0 + 2 * margin };
}
