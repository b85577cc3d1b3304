import type { Role } from '../engine/accounts/roles';
import { isInside, type Located } from '../engine/privacy/jurisdiction';
import type { Jurisdiction } from '../engine/types';
import type { RouteDef } from './routes';

/**
 * Authorization as pure functions, tested by a table (api/authorize.test.ts) and end to end by
 * the route × role × jurisdiction matrix (tests/api/matrix.api.test.ts).
 */

/** May this role call this route at all? Public routes: anyone. */
export function mayCall(route: Pick<RouteDef, 'access'>, role: Role | undefined): boolean {
  if (route.access === 'public') return true;
  return role !== undefined && route.access.includes(role);
}

/** May a caller with this jurisdiction act on this place? (Scoped routes only; unscoped callers everywhere.) */
export function mayActAt(route: Pick<RouteDef, 'scoped'>, jurisdiction: Jurisdiction | undefined, place: Located): boolean {
  return !route.scoped || isInside(place, jurisdiction);
}
