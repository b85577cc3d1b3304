import { geoPath, select, zoom, type GeoPermissibleObjects, type GeoProjection } from 'd3';
import { kindColor } from '../colors';
import { h } from '../dom';
import { t, type Lang } from '../i18n';
import { boxAt, boxBelow, LABEL_PX, placeLabels, placeLabelSpots, spotsAround, type Box } from '../labels';
import { busyStations, mapData, readDistricts, stationDetails, stationRadius, stationTraffic, type Districts, type MapStation } from '../map-data';
import { personLabel } from '../result';
import { selectedStation, type Selection } from '../store';
import { formatDateTime } from '../time';
import type { LoadedTrace, Station, Timeline } from '../types';
import { genChip } from './people';

/**
 * The station map: Ho Chi Minh City's district outlines and names (a separate static file,
 * data/hcmc-districts-2021.geojson, GPL-3.0, loaded once; the map works without it), every
 * station the tracer may see as a faint dot, the trace's contact stations as circles sized by
 * exposures and colored by kind, on a plain equirectangular projection (no tiles). The busiest
 * stations of the trace carry their name (touch has no hover); a selected station gets a ring
 * drawn above every circle and its details under the map. Zoom and pan; circles are focusable,
 * their focus ring is drawn on top too, and Enter selects the station.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Where the view finds the district outlines (served from viz/static/data as they are). */
export const DISTRICTS_URL = 'data/hcmc-districts-2021.geojson';

/** Stations named on the map, busiest first (more when they fit without overlap, never more than this). */
export const BUSY_LABELS = 10;

/** People listed in a selected station's details; the rest are counted. */
export const STATION_PEOPLE_SHOWN = 40;

export interface MapInput {
  readonly timelines: ReadonlyMap<string, Timeline>;
  /** Selects a person from the station's details. */
  readonly selectPerson: (id: string) => void;
}

export class MapView {
  private districts: Districts | undefined;
  private districtsAsked = false;
  private last: (() => void) | undefined;

  constructor(
    private readonly host: HTMLElement,
    private readonly onSelect: (stationId: string) => void,
    private readonly fetchJson: (url: string) => Promise<unknown> = async (url) => {
      const r = await fetch(url);
      if (!r.ok) throw new Error(`${url}: ${r.status}`);
      return r.json() as Promise<unknown>;
    },
  ) {}

  /** The outlines once per page; drawn again when they arrive. Without them the map still works. */
  private loadDistricts(): void {
    if (this.districtsAsked) return;
    this.districtsAsked = true;
    this.fetchJson(DISTRICTS_URL)
      .then((json) => {
        this.districts = readDistricts(json);
        this.last?.();
      })
      .catch(() => undefined);
  }

  /** The outlines projected: kept while the projection is the same (the map is drawn again on every change of the page). */
  private shapes: { key: string; list: { code: string; name: string; d: string; centroid: [number, number] }[] } | undefined;

  private districtShapes(districts: Districts, projection: GeoProjection): { code: string; name: string; d: string; centroid: [number, number] }[] {
    const key = `${districts.features.length}|${projection.scale()}|${projection.translate().join(',')}`;
    if (this.shapes?.key === key) return this.shapes.list;
    const path = geoPath(projection);
    const list: { code: string; name: string; d: string; centroid: [number, number] }[] = [];
    for (const f of districts.features) {
      const d = path(f as unknown as GeoPermissibleObjects);
      if (d) list.push({ code: f.properties.code, name: f.properties.name, d, centroid: path.centroid(f as unknown as GeoPermissibleObjects) });
    }
    this.shapes = { key, list };
    return list;
  }

