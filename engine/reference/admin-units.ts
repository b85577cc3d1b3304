import fs from 'node:fs';
import path from 'node:path';

/**
 * Vietnam's administrative unit codes (data/NOTICE.md says where they come from), for the
 * address checks of the unified form and of account jurisdictions, province names and the CCCD
 * province prefix. engine/reference holds pure reference data that several engine folders
 * (declarations, qr, accounts, privacy) share, so none of them imports another for it. Both shapes are valid input:
 * province › district › commune as in 2021, and province › commune since the 2025 reform.
 * Read once, lazily, from the JSON beside this file (a 200 kB table would slow the type checker
 * down if imported as a module).
 */

interface Provinces {
  readonly provinces2021: Readonly<Record<string, string>>;
  readonly provinces2025: Readonly<Record<string, string>>;
}
interface Units {
  readonly districts2021: Readonly<Record<string, string>>;
  readonly communes2021: Readonly<Record<string, string>>;
  readonly communes2025: Readonly<Record<string, string>>;
}

interface UnitNames {
  readonly districts2021: Readonly<Record<string, string>>;
  readonly communes2021: Readonly<Record<string, string>>;
  readonly communes2025: Readonly<Record<string, string>>;
}

let provinces: Provinces | undefined;
let units: Units | undefined;
let names: UnitNames | undefined;

function readData<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'data', file), 'utf8')) as T;
}

function provinceData(): Provinces {
  provinces ??= readData<Provinces>('provinces.json');
  return provinces;
}

function unitData(): Units {
  units ??= readData<Units>('admin-units.json');
  return units;
}

/** The 2-digit code of a 2021 province (the 63 provinces). */
export function isProvince2021(code: string): boolean {
  return Object.hasOwn(provinceData().provinces2021, code);
}

/** The 2-digit code of a province of the 2025 two-level system (34 provinces, codes reused from 2021). */
export function isProvince2025(code: string): boolean {
  return Object.hasOwn(provinceData().provinces2025, code);
}

export function provinceName(code: string): string | undefined {
  const p = provinceData();
  return p.provinces2021[code] ?? p.provinces2025[code];
}

/** A 2021 district's name with its type ("Quận 5", "Huyện Củ Chi"); read only when first asked for. */
export function districtName(code: string): string | undefined {
  names ??= readData<UnitNames>('unit-names.json');
  return names.districts2021[code];
}

/** A commune's (ward's) name with its type: 2021 codes first, then the 2025 system's. */
export function communeName(code: string): string | undefined {
  names ??= readData<UnitNames>('unit-names.json');
  return names.communes2021[code] ?? names.communes2025[code];
}

/** True when `prefix` (3 digits) is the CCCD prefix of a province: `0` + its 2021 code. */
export function isCccdProvincePrefix(prefix: string): boolean {
  return /^0\d{2}$/.test(prefix) && isProvince2021(prefix.slice(1));
}

export interface AddressCodes {
  readonly province: string;
  readonly district?: string | undefined;
  readonly commune?: string | undefined;
}

export type AddressProblem =
  | { readonly field: 'province' | 'district' | 'commune'; readonly key: 'unknown_unit'; readonly code: string }
  | { readonly field: 'district' | 'commune'; readonly key: 'unit_outside_parent'; readonly code: string; readonly parent: string };

/**
 * Checks that the codes name real units and that each lies inside its parent. With a district
 * the 2021 table is used; without one, the 2025 table (a commune directly under its province).
 * A 2021 commune given without its district is also accepted when it lies in that province,
 * because old records often skipped the district.
 */
export function checkAddressCodes(a: AddressCodes): AddressProblem[] {
  const u = unitData();
  if (!isProvince2021(a.province) && !isProvince2025(a.province)) return [{ field: 'province', key: 'unknown_unit', code: a.province }];
  const out: AddressProblem[] = [];
  if (a.district !== undefined) {
    const parent = u.districts2021[a.district];
    if (parent === undefined) return [{ field: 'district', key: 'unknown_unit', code: a.district }];
    if (parent !== a.province) return [{ field: 'district', key: 'unit_outside_parent', code: a.district, parent: a.province }];
    if (a.commune !== undefined) {
      const cp = u.communes2021[a.commune];
      if (cp === undefined) out.push({ field: 'commune', key: 'unknown_unit', code: a.commune });
      else if (cp !== a.district) out.push({ field: 'commune', key: 'unit_outside_parent', code: a.commune, parent: a.district });
    }
    return out;
  }
  if (a.commune !== undefined) {
    const p2025 = u.communes2025[a.commune];
    const d2021 = u.communes2021[a.commune];
    const p2021 = d2021 === undefined ? undefined : u.districts2021[d2021];
    if (p2025 === undefined && p2021 === undefined) out.push({ field: 'commune', key: 'unknown_unit', code: a.commune });
    else if (p2025 !== a.province && p2021 !== a.province) out.push({ field: 'commune', key: 'unit_outside_parent', code: a.commune, parent: a.province });
  }
  return out;
}
