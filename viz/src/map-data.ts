import { geoEquirectangular, type GeoProjection } from 'd3';
import type { Hotspot, LoadedTrace, Station, Timeline, TraceContact } from './types';

/**
 * The station map's data: each station with how many contacts of the trace happened there and
 * how many distinct people were reached there, projected with a plain equirectangular projection
 * fitted to the stations (no tiles, no network). Pure (no DOM).
 */

export interface MapStation {
  readonly station: Station;
  readonly x: number;
  readonly y: number;
  /** Contacts of the trace at this station. */
  readonly exposures: number;
  /** Distinct people reached at this station. */
  readonly people: number;
}

export interface MapData {
  readonly stations: readonly MapStation[];
  /** The projection the stations were placed with (the district outlines are drawn with it too). */
  readonly projection: GeoProjection;
  readonly maxExposures: number;
  /** Contact stations the station list does not hold (another jurisdiction, or not loaded). */
  readonly unknownStations: readonly string[];
  readonly kinds: readonly string[];
}

/** Per result (its contacts array, never changed in place): the map is drawn again on every change of the page. */
const exposuresCache = new WeakMap<object, Map<string, { exposures: number; people: Set<string> }>>();
const trafficCache = new WeakMap<object, Map<string, { passages: number; people: number; contacts: number }>>();

export function stationExposures(trace: Pick<LoadedTrace, 'contacts'>): Map<string, { exposures: number; people: Set<string> }> {
  const known = exposuresCache.get(trace.contacts);
  if (known) return known;
  const out = computeExposures(trace);
  exposuresCache.set(trace.contacts, out);
  return out;
}

function computeExposures(trace: Pick<LoadedTrace, 'contacts'>): Map<string, { exposures: number; people: Set<string> }> {
  const out = new Map<string, { exposures: number; people: Set<string> }>();
  for (const c of trace.contacts) {
    let e = out.get(c.stationId);
    if (!e) {
      e = { exposures: 0, people: new Set() };
      out.set(c.stationId, e);
    }
    e.exposures++;
    e.people.add(c.target);
  }
  return out;
}

/**
 * Stations to draw: those with exposures, plus the others as faint context (`context: false`
 * draws only the exposed ones), framed on the exposed ones (context may fall outside the box).
 * Sorted so the biggest circles are drawn first, small ones on top.
 */
export function mapData(trace: Pick<LoadedTrace, 'contacts'>, stations: readonly Station[], size: { width: number; height: number }, context = true): MapData {
  const exp = stationExposures(trace);
  const known = new Set(stations.map((s) => s.id));
  const shown = stations.filter((s) => context || exp.has(s.id)).filter((s) => Number.isFinite(s.lat) && Number.isFinite(s.lon));
  const pad = 24;
  const projection = geoEquirectangular();
  // Frame the places of the trace (the "where"); the other stations stay as context around them.
  const framed = shown.some((s) => exp.has(s.id)) ? shown.filter((s) => exp.has(s.id)) : shown;
  if (framed.length > 0) {
    const coordinates = framed.map((s) => [s.lon, s.lat]);
    const lons = framed.map((s) => s.lon);
    const lats = framed.map((s) => s.lat);
    // One place (or all at one spot) has no extent to fit: frame about a kilometre around it.
    if (Math.max(...lons) - Math.min(...lons) < 1e-6 && Math.max(...lats) - Math.min(...lats) < 1e-6) {
      const [lon, lat] = [lons[0] as number, lats[0] as number];
      coordinates.push([lon - 0.01, lat - 0.01], [lon + 0.01, lat + 0.01]);
    }
    projection.fitExtent(
      [
        [pad, pad],
        [Math.max(pad + 1, size.width - pad), Math.max(pad + 1, size.height - pad)],
      ],
      { type: 'MultiPoint', coordinates },
    );
  }
  let maxExposures = 0;
  const out: MapStation[] = shown.map((s) => {
    const [x, y] = projection([s.lon, s.lat]) ?? [0, 0];
    const e = exp.get(s.id);
    maxExposures = Math.max(maxExposures, e?.exposures ?? 0);
    return { station: s, x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10, exposures: e?.exposures ?? 0, people: e?.people.size ?? 0 };
  });
  out.sort((a, b) => b.exposures - a.exposures || a.station.id.localeCompare(b.station.id));
  const kinds = [...new Set(out.filter((s) => s.exposures > 0).map((s) => s.station.kind))].sort();
  return { stations: out, projection, maxExposures, unknownStations: [...exp.keys()].filter((id) => !known.has(id)).sort(), kinds };
}

/** The district outlines the view loads (viz/static/data/hcmc-districts-2021.geojson): a GeoJSON FeatureCollection. */
export interface DistrictFeature {
  readonly type: 'Feature';
  readonly id?: string | number;
  readonly properties: { readonly code: string; readonly name: string; readonly type?: string };
  readonly geometry: { readonly type: 'Polygon' | 'MultiPolygon'; readonly coordinates: unknown };
}
export interface Districts {
  readonly type: 'FeatureCollection';
  readonly features: readonly DistrictFeature[];
}