  render(trace: LoadedTrace | undefined, stations: readonly Station[], lang: Lang, selection: Selection, input?: MapInput): void {
    const focused = this.host.querySelector(':focus')?.getAttribute('data-id');
    this.host.replaceChildren();
    this.last = undefined;
    if (!trace) return;
    this.last = () => this.render(trace, stations, lang, selection, input);
    this.loadDistricts();
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
    const frame: Box = { x: 0, y: 0, width, height };

    // The districts under everything, their names where they fit (behind the station labels).
    const districtBoxes: { id: string; box: Box; name: string; x: number; y: number }[] = [];
    if (this.districts && this.districts.features.length > 0) {
      const g = layer.append('g').attr('class', 'districts').attr('aria-hidden', 'true');
      for (const f of this.districtShapes(this.districts, data.projection)) {
        g.append('path').attr('class', 'district').attr('data-code', f.code).attr('d', f.d).attr('fill', '#f1efe6').attr('stroke', '#a39e8f').attr('stroke-width', 0.8);
        const [x, y] = f.centroid;
        if (Number.isFinite(x) && Number.isFinite(y)) districtBoxes.push({ id: f.code, name: f.name, x, y, box: boxBelow(x, y - LABEL_PX / 2, f.name, LABEL_PX - 1) });
      }
    }
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

    // Names: the picked station always, then the busiest of the trace, then the districts, where each fits.
    const radius = (s: MapStation) => Math.max(5, stationRadius(s.exposures, data.maxExposures));
    const byId = new Map(data.stations.map((s) => [s.station.id, s]));
    const busy = busyStations(trace, BUSY_LABELS).filter((id) => byId.has(id));
    const named = [...new Set([...(picked !== undefined && byId.has(picked) ? [picked] : []), ...busy])];
    const circles: Box[] = data.stations.filter(shown).map((s) => ({ x: s.x - radius(s), y: s.y - radius(s), width: 2 * radius(s), height: 2 * radius(s) }));
    const spots = new Map(named.map((id) => [id, spotsAround(radius(byId.get(id)!), [byId.get(id)!.station.name], LABEL_PX)]));
    const placed = placeLabelSpots(
      named.map((id, i) => {
        const s = byId.get(id)!;
        return { id, priority: named.length - i, always: id === picked, spots: spots.get(id)!.map((sp) => boxAt(sp, s.x, s.y)) };
      }),
      { frame, gap: 3 },
    );
    // District names only where they cover no station circle and no station name.
    const stationBoxes = [...placed].map(([id, at]) => boxAt(spots.get(id)![at]!, byId.get(id)!.x, byId.get(id)!.y));
    const districtShown = placeLabels(
      districtBoxes.map((d) => ({ id: d.id, priority: 0, ...d.box })),
      { frame, blocked: [...circles, ...stationBoxes], gap: 3 },
    );
    const districtLabels = layer.append('g').attr('class', 'district-labels').attr('aria-hidden', 'true');
    for (const d of districtBoxes) {
      if (!districtShown.has(d.id)) continue;
      districtLabels
        .append('text')
        .attr('class', 'district-name')
        .attr('x', d.x)
        .attr('y', d.y)
        .attr('text-anchor', 'middle')
        .attr('dominant-baseline', 'middle')
        .attr('font-size', LABEL_PX - 1)
        .attr('fill', '#57534a')
        .text(d.name);
    }
    // District names under the circles: move their group below the stations.
    const districtsNode = layer.select<SVGGElement>('g.districts').node();
    if (districtsNode) districtsNode.after(districtLabels.node()!);
    else layer.node()!.prepend(districtLabels.node()!);

    const top = layer.append('g').attr('class', 'map-top');
    // The picked station's ring above every circle, so a bigger neighbour never hides it.
    const pickedStation = picked !== undefined ? byId.get(picked) : undefined;
    if (pickedStation) {
      top
        .append('circle')
        .attr('class', 'picked-ring')
        .attr('cx', pickedStation.x)
        .attr('cy', pickedStation.y)
        .attr('r', radius(pickedStation) + 4)
        .attr('fill', 'none')
        .attr('stroke', '#000')
        .attr('stroke-width', 3)
        .attr('pointer-events', 'none');
    }
    const labels = top.append('g').attr('class', 'station-labels');
    for (const id of named) {
      const at = placed.get(id);
      if (at === undefined) continue;
      const s = byId.get(id)!;
      const sp = spots.get(id)![at]!;
      labels
        .append('text')
        .attr('class', 'station-name')
        .attr('data-id', id)
        .attr('x', s.x + sp.x)
        .attr('y', s.y + sp.box.y + LABEL_PX)
        .attr('text-anchor', sp.anchor)
        .attr('font-size', LABEL_PX)
        .attr('font-weight', id === picked ? 700 : 600)
        .attr('fill', '#1d2733')
        .attr('stroke', '#fbfbf8')
        .attr('stroke-width', 3)
        .attr('paint-order', 'stroke')
        .attr('pointer-events', 'none')
        .text(s.station.name);
    }
    // The keyboard's focus ring, drawn in the top layer (a circle's own outline sits under later circles).
    const ring = top
      .append('circle')
      .attr('class', 'focus-ring')
      .attr('fill', 'none')
      .attr('stroke', '#0b57d0')
      .attr('stroke-width', 3)
      .attr('stroke-dasharray', '5 3')
      .attr('pointer-events', 'none')
      .attr('visibility', 'hidden');
    exposed
      .on('focus', (_e, s) => {
        ring.attr('cx', s.x).attr('cy', s.y).attr('r', radius(s) + 7).attr('visibility', 'visible');
      })
      .on('blur', () => ring.attr('visibility', 'hidden'));

    const legend = h('div', { class: 'legend' });
    for (const kind of data.kinds) {
      legend.append(h('span', { class: 'key' }, h('span', { class: 'swatch round', style: `background:${kindColor(kind)}` }), t(lang, `kind.${kind}`)));
    }
    legend.append(h('span', { class: 'note' }, t(lang, 'map.sizeNote')));
    this.host.append(legend);
    if (data.unknownStations.length > 0) this.host.append(h('p', { class: 'note' }, t(lang, 'map.unknown', { n: data.unknownStations.length })));
    if (this.districts && this.districts.features.length > 0) this.host.append(h('p', { class: 'note small' }, t(lang, 'map.districtsSource')));
    if (picked !== undefined) this.host.append(this.details(trace, picked, stations, lang, input));
    if (focused) this.host.querySelector<SVGElement>(`circle.station[data-id="${CSS.escape(focused)}"]`)?.focus();
  }

