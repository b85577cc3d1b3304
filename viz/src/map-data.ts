import { geoEquirectangular } from 'd3';
import type { Hotspot, LoadedTrace, Station } from './types';

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
  readonly maxExposures: number;
  /** Contact stations the station list does not hold (another jurisdiction, or not loaded). */
  readonly unknownStations: readonly string[];
  readonly kinds: readonly string[];
}

export function stationExposures(trace: Pick<LoadedTrace, 'contacts'>): Map<string, { exposures: number; people: Set<string> }> {
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
  return { stations: out, maxExposures, unknownStations: [...exp.keys()].filter((id) => !known.has(id)).sort(), kinds };
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
