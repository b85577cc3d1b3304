import { select, zoom, zoomIdentity, zoomTransform, type Selection as D3Selection, type ZoomBehavior } from 'd3';
import { generationColor, textOn } from '../colors';
import { graphData, layoutBounds, layoutGraph, nodeRadius, type GraphData, type GraphLink, type GraphNode, type Point } from '../graph';
import { t, type Lang } from '../i18n';
import { chainTo, personLabel } from '../result';
import { rovingTarget, tabStop } from '../roving';
import { hasSelection, selectedStation, selectsPerson, type Selection } from '../store';
import { formatDateTime, formatDuration, formatTime } from '../time';
import type { LoadedTrace, Station } from '../types';

/**
 * The transmission graph: F0 at the centre, generations on rings, one arrow per pair of people
 * with the first contact's station and time on it. Zoom and pan with the mouse or the toolbar.
 * From the keyboard the graph is one Tab stop (up to 300 nodes would otherwise bury every
 * control after it): the arrow keys move between people in the list's order (roving.ts), Enter
 * or Space selects. Styles are SVG attributes (not CSS), so an exported SVG looks like the screen.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT = 'system-ui, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
/** Above this many links, edge labels show only for the selection or when zoomed in. */
const LABEL_ALL_LINKS = 60;
const LABEL_ZOOM = 1.8;

export class GraphView {
  private readonly svg: D3Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly viewport: D3Selection<SVGGElement, unknown, null, undefined>;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private data: GraphData | undefined;
  private positions = new Map<string, Point>();
  private layoutKey = '';
  private drawKey = '';
  private base: { key: string; data: GraphData; ids: Set<string> } | undefined;
  private zoomK = 1;
  private selection: Selection = {};
  private trace: LoadedTrace | undefined;
  /** The node that holds the graph's Tab stop (tabindex 0; every other node has -1). */
  private stop: string | undefined;
  /** The selected person the stop last followed: only a change of selection moves it there. */
  private stopFollows: string | undefined;

  constructor(
    host: HTMLElement,
    private readonly onSelect: (id: string) => void,
    private readonly width = 900,
    private readonly height = 560,
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
      .on('zoom', (e: { transform: { k: number; toString(): string } }) => {
        this.viewport.attr('transform', e.transform.toString());
        const crossed = e.transform.k >= LABEL_ZOOM !== this.zoomK >= LABEL_ZOOM;
        this.zoomK = e.transform.k;
        if (crossed) this.applyHighlight();
      });
    this.svg.call(this.zoomer);
  }

