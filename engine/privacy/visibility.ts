import type { Role } from '../accounts/roles';
import { communeName, districtName, provinceName } from '../reference/admin-units';
import { rawKeys, readPeopleInScope, readRegistry } from '../db/people';
import type { Jurisdiction } from '../types';
import { maskBirthDate, maskName, maskPhone, maskRawKey } from './masking';

/**
 * Who may see what (README, "Privacy and lawful access"; docs/api.md, "Privacy"):
 * - a tracer sees raw keys, names, birth dates and phones only for the people of a trace that
 *   tracer opened (its F0 and the people it found), only through that trace, and only for people
 *   whose registry home lies inside the tracer's jurisdiction (everyone, for a national tracer);
 *   of the others the tracer sees the pseudonym, the evidence and the home's province and
 *   district, to hand them to that authority;
 * - admins and auditors see a stored trace's metadata (who, when, request, counts), not its
 *   people, not even F0's pseudonym;
 * - approvers see a pending request's metadata, never the people;
 * - everyone else who meets a person (an officer reading a station's passages) sees the
 *   pseudonymous id and masked values;
 * - no role sees personal data of a person outside those rules.
 */

export interface Viewer {
  readonly username: string;
  readonly role: Role;
}

export type TraceAccess = 'owner' | 'metadata' | 'none';

export function traceAccess(viewer: Viewer, owner: string): TraceAccess {
  if (viewer.role === 'tracer' && viewer.username === owner) return 'owner';
  if (viewer.role === 'admin' || viewer.role === 'auditor') return 'metadata';
  return 'none';
}

export interface FullIdentity {
  /** The key as in the source files (a national id in the demo city). */
  readonly rawKey: string;
  readonly registered: boolean;
  readonly fullName?: string;
  readonly birthDate?: string;
  readonly sex?: string;
  readonly phone?: string;
  /** The registry home, with names, for the commune that calls them (the view's lists and exports). */
  readonly home?: IdentityHome;
}

export interface IdentityHome {
  readonly province: string;
  readonly provinceName?: string;
  /** Absent in the 2025 two-level system. */
  readonly district?: string;
  readonly districtName?: string;
  readonly commune?: string;
  readonly communeName?: string;
}

/** A registry home's codes with the names the reference data has for them (absent ones left out). */
export function namedHome(r: { province: string; district: string; commune: string }): IdentityHome {
  const pn = provinceName(r.province);
  const dn = r.district === '' ? undefined : districtName(r.district);
  const cn = r.commune === '' ? undefined : communeName(r.commune);
  return {
    province: r.province,
    ...(pn !== undefined ? { provinceName: pn } : {}),
    ...(r.district !== '' ? { district: r.district } : {}),
    ...(dn !== undefined ? { districtName: dn } : {}),
    ...(r.commune !== '' ? { commune: r.commune } : {}),
    ...(cn !== undefined ? { communeName: cn } : {}),
  };
}

export interface MaskedIdentity {
  readonly rawKey: string;
  readonly registered: boolean;
  readonly name?: string;
  readonly birthYear?: string;
  readonly phone?: string;
}

/** Where a person outside the caller's jurisdiction lives: the authority to hand them to. */
export interface Home {
  /** False: not in the population registry, so no known home. */
  readonly registered: boolean;
  readonly province?: string;
  readonly provinceName?: string;
  /** Absent for a home in the 2025 two-level system (no districts). */
  readonly district?: string;
  readonly districtName?: string;
}

export interface ScopedIdentities {
  /** People whose home lies inside the scope (everyone, for no scope), in full. */
  readonly identities: Record<string, FullIdentity>;
  /** Everyone else: no identity, only their home. */
  readonly outside: Record<string, Home>;
  /**
   * People inside whose sealed registry record could not be opened (another TRUYVET_DATA_KEY, or
   * damaged): in neither map, so shown by pseudonym only. Absent when there are none.
   */
  readonly unreadable?: number;
}

/**
 * Identities of these pseudonymous ids for the tracer who owns the trace naming them, with the
 * tracer's jurisdiction: the query itself (db/people.ts readPeopleInScope) leaves out the records
 * of people living outside it.
 */
export async function fullIdentities(pids: readonly string[], scope: Jurisdiction | undefined): Promise<ScopedIdentities> {
  const people = await readPeopleInScope(pids, scope);
  const identities: Record<string, FullIdentity> = {};
  const outside: Record<string, Home> = {};
  let unreadable = 0;
  for (const pid of pids) {
    const p = people.get(pid);
    if (p === undefined) continue;
    if (p.inside && p.unreadable) {
      unreadable++;
      continue;
    }
    if (!p.inside) {
      const name = p.province === undefined ? undefined : provinceName(p.province);
      const dn = p.district === undefined ? undefined : districtName(p.district);
      outside[pid] = {
        registered: p.registered,
        ...(p.province !== undefined ? { province: p.province } : {}),
        ...(name !== undefined ? { provinceName: name } : {}),
        ...(p.district !== undefined ? { district: p.district } : {}),
        ...(dn !== undefined ? { districtName: dn } : {}),
      };
      continue;
    }
    const reg = p.identity;
    const raw = reg?.personId ?? p.rawKey;
    if (raw === undefined) continue;
    identities[pid] = reg
      ? { rawKey: raw, registered: true, fullName: reg.fullName, birthDate: reg.birthDate, sex: reg.sex, phone: reg.phone, ...(reg.province ? { home: namedHome(reg) } : {}) }
      : { rawKey: raw, registered: false };
  }
  return { identities, outside, ...(unreadable > 0 ? { unreadable } : {}) };
}

/** Masked identities: initials, birth year, last digits; none for a person whose sealed record cannot be opened. */
export async function maskedIdentities(pids: readonly string[]): Promise<Record<string, MaskedIdentity>> {
  const [{ identities: ids, unreadable }, keys] = await Promise.all([readRegistry(pids), rawKeys(pids)]);
  const out: Record<string, MaskedIdentity> = {};
  for (const pid of pids) {
    // A registered person whose record cannot be opened: the pseudonym only, not "unregistered".
    if (unreadable.has(pid)) continue;
    const reg = ids.get(pid);
    const raw = reg?.personId ?? keys.get(pid);
    if (raw === undefined) continue;
    out[pid] = reg
      ? { rawKey: maskRawKey(raw), registered: true, name: maskName(reg.fullName), birthYear: maskBirthDate(reg.birthDate), phone: maskPhone(reg.phone) }
      : { rawKey: maskRawKey(raw), registered: false };
  }
  return out;
}
