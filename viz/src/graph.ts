import { forceCollide, forceManyBody, forceRadial, forceSimulation, type SimulationNodeDatum } from 'd3';
import { chainTo, personKey } from './result';
import type { LoadedTrace, TraceContact } from './types';

/**
 * The transmission graph's data: which people are drawn (a cap keeps big results smooth), one
 * link per (source, target) pair carrying all of that pair's contacts, and a seeded force
 * layout — fixed starting positions on generation rings, a fixed number of ticks, no use of
 * Math.random — so the same result always gives the same picture. Pure (no DOM).
 */

export const DEFAULT_NODE_CAP = 300;

export interface GraphNode {
  readonly id: string;
  readonly generation: number;
  readonly label: string;
  readonly score: number;
  readonly exposureAt: string | undefined;
}

export interface GraphLink {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly generation: number;
  /** Every contact of the pair, earliest first; the first one labels the edge. */
  readonly contacts: readonly TraceContact[];
}

export interface GraphData {
  readonly nodes: readonly GraphNode[];
  readonly links: readonly GraphLink[];
  /** People of the result that are drawn / not drawn (F0 is always drawn and not counted). */
  readonly drawnPeople: number;
  readonly hiddenPeople: number;
  /** Contact pairs left out because an end is not drawn. */
  readonly hiddenLinks: number;
  /** Links left out because `firstOnly` keeps one link into each person. */
  readonly laterLinks: number;
}

export interface GraphOptions {
  /** Most people drawn, in the engine's order (generation, then exposure). */
  readonly cap?: number;
  /** People to draw even past the cap, with the chain that reached them (a selection). */
  readonly include?: readonly string[];
  /**
   * Keep only the link that carries each person's earliest contact (who exposed them first): a
   * readable tree for dense clusters, where every F2 met dozens of F1s.
   */
  readonly firstOnly?: boolean;
}

/** Above this many links the view starts in first-contact-only mode. */
export const DENSE_LINKS = 400;

export function graphData(trace: LoadedTrace, options: GraphOptions = {}): GraphData {
  const cap = Math.max(0, options.cap ?? DEFAULT_NODE_CAP);
  const drawn = new Set<string>([trace.f0]);
  for (const p of trace.people.slice(0, cap)) drawn.add(p.id);
  for (const id of options.include ?? []) for (const c of chainTo(trace, id)) drawn.add(c);

  const nodes: GraphNode[] = [{ id: trace.f0, generation: 0, label: personKey(trace.f0, trace.identities), score: 1, exposureAt: undefined }];
  for (const p of trace.people) {
    if (drawn.has(p.id)) nodes.push({ id: p.id, generation: p.generation, label: personKey(p.id, trace.identities), score: p.score, exposureAt: p.exposureAt });
  }

  const pairs = new Map<string, TraceContact[]>();
  for (const c of trace.contacts) {
    const k = `${c.source}>${c.target}`;
    const list = pairs.get(k);
    if (list) list.push(c);
    else pairs.set(k, [c]);
  }
  const links: GraphLink[] = [];
  let hiddenLinks = 0;
  for (const [id, contacts] of pairs) {
    const c0 = contacts[0] as TraceContact;
    if (!drawn.has(c0.source) || !drawn.has(c0.target)) {
      hiddenLinks++;
      continue;
    }
    contacts.sort((a, b) => a.at.localeCompare(b.at) || a.stationId.localeCompare(b.stationId));
    links.push({ id, source: c0.source, target: c0.target, generation: c0.generation, contacts });
  }
  let kept = links;
  if (options.firstOnly) {
    const first = new Map<string, GraphLink>();
    for (const l of links) {
      const prev = first.get(l.target);
      const at = l.contacts[0]!.at;
      const prevAt = prev?.contacts[0]!.at;
      if (!prev || prevAt === undefined || at < prevAt || (at === prevAt && l.source < prev.source)) first.set(l.target, l);
    }
    kept = [...first.values()];
  }
  kept.sort((a, b) => a.generation - b.generation || a.id.localeCompare(b.id));
  const drawnPeople = nodes.length - 1;
  return { nodes, links: kept, drawnPeople, hiddenPeople: trace.people.length - drawnPeople, hiddenLinks, laterLinks: links.length - kept.length };
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

/** Node radius on screen: F0 biggest, others by their risk score. */
export function nodeRadius(n: Pick<GraphNode, 'generation' | 'score'>): number {
  return n.generation === 0 ? 14 : 7 + Math.round(5 * Math.max(0, Math.min(1, n.score)));
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
  for (const n of data.nodes) room.set(n.generation, (room.get(n.generation) ?? 0) + 2 * nodeRadius(n) + 6);
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
 * Positions (rounded to 0.1) around F0 at (0, 0), as a radial tree: F1s start evenly spread on
 * the first ring in the engine's order (earliest exposure first, clockwise from the top); each
 * later generation is ordered by the angle of whoever reached it first and spread on its own
 * ring, so people sit near the person who passed it on. d3-force then only relaxes the rings
 * (radial pull, collision, a little repulsion) — no link force, which in dense clusters drags a
 * whole generation to one side of F0.
 */
export function layoutGraph(data: GraphData, options: LayoutOptions = {}): Map<string, Point> {
  const ring = options.ring ?? 120;
  const ticks = options.ticks ?? DEFAULT_TICKS;
  const radii = ringRadii(data, ring);
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
      const step = (2 * nodeRadius(group[0]!) + 6) / Math.max(1, radius);
      group.forEach((n, i) => angle.set(n.id, center + (i - (group.length - 1) / 2) * step));
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
    .force('collide', forceCollide<SimNode>((d) => d.r + 3))
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
