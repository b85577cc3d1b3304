import { select, zoom } from 'd3';
import { kindColor } from '../colors';
import { t, type Lang } from '../i18n';
import { mapData, stationRadius, type MapStation } from '../map-data';
import { selectedStation, type Selection } from '../store';
import type { LoadedTrace, Station } from '../types';
import { h } from '../dom';

/**
 * The station map: every station the tracer may see as a faint dot, the trace's contact stations
 * as circles sized by exposures and colored by kind, on a plain equirectangular projection (no
 * tiles). Zoom and pan; circles are focusable and Enter selects the station.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

export class MapView {
  constructor(
    private readonly host: HTMLElement,
    private readonly onSelect: (stationId: string) => void,
  ) {}

  render(trace: LoadedTrace | undefined, stations: readonly Station[], lang: Lang, selection: Selection): void {
    const focused = this.host.querySelector(':focus')?.getAttribute('data-id');
    this.host.replaceChildren();
    if (!trace) return;
    const width = Math.max(320, this.host.clientWidth || 480);
    const height = Math.round(width * 0.75);
    const data = mapData(trace, stations, { width, height });
    const picked = selectedStation(selection);
    // Stations where the selected person met someone (either side of a contact).
    const personStations = new Set(
      selection.person === undefined ? [] : trace.contacts.filter((c) => c.source === selection.person || c.target === selection.person).map((c) => c.stationId),
    );
    const dim = picked !== undefined || selection.person !== undefined;
    const hot = (s: MapStation) => s.station.id === picked || personStations.has(s.station.id);
    // A picked station is drawn as a full circle even without exposures (a hotspot can be one).
    const shown = (s: MapStation) => s.exposures > 0 || s.station.id === picked;

    const svg = select(document.createElementNS(SVG_NS, 'svg'))
      .attr('class', 'map')
      .attr('viewBox', `0 0 ${width} ${height}`)
      .attr('width', '100%')
      .attr('role', 'group')
      .attr('aria-label', t(lang, 'map.aria'));
    this.host.append(svg.node()!);
    svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#fbfbf8');
    const layer = svg.append('g');
    svg.call(
      zoom<SVGSVGElement, unknown>()
        .scaleExtent([0.5, 12])
        .on('zoom', (e: { transform: { toString(): string } }) => layer.attr('transform', e.transform.toString())),
    );

    layer
      .append('g')
      .selectAll('circle')
      .data(data.stations.filter((s) => !shown(s)))
      .join('circle')
      .attr('cx', (s) => s.x)
      .attr('cy', (s) => s.y)
      .attr('r', 2)
      .attr('fill', '#b8bec6')
      .append('title')
      .text((s) => s.station.name);

    const exposed = layer
      .append('g')
      .selectAll<SVGCircleElement, MapStation>('circle')
      .data(data.stations.filter(shown))
      .join('circle')
      .attr('class', 'station')
      .attr('data-id', (s) => s.station.id)
      .attr('cx', (s) => s.x)
      .attr('cy', (s) => s.y)
      .attr('r', (s) => Math.max(5, stationRadius(s.exposures, data.maxExposures)))
      .attr('fill', (s) => kindColor(s.station.kind))
      .attr('fill-opacity', (s) => (!dim || hot(s) ? 0.85 : 0.2))
      .attr('stroke', (s) => (s.station.id === picked ? '#000' : hot(s) ? '#000' : '#333'))
      .attr('stroke-width', (s) => (s.station.id === picked ? 3.5 : hot(s) ? 2 : 0.8))
      .attr('tabindex', 0)
      .attr('role', 'button')
      .attr('aria-pressed', (s) => String(s.station.id === picked))
      .attr('aria-label', (s) => `${s.station.name}: ${t(lang, 'map.exposures', { n: s.exposures })}`)
      .style('cursor', 'pointer')
      .on('click', (_e, s) => this.onSelect(s.station.id))
      .on('keydown', (e: KeyboardEvent, s) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.onSelect(s.station.id);
        }
      });
    exposed
      .append('title')
      .text((s) => `${s.station.name} (${t(lang, `kind.${s.station.kind}`)})\n${t(lang, 'map.exposures', { n: s.exposures })} · ${t(lang, 'map.people', { n: s.people })}`);

    const legend = h('div', { class: 'legend' });
    for (const kind of data.kinds) {
      legend.append(h('span', { class: 'key' }, h('span', { class: 'swatch round', style: `background:${kindColor(kind)}` }), t(lang, `kind.${kind}`)));
    }
    legend.append(h('span', { class: 'note' }, t(lang, 'map.sizeNote')));
    this.host.append(legend);
    if (data.unknownStations.length > 0) this.host.append(h('p', { class: 'note' }, t(lang, 'map.unknown', { n: data.unknownStations.length })));
    if (focused) this.host.querySelector<SVGElement>(`circle.station[data-id="${CSS.escape(focused)}"]`)?.focus();
  }
}
