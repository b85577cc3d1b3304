import { select, zoom, zoomIdentity, zoomTransform, type Selection as D3Selection, type ZoomBehavior } from 'd3';
import { generationColor, textOn } from '../colors';
import { firstContactChain, graphData, layoutBounds, layoutGraph, nodeLines, nodeRadius, nodeText as nodeWords, type GraphData, type GraphFocus, type GraphLink, type GraphNode, type Point } from '../graph';
import { t, type Lang } from '../i18n';
import { boxAt, boxBelow, LABEL_PX, LINE_EM, placeLabels, placeLabelSpots, spotsAround, type LabelCandidate, type Spot, type SpotCandidate } from '../labels';
import { personLabel } from '../result';
import { rovingTarget, tabStop } from '../roving';
import { hasSelection, selectedStation, selectsPerson, type GroupSelection, type Selection } from '../store';
import { formatDateTime, formatDuration, formatTime } from '../time';
import type { LoadedTrace, Station } from '../types';

/**
 * The transmission graph: F0 at the centre, generations on rings, dense parts drawn as group
 * nodes (graph.ts), one arrow per pair of nodes. Labels keep LABEL_PX on screen at every zoom
 * and never overlap (labels.ts): the most important are placed first (F0, the selection, the
 * biggest groups), the others wait for a zoom that makes room. Zoom and pan with the mouse or
 * the toolbar. From the keyboard the graph is one Tab stop: the arrow keys move between nodes
 * (F0, then generation by generation, earliest first), Enter or Space selects. Styles are SVG
 * attributes (not CSS), so an exported SVG looks like the screen.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT = 'system-ui, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

export interface GraphHandlers {
  readonly person: (id: string) => void;
  readonly group: (group: GroupSelection) => void;
}

/** The group a node stands for, as the selection keeps it. */
export function groupSelection(n: GraphNode): GroupSelection {
  return {
    id: n.id,
    generation: n.generation,
    people: n.people,
    ...(n.stationId !== undefined ? { stationId: n.stationId } : {}),
    ...(n.from !== undefined ? { from: n.from } : {}),
    ...(n.to !== undefined ? { to: n.to } : {}),
  };
}

const nodeText = (n: GraphNode, stations: ReadonlyMap<string, Station>, lang: Lang) => nodeWords(n, (id) => stations.get(id)?.name ?? id, lang);

export class GraphView {
  private readonly svg: D3Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly viewport: D3Selection<SVGGElement, unknown, null, undefined>;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private data: GraphData | undefined;
  private positions = new Map<string, Point>();
  private layoutKey = '';
  private drawKey = '';
  private dataKey = '';
  private traceId = '';
  /** The tracer zoomed or panned since the graph was last framed: a new layout then keeps their view. */
  private moved = false;
  private labelFrame = 0;
  private selection: Selection = {};
  private trace: LoadedTrace | undefined;
  private texts = new Map<string, string>();
  private lines = new Map<string, string[]>();
  /** The node that holds the graph's Tab stop (tabindex 0; every other node has -1). */
  private stop: string | undefined;
  /** The selected node the stop last followed: only a change of selection moves it there. */
  private stopFollows: string | undefined;

