import { checkAddressCodes, type AddressProblem } from '../reference/admin-units';

/**
 * Whether the codes of a jurisdiction (an account's, a station's, an identity provider's claim)
 * name real administrative units: the 2021 set (province › district › commune, each inside its
 * parent) or the 2025 set (province › commune). The tables are the MIT-licensed ones the unified
 * form already checks addresses with (engine/reference/data/NOTICE.md). A format check alone let
 * `{"province":"7"}` through: an officer scoped to a unit that does not exist sees nothing and
 * nobody notices.
 */

export interface UnitCodes {
  readonly province: string;
  readonly district?: string | undefined;
  readonly commune?: string | undefined;
}

export interface UnitProblem {
  readonly field: 'province' | 'district' | 'commune';
  readonly reason: string;
}

const LISTS: Readonly<Record<UnitProblem['field'], string>> = {
  province: 'the 2021 or 2025 province list',
  district: 'the 2021 district list',
  commune: 'the 2021 or 2025 commune list',
};

function reason(p: AddressProblem, withDistrict: boolean): string {
  if (p.key === 'unknown_unit') return `'${p.code}' is not a ${p.field} code of ${LISTS[p.field]}`;
  return `${p.field} '${p.code}' does not lie in ${p.field === 'commune' && withDistrict ? 'district' : 'province'} '${p.parent}'`;
}

/** The problems of a jurisdiction's codes, each naming its field; empty when they are real units. */
export function unitProblems(j: UnitCodes): UnitProblem[] {
  const codes = { province: j.province, ...(j.district ? { district: j.district } : {}), ...(j.commune ? { commune: j.commune } : {}) };
  return checkAddressCodes(codes).map((p) => ({ field: p.field, reason: reason(p, j.district !== undefined && j.district !== '') }));
}

