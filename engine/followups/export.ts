import type { FullIdentity } from '../privacy/visibility';
import type { FollowUp } from './service';

/**
 * The officer's call list as a CSV a spreadsheet opens safely (exceljs, for typed XLSX text cells,
 * is not among the project's packages). Two guards, both documented in docs/outbreaks.md:
 * - ids, raw keys and phones are written as the text formula `="0901234567"`: Excel, LibreOffice
 *   and Google Sheets show the text with its leading zeros (a plain 0901234567 becomes the number
 *   901234567, a 12-digit national id 1.23E+11). Only values made of letters, digits and
 *   `+ - . _ / : space` are written so; anything else is written as ordinary text below;
 * - any other cell starting with = + - @ (or a tab, a carriage return) gets a leading `'`, so a
 *   name or note never runs as a formula (CSV injection).
 * UTF-8 with a BOM so Excel reads Vietnamese names; CRLF line ends (RFC 4180).
 */

export const CALL_LIST_COLUMNS = [
  'follow_up_id',
  'status',
  'person_key',
  'full_name',
  'phone',
  'province',
  'district',
  'commune',
  'generation',
  'class',
  'exposure_at_utc',
  'quarantine_until_utc',
  'sources',
] as const;

const TEXT_SAFE = /^[\p{L}\p{N}+\-._/: ]*$/u;

/** A value kept as text by the spreadsheet (leading zeros, long digits): `="…"` when safe, else guarded text. */
export function textCell(v: string): string {
  if (v === '') return '';
  return TEXT_SAFE.test(v) ? quote(`="${v}"`) : plainCell(v);
}

/** An ordinary cell: quoted, with a leading ' when it would start a formula. */
export function plainCell(v: string): string {
  return quote(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
}

function quote(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The call list: a header row, then one row per follow-up with the person's identity when the caller may see it. */
export function callListCsv(followUps: readonly FollowUp[], identities: Readonly<Record<string, FullIdentity>>): string {
  const lines = [CALL_LIST_COLUMNS.join(',')];
  for (const f of followUps) {
    const who = identities[f.personId];
    lines.push(
      [
        textCell(f.id),
        plainCell(f.status),
        textCell(who?.rawKey ?? ''),
        plainCell(who?.fullName ?? ''),
        textCell(who?.phone ?? ''),
        textCell(f.province),
        textCell(f.district),
        textCell(f.commune),
        String(f.generation),
        plainCell(f.class),
        iso(f.exposureAt),
        iso(f.quarantineUntil),
        plainCell(f.sources.join(' ')),
      ].join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
