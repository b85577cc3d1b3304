import type { Jurisdiction } from './types';

/**
 * Jurisdiction scoping: a scope is any prefix of province › district › commune (2021) or
 * province › commune (2025, `district` absent). Undefined scope = the whole country. Pure
 * functions with no other import, so storage (engine/db) and the rules of who may see what
 * (engine/privacy) both build on them; the same scope also goes into the Cypher as parameters
 * (scopeParams: engine/db/scoped-passages.ts, engine/db/stations.ts), so the database filters,
 * not only this code.
 */

export interface Located {
  readonly province: string;
  /** Empty when the unit has no district. */
  readonly district: string;
  readonly commune: string;
}

export function isInside(place: Located, scope: Jurisdiction | undefined): boolean {
  if (scope === undefined) return true;
  if (place.province !== scope.province) return false;
  if (scope.district !== undefined && place.district !== scope.district) return false;
  if (scope.commune !== undefined && place.commune !== scope.commune) return false;
  return true;
}

/** True when every place inside `inner` is inside `outer`. */
export function contains(outer: Jurisdiction | undefined, inner: Jurisdiction | undefined): boolean {
  if (outer === undefined) return true;
  if (inner === undefined) return false;
  if (inner.province !== outer.province) return false;
  if (outer.district !== undefined && inner.district !== outer.district) return false;
  if (outer.commune !== undefined && inner.commune !== outer.commune) return false;
  return true;
}

/**
 * The narrower of an account's scope and a filter the caller asked for: the filter narrows the
 * scope where it agrees with it; `'empty'` when the two cannot overlap (nothing to show).
 */
export function narrowScope(
  scope: Jurisdiction | undefined,
  filter: { readonly province?: string | undefined; readonly district?: string | undefined; readonly commune?: string | undefined },
): Jurisdiction | undefined | 'empty' {
  const pick = (a: string | undefined, b: string | undefined): string | undefined | null => {
    if (a === undefined) return b;
    if (b === undefined) return a;
    return a === b ? a : null;
  };
  const province = pick(scope?.province, filter.province);
  const district = pick(scope?.district, filter.district);
  const commune = pick(scope?.commune, filter.commune);
  if (province === null || district === null || commune === null) return 'empty';
  // A filter names a district or commune only with its province (the API's schema says so).
  if (province === undefined) return district === undefined && commune === undefined ? undefined : 'empty';
  const out: { province: string; district?: string; commune?: string } = { province };
  if (district !== undefined) out.district = district;
  if (commune !== undefined) out.commune = commune;
  return out;
}

/** The scope as Cypher parameters (null = no condition). */
export function scopeParams(scope: Jurisdiction | undefined): { province: string | null; district: string | null; commune: string | null } {
  return { province: scope?.province ?? null, district: scope?.district ?? null, commune: scope?.commune ?? null };
}

/** A jurisdiction from parsed input whose optional codes may be `undefined`. */
export function jurisdictionOf(j: { province: string; district?: string | undefined; commune?: string | undefined }): Jurisdiction {
  const out: { province: string; district?: string; commune?: string } = { province: j.province };
  if (j.district !== undefined && j.district !== '') out.district = j.district;
  if (j.commune !== undefined && j.commune !== '') out.commune = j.commune;
  return out;
}
