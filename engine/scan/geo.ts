/**
 * Could one person have been scanned at both places? Great-circle distance over elapsed time,
 * against a speed nobody exceeds on Vietnam's roads (default 120 km/h, TRUYVET_SCAN_MAX_SPEED_KMH).
 * Two stations closer than `minKm` never count: GPS positions of neighbouring checkpoints are
 * rough, and a scan repeated at the same place is not a copy.
 */

const EARTH_RADIUS_KM = 6371.0088;

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface TravelCheck {
  readonly impossible: boolean;
  readonly km: number;
  /** Speed needed, km/h (Infinity for two places at the same instant). */
  readonly kmh: number;
}

export function travelCheck(a: GeoPoint & { at: number }, b: GeoPoint & { at: number }, maxKmh: number, minKm = 1): TravelCheck {
  const km = haversineKm(a, b);
  const hours = Math.abs(b.at - a.at) / 3_600_000;
  const kmh = hours === 0 ? (km === 0 ? 0 : Infinity) : km / hours;
  return { impossible: km > minKm && kmh > maxKmh, km, kmh };
}