/** The file's features that have a code and a name (anything else in the file is left out). */
export function readDistricts(json: unknown): Districts {
  const features = (json as { features?: unknown[] } | null)?.features;
  if (!Array.isArray(features)) return { type: 'FeatureCollection', features: [] };
  const ok = features.filter((f): f is DistrictFeature => {
    const x = f as Partial<DistrictFeature> | null;
    return x?.type === 'Feature' && typeof x.properties?.code === 'string' && typeof x.properties.name === 'string' && (x.geometry?.type === 'Polygon' || x.geometry?.type === 'MultiPolygon');
  });
  return { type: 'FeatureCollection', features: ok };
}

/**
 * The passages of the trace's people at each station, as its contacts name them (both sides of
 * each contact), and the people: how busy a place was for this trace.
 */
export function stationTraffic(trace: Pick<LoadedTrace, 'contacts'>): Map<string, { passages: number; people: number; contacts: number }> {
  const known = trafficCache.get(trace.contacts);
  if (known) return known;
  const out = computeTraffic(trace);
  trafficCache.set(trace.contacts, out);
  return out;
}

function computeTraffic(trace: Pick<LoadedTrace, 'contacts'>): Map<string, { passages: number; people: number; contacts: number }> {
  const acc = new Map<string, { passages: Set<string>; people: Set<string>; contacts: number }>();
  for (const c of trace.contacts) {
    let e = acc.get(c.stationId);
    if (!e) acc.set(c.stationId, (e = { passages: new Set(), people: new Set(), contacts: 0 }));
    e.passages.add(c.passages[0]);
    e.passages.add(c.passages[1]);
    e.people.add(c.source);
    e.people.add(c.target);
    e.contacts++;
  }
  return new Map([...acc].map(([id, e]) => [id, { passages: e.passages.size, people: e.people.size, contacts: e.contacts }]));
}

/** The `n` stations with the most passages of the trace's people (then contacts, then id): the ones labelled. */
export function busyStations(trace: Pick<LoadedTrace, 'contacts'>, n: number): string[] {
  return [...stationTraffic(trace)]
    .sort(([a, x], [b, y]) => y.passages - x.passages || y.contacts - x.contacts || a.localeCompare(b))
    .slice(0, n)
    .map(([id]) => id);
}

export interface StationVisit {
  readonly person: string;
  readonly generation: number;
  /** Their passages there in the trace's contacts: the timeline's times when loaded, else the contact time. */
  readonly passages: readonly { readonly id: string; readonly at: string; readonly leftAt: string | undefined }[];
}

export interface StationDetails {
  readonly station: Station | undefined;
  readonly stationId: string;
  /** The trace's people who passed there (F0 first, then by generation and first time). */
  readonly visits: readonly StationVisit[];
  /** The contacts at it, earliest first. */
  readonly contacts: readonly TraceContact[];
}

/** What the map shows of a selected station. */
export function stationDetails(
  trace: Pick<LoadedTrace, 'f0' | 'people' | 'contacts'>,
  stationId: string,
  stations: ReadonlyMap<string, Station>,
  timelines: ReadonlyMap<string, Timeline>,
): StationDetails {
  const contacts = trace.contacts.filter((c) => c.stationId === stationId).sort((a, b) => a.at.localeCompare(b.at) || a.source.localeCompare(b.source));
  const generation = new Map(trace.people.map((p) => [p.id, p.generation]));
  generation.set(trace.f0, 0);
  type Seen = { id: string; at: string; leftAt: string | undefined };
  const seen = new Map<string, Map<string, Seen>>();
  const add = (person: string, passage: string, contactAt: string) => {
    let list = seen.get(person);
    if (!list) seen.set(person, (list = new Map<string, Seen>()));
    if (list.has(passage)) return;
    const p = timelines.get(person)?.passages.find((x) => x.id === passage);
    list.set(passage, p ? { id: passage, at: p.at, leftAt: p.leftAt } : { id: passage, at: contactAt, leftAt: undefined });
  };
  for (const c of contacts) {
    add(c.source, c.passages[0], c.at);
    add(c.target, c.passages[1], c.at);
  }
  const visits = [...seen].map(([person, list]) => ({
    person,
    generation: generation.get(person) ?? -1,
    passages: [...list.values()].sort((a, b) => a.at.localeCompare(b.at)),
  }));
  visits.sort((a, b) => a.generation - b.generation || (a.passages[0]?.at ?? '').localeCompare(b.passages[0]?.at ?? '') || a.person.localeCompare(b.person));
  return { station: stations.get(stationId), stationId, visits, contacts };
}

/** Circle radius by exposures (area proportional); stations without exposures are small dots. */
export function stationRadius(exposures: number, maxExposures: number): number {
  if (exposures <= 0) return 2;
  return 4 + 14 * Math.sqrt(exposures / Math.max(1, maxExposures));
}

/** Hotspot rows (cells or runs of cells) with the station names the list knows; ranks from 1. */
export function hotspotRows<H extends Hotspot>(hotspots: readonly H[], stations: ReadonlyMap<string, Station>): { rank: number; hotspot: H; stationName: string }[] {
  return hotspots.map((h, i) => ({ rank: i + 1, hotspot: h, stationName: h.stationName || (stations.get(h.stationId)?.name ?? h.stationId) }));
}
