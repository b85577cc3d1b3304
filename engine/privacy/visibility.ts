import type { Role } from '../accounts/roles';
import { rawKeys, readIdentities } from '../db/people';
import { maskBirthDate, maskName, maskPhone, maskRawKey } from './masking';

/**
 * Who may see what (docs/api.md, "Privacy"):
 * - a tracer sees raw keys, names, birth dates and phones only for the people of a trace that
 *   tracer opened (its F0 and the people it found), and only through that trace;
 * - admins and auditors see a stored trace's metadata (who, when, request, counts), not its people;
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
}

export interface MaskedIdentity {
  readonly rawKey: string;
  readonly registered: boolean;
  readonly name?: string;
  readonly birthYear?: string;
  readonly phone?: string;
}

/** Full identities of these pseudonymous ids, for the tracer who owns the trace naming them. */
export async function fullIdentities(pids: readonly string[]): Promise<Record<string, FullIdentity>> {
  const [ids, keys] = await Promise.all([readIdentities(pids), rawKeys(pids)]);
  const out: Record<string, FullIdentity> = {};
  for (const pid of pids) {
    const reg = ids.get(pid);
    const raw = reg?.personId ?? keys.get(pid);
    if (raw === undefined) continue;
    out[pid] = reg
      ? { rawKey: raw, registered: true, fullName: reg.fullName, birthDate: reg.birthDate, sex: reg.sex, phone: reg.phone }
      : { rawKey: raw, registered: false };
  }
  return out;
}

/** Masked identities: initials, birth year, last digits. */
export async function maskedIdentities(pids: readonly string[]): Promise<Record<string, MaskedIdentity>> {
  const [ids, keys] = await Promise.all([readIdentities(pids), rawKeys(pids)]);
  const out: Record<string, MaskedIdentity> = {};
  for (const pid of pids) {
    const reg = ids.get(pid);
    const raw = reg?.personId ?? keys.get(pid);
    if (raw === undefined) continue;
    out[pid] = reg
      ? { rawKey: maskRawKey(raw), registered: true, name: maskName(reg.fullName), birthYear: maskBirthDate(reg.birthDate), phone: maskPhone(reg.phone) }
      : { rawKey: maskRawKey(raw), registered: false };
  }
  return out;
}
