import type { Jurisdiction } from '../types';

/**
 * The roles (DESIGN.md, "who uses truyvet"), and `approver`: the Ministry official who signs a
 * tracer's request (a trace or a venue exposure) before it runs, when requests need approval
 * (TRUYVET_TRACE_APPROVAL=required).
 * What each may do is declared per route in api/routes.ts; this file only names them and says
 * which need a jurisdiction.
 */
export const ROLES = ['admin', 'tracer', 'officer', 'importer', 'auditor', 'approver'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

/** Checkpoint officers always work inside a province, district or commune. */
export function needsJurisdiction(role: Role): boolean {
  return role === 'officer';
}

/** An administrative code: digits, as in the 2021 and 2025 unit lists (province 2, district 3, commune 5). */
export const UNIT_CODE_RE = /^[0-9]{1,6}$/;

/**
 * Checks a jurisdiction path: each code is a unit code, and a district needs a province (the
 * 2025 two-level system has province › commune, so a commune without a district is fine).
 * Returns the problem or undefined.
 */
export function jurisdictionProblem(j: Jurisdiction): string | undefined {
  for (const [k, v] of Object.entries(j)) {
    if (v !== undefined && !UNIT_CODE_RE.test(v as string)) return `${k} '${String(v)}' is not an administrative code`;
  }
  return undefined;
}

/** `79`, `79/760`, `79/760/26734`, or `79//26734` for the 2025 province › commune path. */
export function formatJurisdiction(j: Jurisdiction | undefined): string {
  if (j === undefined) return '*';
  if (j.commune !== undefined) return `${j.province}/${j.district ?? ''}/${j.commune}`;
  return j.district !== undefined ? `${j.province}/${j.district}` : j.province;
}

/** Reads the format of formatJurisdiction back; `*` or empty is no jurisdiction (the whole country). */
export function parseJurisdiction(text: string): Jurisdiction | undefined {
  const t = text.trim();
  if (t === '' || t === '*') return undefined;
  const [province, district, commune, ...rest] = t.split('/');
  if (province === undefined || province === '' || rest.length > 0) throw new Error(`'${text}' is not a jurisdiction (province[/district[/commune]])`);
  const j: { province: string; district?: string; commune?: string } = { province };
  if (district !== undefined && district !== '') j.district = district;
  if (commune !== undefined && commune !== '') j.commune = commune;
  const problem = jurisdictionProblem(j);
  if (problem !== undefined) throw new Error(problem);
  return j;
}
