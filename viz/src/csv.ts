import { cellText, EXPORT_COLUMNS, peopleTable } from './export-rows';
import type { Lang } from './i18n';
import type { LoadedTrace, Station } from './types';

/**
 * The people list as CSV for Excel: UTF-8 with a BOM (so Excel reads Vietnamese letters), CRLF,
 * RFC 4180 quoting, and every cell that a spreadsheet would take for a formula (= + - @, tab, CR
 * first) prefixed with an apostrophe (OWASP "CSV injection"): names and ids come from outside.
 * Pure.
 */

export const BOM = '\uFEFF';

export function neutralizeCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvCell(text: string): string {
  const safe = neutralizeCell(text);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return BOM + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The columns, as i18n keys (export-rows.ts). */
export const PEOPLE_CSV_COLUMNS = EXPORT_COLUMNS;

/**
 * One row per person of the result (F0 first, as generation 0), in the engine's order. For tools:
 * every value as it is (a phone keeps its leading 0 in the file; a spreadsheet should open the
 * XLSX export instead, whose identifiers are text cells).
 */
export function peopleCsv(trace: LoadedTrace, stations: ReadonlyMap<string, Station>, lang: Lang): string {
  const table = peopleTable(trace, stations, lang);
  return toCsv([table.header, ...table.rows.map((r) => r.map(cellText))]);
}
