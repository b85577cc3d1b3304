import { isCccdProvincePrefix } from './admin-units';

/**
 * Identity document numbers of the unified form.
 * - CCCD (căn cước công dân, Thông tư 07/2016/TT-BCA): 12 digits. Digits 1–3: the province of
 *   birth registration (a real province code, 3-digit form: 001 Hà Nội, 079 Hồ Chí Minh).
 *   Digit 4: century and sex — 0/1 = male/female born 1900–1999, 2/3 = 2000–2099, 4/5 = 2100s,
 *   6/7 = 2200s, 8/9 = 2300s. Digits 5–6: the last two digits of the birth year.
 * - CMND (the older identity card): 9 digits.
 * - Passport (Vietnamese): one letter and 7 digits.
 */

export const DOCUMENT_TYPES = ['CCCD', 'CMND', 'PASSPORT'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export type Sex = 'male' | 'female' | 'other';

export type DocumentProblem =
  | { readonly key: 'cccd_format' | 'cmnd_format' | 'passport_format' }
  | { readonly key: 'cccd_province'; readonly prefix: string }
  | { readonly key: 'cccd_century'; readonly digit: string; readonly year: number }
  | { readonly key: 'cccd_year'; readonly digits: string; readonly year: number }
  | { readonly key: 'cccd_sex'; readonly digit: string; readonly sex: Sex };

/** Spaces, dots and dashes people type inside numbers are dropped; passports are upper-cased. */
export function normalizeDocumentNumber(type: DocumentType, raw: string): string {
  const compact = raw.normalize('NFC').replace(/[\s.-]+/g, '');
  return type === 'PASSPORT' ? compact.toUpperCase() : compact;
}

/** Format checks that need nothing but the number. */
export function checkDocumentFormat(type: DocumentType, num: string): DocumentProblem[] {
  switch (type) {
    case 'CCCD':
      if (!/^\d{12}$/.test(num)) return [{ key: 'cccd_format' }];
      return isCccdProvincePrefix(num.slice(0, 3)) ? [] : [{ key: 'cccd_province', prefix: num.slice(0, 3) }];
    case 'CMND':
      return /^\d{9}$/.test(num) ? [] : [{ key: 'cmnd_format' }];
    case 'PASSPORT':
      return /^[A-Z]\d{7}$/.test(num) ? [] : [{ key: 'passport_format' }];
  }
}

/** The 4th CCCD digit for a birth year and sex; undefined outside 1900–2399. Sex `other` → the male digit's century pair. */
export function cccdCenturyDigit(year: number, sex: Sex): number | undefined {
  const century = Math.floor(year / 100) - 19;
  if (!Number.isInteger(century) || century < 0 || century > 4) return undefined;
  return century * 2 + (sex === 'female' ? 1 : 0);
}

/**
 * Consistency of a well-formed CCCD with the declared birth year and sex. `other` (and an
 * unknown sex) checks the century only: the card has no third value.
 */
export function checkCccdConsistency(num: string, birthYear: number, sex: Sex): DocumentProblem[] {
  const out: DocumentProblem[] = [];
  const digit = num.charAt(3);
  const d = Number(digit);
  const expected = cccdCenturyDigit(birthYear, 'male');
  if (expected === undefined || Math.floor(d / 2) !== expected / 2) {
    out.push({ key: 'cccd_century', digit, year: birthYear });
  } else if (sex !== 'other' && d % 2 !== (sex === 'female' ? 1 : 0)) {
    out.push({ key: 'cccd_sex', digit, sex });
  }
  const yy = num.slice(4, 6);
  if (yy !== String(birthYear % 100).padStart(2, '0')) out.push({ key: 'cccd_year', digits: yy, year: birthYear });
  return out;
}

/** Masks all but the last 4 characters, for messages and logs that must not carry an id. */
export function maskDocumentNumber(num: string): string {
  return num.length <= 4 ? '****' : '*'.repeat(num.length - 4) + num.slice(-4);
}
