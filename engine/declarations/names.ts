/**
 * Comparing a declared name with the registry's. Both are folded first: Unicode NFC, lower case,
 * runs of white space as one space, trimmed. Then:
 * - equal → `same`;
 * - equal letter by letter, where each declared letter is either the registry's letter or that
 *   letter without its diacritics (ễ → e, Đ → d) → `missing_diacritics` (accepted with a warning:
 *   many phones and the national QR code drop them);
 * - anything else → `different` (rejected). A *different* diacritic (Nguyên for Nguyễn) is a
 *   different name, not a missing one.
 */

export type NameMatch = 'same' | 'missing_diacritics' | 'different';

export function foldName(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/gu, ' ').trim();
}

/** The letter without its marks: NFD, drop combining marks, đ → d. */
function baseLetter(ch: string): string {
  if (ch === 'đ') return 'd';
  if (ch === 'Đ') return 'D';
  return ch.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC');
}

/** The text without any diacritics (Vietnamese and others), in NFC. */
export function stripDiacritics(text: string): string {
  return Array.from(text.normalize('NFC'), baseLetter).join('');
}

export function compareNames(declared: string, registered: string): NameMatch {
  const d = foldName(declared);
  const r = foldName(registered);
  if (d === r) return 'same';
  const dl = Array.from(d);
  const rl = Array.from(r);
  if (dl.length !== rl.length) return 'different';
  for (let i = 0; i < dl.length; i++) {
    const a = dl[i]!;
    const b = rl[i]!;
    if (a !== b && a !== baseLetter(b)) return 'different';
  }
  return 'missing_diacritics';
}

/** A name as the national QR code writes it (QĐ 1405/QĐ-BTTTT): capitals, no diacritics, single spaces. */
export function nationalQrName(name: string): string {
  return stripDiacritics(foldName(name)).toUpperCase();
}
