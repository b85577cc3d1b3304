import { ROLES, type Role } from '../engine/accounts/roles';
import { mayActAt, mayCall } from './authorize';
import { routes } from './routes';
import { STATUS } from './errors';

describe('authorization as a table', () => {
  const table: [keyof typeof routes, Role[]][] = [
    ['tracesCreate', ['tracer']],
    ['approvalsDecide', ['approver']],
    ['isolationSet', ['tracer', 'officer']],
    ['timeline', ['tracer']],
    ['auditList', ['auditor']],
    ['stationPassages', ['officer']],
    ['stationsCreate', ['admin', 'officer']],
    ['accountsUpdate', ['admin']],
    ['importsCreate', ['importer']],
  ];
  it.each(table)('%s is open to exactly %j', (id, allowed) => {
    for (const role of ROLES) expect([role, mayCall(routes[id], role)]).toEqual([role, allowed.includes(role)]);
    expect(mayCall(routes[id], undefined)).toBe(false);
  });

  it('opens public routes to anyone, even without a role', () => {
    expect(mayCall(routes.health, undefined)).toBe(true);
    expect(mayCall(routes.token, undefined)).toBe(true);
  });

  it('limits scoped routes to places inside the jurisdiction, and no others', () => {
    const place = { province: '79', district: '760', commune: '26734' };
    expect(mayActAt(routes.stationPassages, { province: '79' }, place)).toBe(true);
    expect(mayActAt(routes.stationPassages, { province: '01' }, place)).toBe(false);
    expect(mayActAt(routes.stationPassages, undefined, place)).toBe(true);
    expect(mayActAt(routes.auditList, { province: '01' }, place)).toBe(true);
    expect(mayActAt(routes.tracesCreate, { province: '01' }, place)).toBe(false);
  });

  it('maps every engine error code to its HTTP status', () => {
    expect(STATUS).toEqual({ validation: 400, invalid_input: 422, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, unavailable: 503 });
  });
});