  constructor(
    host: HTMLElement,
    private readonly on: GraphHandlers,
    private width = 900,
    private height = 560,
  ) {
    const svgEl = document.createElementNS(SVG_NS, 'svg');
    host.append(svgEl);
    this.svg = select(svgEl)
      .attr('xmlns', SVG_NS)
      .attr('class', 'graph')
      .attr('viewBox', `${-width / 2} ${-height / 2} ${width} ${height}`)
      .attr('width', '100%')
      .attr('height', height)
      .attr('role', 'group')
      .attr('font-family', FONT);
    this.svg.append('rect').attr('class', 'bg').attr('x', -width / 2).attr('y', -height / 2).attr('width', width).attr('height', height).attr('fill', '#ffffff');
    this.viewport = this.svg.append('g').attr('class', 'viewport');
    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.15, 8])
      .on('zoom', (e: { transform: { k: number; toString(): string }; sourceEvent: unknown }) => {
        this.viewport.attr('transform', e.transform.toString());
        if (e.sourceEvent) this.moved = true;
        // Labels keep their size on screen and stay in the frame: placed again once per frame while zooming or panning.
        if (this.labelFrame === 0 && this.data) {
          this.labelFrame = requestAnimationFrame(() => {
            this.labelFrame = 0;
            this.applyLabels();
          });
        }
      });
    this.svg.call(this.zoomer);
  }

  /** Draws the trace around the selection (keeps the layout when the drawn nodes are the same). */
  render(trace: LoadedTrace | undefined, stations: ReadonlyMap<string, Station>, lang: Lang, selection: Selection, options: { firstOnly: boolean }): GraphData | undefined {
    this.selection = selection;
    this.trace = trace;
    this.svg.attr('aria-label', t(lang, 'graph.aria'));
    this.fitWidth();
    if (!trace) {
      this.viewport.selectAll('*').remove();
      this.data = undefined;
      this.layoutKey = '';
      this.drawKey = '';
      this.dataKey = '';
      this.traceId = '';
      this.stop = undefined;
      this.stopFollows = undefined;
      return undefined;
    }
    const focus: GraphFocus | undefined =
      selection.person !== undefined ? { person: selection.person } : selection.group !== undefined ? { group: selection.group.id, people: selection.group.people } : undefined;
    const dataKey = `${trace.id}|${options.firstOnly}|${focus ? ('person' in focus ? `p:${focus.person}` : `g:${focus.group}`) : ''}`;
    if (dataKey !== this.dataKey || !this.data) {
      this.data = graphData(trace, { firstOnly: options.firstOnly, ...(focus ? { focus } : {}) });
      this.dataKey = dataKey;
    }
    const data = this.data;
    // The layout depends on the nodes and who reached each first, not on the links drawn.
    const key = `${trace.id}|${data.nodes.map((n) => `${n.id}:${n.people.length}`).join(',')}`;
    if (key !== this.layoutKey) {
      this.positions = layoutGraph(data);
      this.layoutKey = key;
      if (trace.id !== this.traceId || !this.moved) this.fit();
      this.traceId = trace.id;
    }
    const drawKey = `${key}|${options.firstOnly}|${lang}|${stations.size}`;
    if (drawKey !== this.drawKey) {
      // Redrawing replaces the nodes: keep the keyboard focus on the same node.
      const focused = this.focusedNode();
      this.draw(trace, stations, lang);
      this.drawKey = drawKey;
      if (focused) this.nodeElement(focused)?.focus();
    }
    this.placeTabStop();
    this.applyHighlight();
    return data;
  }

  /**
   * Puts the Tab stop on the selected node when the selection changes (from any view), so Tab
   * comes back to it; a cleared selection leaves it on the node the keyboard is on, or F0.
   * Otherwise it stays where the arrow keys left it, while that node is drawn.
   */
  private placeTabStop(): void {
    const ids = this.data?.nodes.map((n) => n.id) ?? [];
    const picked = this.selection.person ?? this.selection.group?.id;
    if (picked !== this.stopFollows) {
      this.stopFollows = picked;
      this.stop = tabStop(ids, picked, this.focusedNode());
    } else {
      this.stop = tabStop(ids, this.stop);
    }
    this.viewport.selectAll<SVGGElement, GraphNode>('g.node').attr('tabindex', (n) => (n.id === this.stop ? 0 : -1));
  }

  /** A node got the focus: it takes the Tab stop, and the view pans to it if the zoom left it outside. */
  private takeStop(id: string): void {
    this.stop = id;
    this.viewport.selectAll<SVGGElement, GraphNode>('g.node').attr('tabindex', (n) => (n.id === id ? 0 : -1));
    const p = this.positions.get(id);
    const svg = this.svg.node();
    if (!p || !svg) return;
    const [x, y] = zoomTransform(svg).apply([p.x, p.y]);
    const margin = 20;
    if (Math.abs(x) > this.width / 2 - margin || Math.abs(y) > this.height / 2 - margin) this.svg.call((sel) => this.zoomer.translateTo(sel, p.x, p.y));
  }

  private nodeElement(id: string): SVGGElement | null {
    return this.viewport.select<SVGGElement>(`g.node[data-id="${CSS.escape(id)}"]`).node();
  }

  /** The node that has the keyboard focus, if the focus is in the graph. */
  private focusedNode(): string | undefined {
    const active = document.activeElement;
    if (!active || !this.svg.node()?.contains(active)) return undefined;
    return active.closest('g.node')?.getAttribute('data-id') ?? undefined;
  }

  highlight(selection: Selection): void {
    this.selection = selection;
    this.applyHighlight();
  }

  zoomBy(factor: number): void {
    this.svg
      .transition()
      .duration(200)
      .call((tr) => this.zoomer.scaleBy(tr, factor));
  }

  /** Frames the whole graph, with room at the sides for the outer ring's labels. */
  fit(): void {
    // Room for the nodes' size and the outer ring's labels, but on a phone's narrow card not most of it.
    const b0 = layoutBounds(this.positions.values(), Math.min(40, this.width * 0.03));
    const side = Math.min(130, this.width * 0.05);
    const b = { x: b0.x - side, y: b0.y - 10, width: b0.width + 2 * side, height: b0.height + 20 };
    const k = Math.min(4, Math.max(0.15, Math.min(this.width / b.width, this.height / b.height)));
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    this.svg.call((sel) => this.zoomer.transform(sel, zoomIdentity.scale(k).translate(-cx, -cy)));
    this.moved = false;
  }

  /** The whole graph as a standalone SVG document (not only what the zoom shows). */
  /** People drawn / in the result, for the exports' "n of m shown". */
  shown(): { drawn: number; total: number } | undefined {
    return this.data && this.trace ? { drawn: this.data.generations.reduce((n, g) => n + g.shown, 0), total: this.trace.people.length } : undefined;
  }

  exportSvg(title: string): { svg: string; width: number; height: number } {
    const b = layoutBounds(this.positions.values(), 60);
    const clone = this.svg.node()!.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('viewBox', `${b.x} ${b.y} ${b.width} ${b.height}`);
    clone.setAttribute('width', String(Math.round(b.width)));
    clone.setAttribute('height', String(Math.round(b.height)));
    clone.removeAttribute('class');
    const bg = clone.querySelector('rect.bg');
    bg?.setAttribute('x', String(b.x));
    bg?.setAttribute('y', String(b.y));
    bg?.setAttribute('width', String(b.width));
    bg?.setAttribute('height', String(b.height));
    clone.querySelector('g.viewport')?.removeAttribute('transform');
    for (const n of clone.querySelectorAll('[tabindex]')) n.removeAttribute('tabindex');
    const caption = document.createElementNS(SVG_NS, 'title');
    caption.textContent = title;
    clone.insertBefore(caption, clone.firstChild);
    return { svg: new XMLSerializer().serializeToString(clone), width: Math.round(b.width), height: Math.round(b.height) };
  }

  private select(n: GraphNode): void {
    if (n.kind === 'group') this.on.group(groupSelection(n));
    else this.on.person(n.id);
  }

  private draw(trace: LoadedTrace, stations: ReadonlyMap<string, Station>, lang: Lang): void {
    const data = this.data!;
    const pos = this.positions;
    const radius = new Map(data.nodes.map((n) => [n.id, nodeRadius(n)]));
    this.texts = new Map(data.nodes.map((n) => [n.id, nodeText(n, stations, lang)]));
    this.lines = new Map(data.nodes.map((n) => [n.id, nodeLines(n, (id) => stations.get(id)?.name ?? id, lang)]));
    this.viewport.selectAll('*').remove();

    const defs = this.viewport.append('defs');
    for (let g = 1; g <= Math.max(trace.params.depth, ...data.nodes.map((n) => n.generation)); g++) {
      defs
        .append('marker')
        .attr('id', `arrow-${g}`)
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerWidth', 6)
        .attr('markerHeight', 6)
        .attr('orient', 'auto-start-reverse')
        .append('path')
        .attr('d', 'M0,0 L10,5 L0,10 z')
        .attr('fill', generationColor(g));
    }

    const stationName = (id: string) => stations.get(id)?.name ?? id;
    const linkText = (l: GraphLink) => {
      const c = l.contacts[0]!;
      const more = l.contacts.length > 1 ? ` +${l.contacts.length - 1}` : '';
      return `${stationName(c.stationId)} · ${formatTime(c.at, lang)}${more}`;
    };
    for (const l of data.links) this.texts.set(`link:${l.id}`, linkText(l));
    const ends = (l: GraphLink) => {
      const a = pos.get(l.source) ?? { x: 0, y: 0 };
      const b = pos.get(l.target) ?? { x: 0, y: 0 };
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len = Math.hypot(dx, dy) || 1;
      const rs = (radius.get(l.source) ?? 8) + 1;
      const rt = (radius.get(l.target) ?? 8) + 3;
      return { x1: a.x + (dx * rs) / len, y1: a.y + (dy * rs) / len, x2: b.x - (dx * rt) / len, y2: b.y - (dy * rt) / len };
    };
    const r1 = (v: number) => Math.round(v * 10) / 10;
    const label = (n: GraphNode) => (n.kind === 'group' ? nodeText(n, stations, lang) : personLabel(n.id, trace.identities));

    const links = this.viewport
      .append('g')
      .attr('class', 'links')
      .selectAll('line')
      .data(data.links)
      .join('line')
      .attr('class', 'link')
      .attr('data-source', (l) => l.source)
      .attr('data-target', (l) => l.target)
      .attr('x1', (l) => r1(ends(l).x1))
      .attr('y1', (l) => r1(ends(l).y1))
      .attr('x2', (l) => r1(ends(l).x2))
      .attr('y2', (l) => r1(ends(l).y2))
      .attr('stroke', (l) => generationColor(l.generation))
      .attr('stroke-width', (l) => Math.min(6, 1.2 + Math.log2(l.contacts.length)))
      .attr('marker-end', (l) => `url(#arrow-${l.generation})`);
    const nodeById = new Map(data.nodes.map((n) => [n.id, n]));
    links.append('title').text((l) => {
      const end = (id: string) => {
        const n = nodeById.get(id);
        return n ? label(n) : id;
      };
      const shown = l.contacts.slice(0, 12).map((c) => `${formatDateTime(c.at, lang)} · ${stationName(c.stationId)} · ${t(lang, 'evidence.overlap')} ${formatDuration(c.overlapSeconds, lang)}`);
      if (l.contacts.length > shown.length) shown.push(t(lang, 'graph.moreContacts', { n: l.contacts.length - shown.length }));
      return `${end(l.source)} → ${end(l.target)}\n${shown.join('\n')}`;
    });

    this.viewport
      .append('g')
      .attr('class', 'link-labels')
      .selectAll('text')
      .data(data.links)
      .join('text')
      .attr('class', 'link-label')
      .attr('data-source', (l) => l.source)
      .attr('data-target', (l) => l.target)
      .attr('x', (l) => r1((ends(l).x1 + ends(l).x2) / 2))
      .attr('y', (l) => r1((ends(l).y1 + ends(l).y2) / 2))
      .attr('text-anchor', 'middle')
      .attr('dominant-baseline', 'central')
      .attr('fill', '#222222')
      .attr('stroke', '#ffffff')
      .attr('stroke-width', 3)
      .attr('paint-order', 'stroke')
      .attr('pointer-events', 'none')
      .attr('display', 'none')
      .text(linkText);

    const nodes = this.viewport
      .append('g')
      .attr('class', 'nodes')
      .selectAll<SVGGElement, GraphNode>('g')
      .data(data.nodes)
      .join('g')
      .attr('class', 'node')
      .attr('data-id', (n) => n.id)
      .attr('data-generation', (n) => n.generation)
      .attr('data-kind', (n) => n.kind)
      .attr('data-count', (n) => n.people.length)
      .attr('tabindex', -1)
      .attr('role', 'button')
      .attr('aria-label', (n) => (n.kind === 'group' ? `F${n.generation} ${t(lang, 'graph.groupAria', { label: label(n) })}` : `F${n.generation} ${label(n)}`))
      .attr('transform', (n) => `translate(${pos.get(n.id)?.x ?? 0},${pos.get(n.id)?.y ?? 0})`)
      .style('cursor', 'pointer')
      .on('click', (_e, n) => this.select(n))
      // Arrow keys, Tab and clicks all focus a node: the stop goes with the focus.
      .on('focus', (_e, n) => this.takeStop(n.id))
      .on('keydown', (e: KeyboardEvent, n) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.select(n);
          return;
        }
        if (e.altKey || e.ctrlKey || e.metaKey) return;
        const next = rovingTarget(this.data?.nodes.map((d) => d.id) ?? [], n.id, e.key);
        if (next === undefined) return;
        e.preventDefault();
        this.nodeElement(next)?.focus();
      });
    // A group has a dashed ring around it: it stands for many people.
    nodes
      .filter((n) => n.kind === 'group')
      .append('circle')
      .attr('class', 'group-ring')
      .attr('r', (n) => nodeRadius(n) + 4)
      .attr('fill', 'none')
      .attr('stroke', (n) => generationColor(n.generation))
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', '4 3');
    nodes
      .append('circle')
      .attr('class', 'dot')
      .attr('r', (n) => nodeRadius(n))
      .attr('fill', (n) => generationColor(n.generation))
      .attr('stroke', '#222222')
      .attr('stroke-width', 1);
    nodes
      .append('text')
      .attr('class', 'gen')
      .attr('text-anchor', 'middle')
      .attr('dy', '0.35em')
      .attr('font-size', (n) => (n.generation === 0 ? 13 : n.kind === 'group' ? Math.min(14, 9 + nodeRadius(n) / 6) : 11))
      .attr('font-weight', 700)
      .attr('fill', (n) => textOn(generationColor(n.generation)))
      .attr('pointer-events', 'none')
      .text((n) => (n.kind === 'group' ? String(n.people.length) : String(n.generation)));
    nodes
      .append('text')
      .attr('class', 'node-label')
      .attr('text-anchor', 'middle')
      .attr('dominant-baseline', 'hanging')
      .attr('fill', '#111111')
      .attr('stroke', '#ffffff')
      .attr('stroke-width', 3)
      .attr('paint-order', 'stroke')
      .attr('pointer-events', 'none')
      .selectAll('tspan')
      .data((n) => this.lines.get(n.id) ?? [])
      .join('tspan')
      .attr('dy', (_l, i) => (i === 0 ? null : `${LINE_EM}em`))
      .text((l) => l);
    nodes.append('title').text((n) => {
      if (n.kind === 'group') {
        const names = n.people.slice(0, 8).map((id) => personLabel(id, trace.identities));
        const more = n.people.length > names.length ? `\n${t(lang, 'graph.morePeople', { n: n.people.length - names.length })}` : '';
        const span = n.from !== undefined && n.to !== undefined ? `\n${formatDateTime(n.from, lang)} – ${formatDateTime(n.to, lang)}` : '';
        return `${label(n)}${span}\n${names.join('\n')}${more}\n${t(lang, 'graph.groupHint')}`;
      }
      return `F${n.generation} · ${label(n)}` + (n.exposureAt ? `\n${t(lang, 'people.exposure')}: ${formatDateTime(n.exposureAt, lang)}\n${t(lang, 'people.score')}: ${n.score}` : '');
    });
  }

  /** The nodes and links the selection concerns (its person or group, their chain and whom they reached). */
  private hot(): { nodes: Set<string>; links: Set<string> } {
    const data = this.data;
    const nodes = new Set<string>();
    const links = new Set<string>();
    if (!data || !this.trace) return { nodes, links };
    const sel = this.selection;
    const station = selectedStation(sel);
    const picked = sel.person ?? sel.group?.id;
    const chain = sel.person !== undefined ? firstContactChain(this.trace, sel.person) : [];
    const chainLinks = new Set(chain.slice(1).map((id, i) => `${chain[i]}>${id}`));
    for (const l of data.links) {
      const touches =
        chainLinks.has(l.id) ||
        (picked !== undefined && (l.source === picked || l.target === picked)) ||
        (station !== undefined && sel.group === undefined && l.contacts.some((c) => c.stationId === station && (sel.hotspot === undefined || inWindow(c.at, sel.hotspot)))) ||
        (sel.hotspot !== undefined && this.nodeSelected(l.source) && this.nodeSelected(l.target));
      if (touches) {
        links.add(l.id);
        nodes.add(l.source);
        nodes.add(l.target);
      }
    }
    for (const n of data.nodes) if (n.people.some((id) => selectsPerson(sel, id)) || n.id === picked) nodes.add(n.id);
    return { nodes, links };
  }

  private nodeSelected(id: string): boolean {
    const n = this.data?.nodes.find((d) => d.id === id);
    return n?.people.some((p) => selectsPerson(this.selection, p)) ?? false;
  }

  /** Dims what the selection does not concern; marks the selected node. */
  private applyHighlight(): void {
    const data = this.data;
    if (!data) return;
    const sel = this.selection;
    const any = hasSelection(sel);
    const picked = sel.person ?? sel.group?.id;
    const hot = this.hot();
    this.viewport.selectAll<SVGLineElement, GraphLink>('line.link').attr('opacity', (l) => (any ? (hot.links.has(l.id) ? 0.95 : 0.08) : data.links.length > 200 ? 0.4 : 0.75));
    const nodes = this.viewport.selectAll<SVGGElement, GraphNode>('g.node');
    nodes.attr('opacity', (n) => (!any || hot.nodes.has(n.id) ? 1 : 0.25)).attr('aria-pressed', (n) => String(picked === n.id));
    nodes
      .select('circle.dot')
      .attr('stroke', '#111111')
      .attr('stroke-width', (n) => (picked === n.id ? 4 : n.people.some((id) => selectsPerson(sel, id)) ? 3 : 1));
    this.applyLabels(hot);
  }

  /**
   * Which labels show, at LABEL_PX on screen whatever the zoom: F0 and the selection first, then
   * the biggest groups and the riskiest people, then the labels of the selection's links, each
   * beside its node (outwards on the rings, else below, above, on the other side), only where it
   * overlaps no label already placed and no node. With a selection, only what it concerns.
   */
  private applyLabels(hot = this.hot()): void {
    const data = this.data;
    const svg = this.svg.node();
    if (!data || !svg) return;
    // Boxes in the viewBox's units (a pixel on screen, fitWidth), where the zoom put the nodes.
    const box = svg.getBoundingClientRect();
    const fitted = box.width > 0 && box.height > 0 ? Math.min(box.width / this.width, box.height / this.height) : 1;
    const z = zoomTransform(svg);
    const k = z.k;
    const px = LABEL_PX / fitted;
    const at = (p: Point) => ({ x: z.x + p.x * k, y: z.y + p.y * k });
    const frame = { x: -this.width / 2 + 2, y: -this.height / 2 + 2, width: this.width - 4, height: this.height - 4 };
    const any = hasSelection(this.selection);
    const picked = this.selection.person ?? this.selection.group?.id;
    const spots = new Map<string, Spot[]>();
    const candidates: SpotCandidate[] = [];
    const radiusOf = (n: GraphNode) => (nodeRadius(n) + (n.kind === 'group' ? 4 : 0)) * k;
    for (const n of data.nodes) {
      if (any && !hot.nodes.has(n.id)) continue;
      const p = this.positions.get(n.id) ?? { x: 0, y: 0 };
      const around = spotsAround(radiusOf(n), this.lines.get(n.id) ?? [], px, n.generation === 0 ? undefined : Math.atan2(p.y, p.x));
      spots.set(n.id, around);
      // Earlier generations weigh more: a group of 100 F1s matters more than one of 100 F2s.
      const priority = (hot.nodes.has(n.id) ? 1e6 : 0) + (n.kind === 'group' ? 1e4 + n.people.length * (1 + 8 / n.generation) : 0) + Math.round(n.score * 100) - n.generation;
      const c = at(p);
      candidates.push({ id: n.id, priority, always: n.generation === 0 || n.id === picked, spots: around.map((s) => boxAt(s, c.x, c.y)) });
    }
    // Nodes stay readable: a label may cross a circle's rim, never the number in its middle.
    const circles = data.nodes.map((n) => {
      const c = at(this.positions.get(n.id) ?? { x: 0, y: 0 });
      const r = Math.max(5, nodeRadius(n) * k * 0.7);
      return { x: c.x - r, y: c.y - r, width: 2 * r, height: 2 * r };
    });
    const nodeShown = placeLabelSpots(candidates, { blocked: circles, frame });
    const placedBoxes = candidates.filter((c) => nodeShown.has(c.id)).map((c) => c.spots[nodeShown.get(c.id)!]!);
    const linkCandidates: LabelCandidate[] = [];
    if (any) {
      for (const l of data.links) {
        if (!hot.links.has(l.id)) continue;
        const a = at(this.positions.get(l.source) ?? { x: 0, y: 0 });
        const b = at(this.positions.get(l.target) ?? { x: 0, y: 0 });
        const text = this.texts.get(`link:${l.id}`) ?? '';
        linkCandidates.push({ id: l.id, priority: l.source === picked || l.target === picked ? 2 : 1, ...boxBelow((a.x + b.x) / 2, (a.y + b.y) / 2 - px * 0.65, text, px) });
      }
    }
    const linkShown = placeLabels(linkCandidates, { blocked: [...placedBoxes, ...circles], frame });
    const fontSize = r2(px / k);
    const spotOf = (n: GraphNode) => spots.get(n.id)?.[nodeShown.get(n.id) ?? 0];
    const labels = this.viewport.selectAll<SVGTextElement, GraphNode>('text.node-label');
    labels
      .attr('font-size', fontSize)
      .attr('y', (n) => r2((spotOf(n)?.box.y ?? 0) / k))
      .attr('text-anchor', (n) => spotOf(n)?.anchor ?? 'middle')
      .attr('display', (n) => (nodeShown.has(n.id) ? null : 'none'));
    labels.each(function (n) {
      const x = r2((spotOf(n)?.x ?? 0) / k);
      this.setAttribute('x', String(x));
      for (const t of this.querySelectorAll('tspan')) t.setAttribute('x', String(x));
    });
    this.viewport
      .selectAll<SVGTextElement, GraphLink>('text.link-label')
      .attr('font-size', fontSize)
      .attr('display', (l) => (linkShown.has(l.id) ? null : 'none'));
  }

  /** One unit of the picture is one pixel on screen: the viewBox follows the card's width. */
  private fitWidth(): void {
    const w = Math.round(this.svg.node()?.clientWidth ?? 0);
    // A phone's card keeps the graph square (style.css): its height follows the width too.
    const h = Math.round(this.svg.node()?.clientHeight ?? 0) || this.height;
    if (w <= 0 || (w === this.width && h === this.height)) return;
    this.width = w;
    this.height = h;
    this.svg.attr('viewBox', `${-w / 2} ${-this.height / 2} ${w} ${this.height}`);
    this.svg.select('rect.bg').attr('x', -w / 2).attr('width', w);
    if (!this.moved && this.positions.size > 0) this.fit();
  }
}

const r2 = (v: number) => Math.round(v * 100) / 100;

function inWindow(at: string, h: { windowStart: string; windowEnd: string }): boolean {
  const ms = Date.parse(at);
  return ms >= Date.parse(h.windowStart) && ms < Date.parse(h.windowEnd);
}