  /** Draws the trace (keeps the layout when the drawn people are the same). */
  render(
    trace: LoadedTrace | undefined,
    stations: ReadonlyMap<string, Station>,
    lang: Lang,
    selection: Selection,
    options: { cap: number; firstOnly: boolean },
  ): GraphData | undefined {
    this.selection = selection;
    this.trace = trace;
    this.svg.attr('aria-label', t(lang, 'graph.aria'));
    if (!trace) {
      this.viewport.selectAll('*').remove();
      this.data = undefined;
      this.base = undefined;
      this.layoutKey = '';
      this.drawKey = '';
      this.stop = undefined;
      this.stopFollows = undefined;
      return undefined;
    }
    const data = this.dataFor(trace, selection.person, options);
    // The layout depends on the people and who reached each first, not on the links drawn.
    const key = `${trace.id}|${data.nodes.map((n) => n.id).join(',')}`;
    if (key !== this.layoutKey) {
      this.positions = layoutGraph(data);
      this.layoutKey = key;
      this.fit();
    }
    this.data = data;
    const drawKey = `${key}|${options.firstOnly}|${lang}|${stations.size}`;
    if (drawKey !== this.drawKey) {
      // Redrawing replaces the nodes: keep the keyboard focus on the same person.
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
   * Puts the Tab stop on the selected person when the selection changes (from any view), so Tab
   * comes back to them; a cleared selection leaves it on the node the keyboard is on, or F0.
   * Otherwise it stays where the arrow keys left it, while that person is drawn.
   */
  private placeTabStop(): void {
    const ids = this.data?.nodes.map((n) => n.id) ?? [];
    const person = this.selection.person;
    if (person !== this.stopFollows) {
      this.stopFollows = person;
      this.stop = tabStop(ids, person, this.focusedNode());
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

  /** The person whose node has the keyboard focus, if the focus is in the graph. */
  private focusedNode(): string | undefined {
    const active = document.activeElement;
    if (!active || !this.svg.node()?.contains(active)) return undefined;
    return active.closest('g.node')?.getAttribute('data-id') ?? undefined;
  }

  /**
   * The graph data, computed once per trace and mode (it walks every contact); again only when
   * the selected person is not drawn, to add them with their chain.
   */
  private dataFor(trace: LoadedTrace, person: string | undefined, options: { cap: number; firstOnly: boolean }): GraphData {
    const baseKey = `${trace.id}|${options.cap}|${options.firstOnly}`;
    if (baseKey !== this.base?.key) this.base = { key: baseKey, data: graphData(trace, options), ids: new Set() };
    const base = this.base;
    if (base.ids.size === 0) for (const n of base.data.nodes) base.ids.add(n.id);
    if (person === undefined || base.ids.has(person)) return base.data;
    return graphData(trace, { ...options, include: [person] });
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

  /** Frames the whole graph. */
  fit(): void {
    const b = layoutBounds(this.positions.values(), 30);
    const k = Math.min(4, Math.max(0.15, Math.min(this.width / b.width, this.height / b.height)));
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    this.svg.call((sel) => this.zoomer.transform(sel, zoomIdentity.scale(k).translate(-cx, -cy)));
  }

  /** The whole graph as a standalone SVG document (not only what the zoom shows). */
  /** People drawn / in the result, for the exports' "n of m shown". */
  shown(): { drawn: number; total: number } | undefined {
    return this.data && this.trace ? { drawn: this.data.drawnPeople, total: this.trace.people.length } : undefined;
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

  private draw(trace: LoadedTrace, stations: ReadonlyMap<string, Station>, lang: Lang): void {
    const data = this.data!;
    const pos = this.positions;
    const radius = new Map(data.nodes.map((n) => [n.id, nodeRadius(n)]));
    this.viewport.selectAll('*').remove();

    const defs = this.viewport.append('defs');
    for (let g = 1; g <= trace.params.depth; g++) {
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
    const labelOf = (l: GraphLink) => {
      const c = l.contacts[0]!;
      const more = l.contacts.length > 1 ? ` +${l.contacts.length - 1}` : '';
      return `${stationName(c.stationId)} · ${formatTime(c.at, lang)}${more}`;
    };
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
      .attr('stroke-width', (l) => Math.min(5, 1.2 + Math.log2(l.contacts.length)))
      .attr('marker-end', (l) => `url(#arrow-${l.generation})`);
    links.append('title').text(
      (l) =>
        `${personLabel(l.source, trace.identities)} → ${personLabel(l.target, trace.identities)}\n` +
        l.contacts.map((c) => `${formatDateTime(c.at, lang)} · ${stationName(c.stationId)} · ${t(lang, 'evidence.overlap')} ${formatDuration(c.overlapSeconds, lang)}`).join('\n'),
    );

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
      .attr('y', (l) => r1((ends(l).y1 + ends(l).y2) / 2 - 3))
      .attr('text-anchor', 'middle')
      .attr('font-size', 9)
      .attr('fill', '#333333')
      .attr('stroke', '#ffffff')
      .attr('stroke-width', 2.5)
      .attr('paint-order', 'stroke')
      .text(labelOf);

    const nodes = this.viewport
      .append('g')
      .attr('class', 'nodes')
      .selectAll<SVGGElement, GraphData['nodes'][number]>('g')
      .data(data.nodes)
      .join('g')
      .attr('class', 'node')
      .attr('data-id', (n) => n.id)
      .attr('data-generation', (n) => n.generation)
      .attr('tabindex', -1)
      .attr('role', 'button')
      .attr('aria-label', (n) => `F${n.generation} ${personLabel(n.id, trace.identities)}`)
      .attr('transform', (n) => `translate(${pos.get(n.id)?.x ?? 0},${pos.get(n.id)?.y ?? 0})`)
      .style('cursor', 'pointer')
      .on('click', (_e, n) => this.onSelect(n.id))
      // Arrow keys, Tab and clicks all focus a node: the stop goes with the focus.
      .on('focus', (_e, n) => this.takeStop(n.id))
      .on('keydown', (e: KeyboardEvent, n) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.onSelect(n.id);
          return;
        }
        if (e.altKey || e.ctrlKey || e.metaKey) return;
        const next = rovingTarget(this.data?.nodes.map((d) => d.id) ?? [], n.id, e.key);
        if (next === undefined) return;
        e.preventDefault();
        this.nodeElement(next)?.focus();
      });
    nodes
      .append('circle')
      .attr('r', (n) => nodeRadius(n))
      .attr('fill', (n) => generationColor(n.generation))
      .attr('stroke', '#222222')
      .attr('stroke-width', 1);
    nodes
      .append('text')
      .attr('class', 'gen')
      .attr('text-anchor', 'middle')
      .attr('dy', '0.35em')
      .attr('font-size', (n) => (n.generation === 0 ? 11 : 8))
      .attr('font-weight', 700)
      .attr('fill', (n) => textOn(generationColor(n.generation)))
      .attr('pointer-events', 'none')
      .text((n) => String(n.generation));
    nodes
      .append('text')
      .attr('class', 'node-label')
      .attr('text-anchor', 'middle')
      .attr('y', (n) => nodeRadius(n) + 10)
      .attr('font-size', 9)
      .attr('fill', '#111111')
      .attr('stroke', '#ffffff')
      .attr('stroke-width', 2.5)
      .attr('paint-order', 'stroke')
      .attr('pointer-events', 'none')
      .text((n) => n.label);
    nodes
      .append('title')
      .text(
        (n) =>
          `F${n.generation} · ${personLabel(n.id, trace.identities)}` +
          (n.exposureAt ? `\n${t(lang, 'people.exposure')}: ${formatDateTime(n.exposureAt, lang)}\n${t(lang, 'people.score')}: ${n.score}` : ''),
      );
  }

  /** Dims what the selection does not concern; shows the labels that matter. */
  private applyHighlight(): void {
    const data = this.data;
    if (!data) return;
    const sel = this.selection;
    const any = hasSelection(sel);
    const station = selectedStation(sel);
    const hot = new Set<string>();
    const hotLinks = new Set<string>();
    // The chain that reached the selected person lights up too, back to F0.
    const chain = sel.person !== undefined && this.trace ? chainTo(this.trace, sel.person) : [];
    const chainLinks = new Set(chain.slice(1).map((id, i) => `${chain[i]}>${id}`));
    for (const l of data.links) {
      const touches =
        chainLinks.has(l.id) ||
        (sel.person !== undefined && (l.source === sel.person || l.target === sel.person)) ||
        (station !== undefined && l.contacts.some((c) => c.stationId === station && (sel.hotspot === undefined || inWindow(c.at, sel.hotspot)))) ||
        (sel.hotspot !== undefined && selectsPerson(sel, l.source) && selectsPerson(sel, l.target));
      if (touches) {
        hotLinks.add(l.id);
        hot.add(l.source);
        hot.add(l.target);
      }
    }
    for (const n of data.nodes) if (selectsPerson(sel, n.id)) hot.add(n.id);
    const allLabels = data.links.length <= LABEL_ALL_LINKS || this.zoomK >= LABEL_ZOOM;
    const showNodeLabels = data.nodes.length <= 80 || this.zoomK >= LABEL_ZOOM;

    this.viewport
      .selectAll<SVGLineElement, GraphLink>('line.link')
      .attr('opacity', (l) => (any ? (hotLinks.has(l.id) ? 0.95 : 0.1) : data.links.length > 200 ? 0.45 : 0.85));
    this.viewport
      .selectAll<SVGTextElement, GraphLink>('text.link-label')
      .attr('display', (l) => ((any ? hotLinks.has(l.id) : allLabels) ? null : 'none'));
    const nodes = this.viewport.selectAll<SVGGElement, GraphData['nodes'][number]>('g.node');
    nodes.attr('opacity', (n) => (!any || hot.has(n.id) ? 1 : 0.25)).attr('aria-pressed', (n) => String(sel.person === n.id));
    nodes
      .select('circle')
      .attr('stroke', (n) => (sel.person === n.id ? '#000000' : '#222222'))
      .attr('stroke-width', (n) => (sel.person === n.id ? 4 : selectsPerson(sel, n.id) ? 3 : 1));
    nodes.select('text.node-label').attr('display', (n) => (showNodeLabels || n.generation === 0 || hot.has(n.id) ? null : 'none'));
  }
}

function inWindow(at: string, h: { windowStart: string; windowEnd: string }): boolean {
  const ms = Date.parse(at);
  return ms >= Date.parse(h.windowStart) && ms < Date.parse(h.windowEnd);
}
