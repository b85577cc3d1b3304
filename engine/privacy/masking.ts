/**
 * Masked personal data for everyone who may not see it in full: enough for an officer to tell
 * two people at a checkpoint apart, not enough to identify anyone. Pure functions.
 */

/** `Nguyễn Thị Ánh` → `N. T. Á.`: initials only. */
export function maskName(fullName: string): string {
  const words = fullName.normalize('NFC').trim().split(/\s+/).filter((w) => w !== '');
  return words.map((w) => `${Array.from(w)[0] ?? ''}.`).join(' ');
}

/** `0901234567` → `*******567`: the last three digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 3) return '*'.repeat(digits.length);
  return '*'.repeat(digits.length - 3) + digits.slice(-3);
}

/** `1990-04-30` → `1990`: the year only. */
export function maskBirthDate(birthDate: string): string {
  return /^\d{4}/.test(birthDate) ? birthDate.slice(0, 4) : '';
}

/** `079090001234` → `*********234`: the last three characters of a document number. */
export function maskRawKey(raw: string): string {
  const chars = Array.from(raw);
  if (chars.length <= 3) return '*'.repeat(chars.length);
  return '*'.repeat(chars.length - 3) + chars.slice(-3).join('');
}
