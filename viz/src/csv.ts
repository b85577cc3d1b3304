import type { Lang } from './i18n';
import { t } from './i18n';
import { contactsInto, personKey } from './result';
import { csvDateTime } from './time';
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

export const PEOPLE_CSV_COLUMNS = [
  'csv.generation',
  'csv.personKey',
  'csv.fullName',
  'csv.birthDate',
  'csv.sex',
  'csv.phone',
  'csv.registered',
  'csv.exposureAt',
  'csv.score',
  'csv.via',
  'csv.contacts',
  'csv.firstStation',
  'csv.nationalContacts',
] as const;

/** One row per person of the result (F0 first, as generation 0), in the engine's order. */
export function peopleCsv(trace: LoadedTrace, stations: ReadonlyMap<string, Station>, lang: Lang): string {
  const yesNo = (v: boolean | undefined) => (v === undefined ? '' : t(lang, v ? 'csv.yes' : 'csv.no'));
  const header = PEOPLE_CSV_COLUMNS.map((k) => t(lang, k));
  const into = contactsInto(trace);
  const row = (id: string, generation: number, exposureAt: string | undefined, score: number | undefined, via: readonly string[]) => {
    const who = trace.identities[id];
    const reached = into.get(id) ?? [];
    const first = reached[0];
    return [
      `F${generation}`,
      personKey(id, trace.identities),
      who?.fullName ?? '',
      who?.birthDate ?? '',
      who?.sex ?? '',
      who?.phone ?? '',
      yesNo(who?.registered),
      exposureAt === undefined ? '' : csvDateTime(exposureAt),
      score === undefined ? '' : String(score),
      via.map((v) => personKey(v, trace.identities)).join(' '),
      String(reached.length),
      first ? (stations.get(first.stationId)?.name ?? first.stationId) : '',
      // F0 has no contact into it: an empty cell, not a count.
      generation === 0 ? '' : String(reached.filter((c) => c.trust?.includes('national') === true).length),
    ];
  };
  const rows = [header, row(trace.f0, 0, undefined, undefined, [])];
  for (const p of trace.people) rows.push(row(p.id, p.generation, p.exposureAt, p.score, p.via));
  return toCsv(rows);
}