  /** What the map says of the selected station: where it is, how busy it was for this trace, and who passed there. */
  private details(trace: LoadedTrace, stationId: string, stations: readonly Station[], lang: Lang, input: MapInput | undefined): HTMLElement {
    const byId = new Map(stations.map((s) => [s.id, s]));
    const d = stationDetails(trace, stationId, byId, input?.timelines ?? new Map<string, Timeline>());
    const traffic = stationTraffic(trace).get(stationId);
    const st = d.station;
    // The stations carry administrative codes; the district file names the districts (and the city).
    const district = st ? this.districts?.features.find((f) => f.properties.code === st.district) : undefined;
    const districtProps = district?.properties as { name: string; province_name?: string } | undefined;
    const place = districtProps ? [districtProps.name, districtProps.province_name ?? ''].filter((x) => x !== '').join(', ') : st ? [st.commune, st.district, st.province].filter((x) => x !== '').join(', ') : '';
    const box = h('section', { class: 'station-details', 'data-testid': 'station-details', 'data-id': stationId, 'aria-live': 'polite' });
    box.append(
      h('h3', {}, st?.name ?? stationId, st ? h('span', { class: 'note' }, ` · ${t(lang, `kind.${st.kind}`)}`) : null),
      h(
        'dl',
        { class: 'facts' },
        place ? [h('dt', {}, t(lang, 'map.place')), h('dd', {}, place)] : null,
        h('dt', {}, t(lang, 'map.contactsHere')),
        h('dd', { 'data-testid': 'station-contacts' }, String(d.contacts.length)),
        h('dt', {}, t(lang, 'map.peopleHere')),
        h('dd', { 'data-testid': 'station-people' }, String(d.visits.length)),
        traffic ? [h('dt', {}, t(lang, 'map.passagesHere')), h('dd', {}, String(traffic.passages))] : null,
        d.contacts.length > 0
          ? [h('dt', {}, t(lang, 'map.firstLast')), h('dd', {}, `${formatDateTime(d.contacts[0]!.at, lang)} – ${formatDateTime(d.contacts[d.contacts.length - 1]!.at, lang)}`)]
          : null,
      ),
    );
    if (d.visits.length === 0) {
      box.append(h('p', { class: 'note' }, t(lang, 'map.noContactsHere')));
      return box;
    }
    const list = h('ul', { class: 'members' });
    for (const v of d.visits.slice(0, STATION_PEOPLE_SHOWN)) {
      const b = h('button', { type: 'button', class: 'link', 'data-focus': `station-person:${v.person}` }, personLabel(v.person, trace.identities));
      b.addEventListener('click', () => input?.selectPerson(v.person));
      const times = v.passages.map((p) => formatDateTime(p.at, lang)).join(', ');
      list.append(h('li', { 'data-id': v.person }, v.generation >= 0 ? genChip(v.generation) : null, ' ', b, h('span', { class: 'note' }, ` ${times}`)));
    }
    box.append(h('h4', {}, t(lang, 'map.whoPassed')), list);
    if (d.visits.length > STATION_PEOPLE_SHOWN) box.append(h('p', { class: 'note' }, t(lang, 'graph.morePeople', { n: d.visits.length - STATION_PEOPLE_SHOWN })));
    return box;
  }
}
