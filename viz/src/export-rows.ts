import { t, type Lang } from './i18n';
import { classOf } from './people-query';
import { contactsInto, personKey } from './result';
import { csvDateTime, wallTime } from './time';
import type { LoadedTrace, Station, TraceContact } from './types';
import { sexLabel } from './words';

/**
 * The rows of the people exports, typed once for both files: the CSV for tools (csv.ts: every
 * cell as text) and the Excel workbook (xlsx.ts: ids and phones as text cells, so Excel keeps
 * their leading zeros instead of showing 7.9E+10; times as dates; scores and counts as numbers).
 * One row per person, F0 first as generation 0, in the engine's order. Pure.
 */

export type ExportCell =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  /** An instant, written in Ho Chi Minh City wall time. */
  | { readonly kind: 'time'; readonly value: string }
  | { readonly kind: 'empty' };

export const EXPORT_COLUMNS = [
  'csv.generation',
  'csv.personKey',
  'csv.fullName',
  'csv.birthDate',
  'csv.sex',
  'csv.phone',
  'csv.registered',
  'csv.homeWard',
  'csv.homeDistrict',
  'csv.homeProvince',
  'csv.class',
  'csv.exposureAt',
  'csv.score',
  'csv.via',
  'csv.viaNames',
  'csv.contacts',
  'csv.firstContactAt',
  'csv.firstStation',
  'csv.firstOverlap',
  'csv.nationalContacts',
  'csv.trust',
  'csv.requestRef',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

/** Columns whose values are identifiers (keys, phones, dates of birth): always text cells. */
export const TEXT_COLUMNS: ReadonlySet<ExportColumn> = new Set(['csv.personKey', 'csv.phone', 'csv.birthDate', 'csv.via']);

export interface ExportTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly ExportCell[])[];
}

const text = (value: string | undefined): ExportCell => (value === undefined || value === '' ? { kind: 'empty' } : { kind: 'text', value });
const num = (value: number | undefined): ExportCell => (value === undefined ? { kind: 'empty' } : { kind: 'number', value });
const time = (value: string | undefined): ExportCell => (value === undefined ? { kind: 'empty' } : { kind: 'time', value });

export function peopleTable(trace: LoadedTrace, stations: ReadonlyMap<string, Station>, lang: Lang): ExportTable {
  const yesNo = (v: boolean | undefined) => (v === undefined ? '' : t(lang, v ? 'csv.yes' : 'csv.no'));
  const into = contactsInto(trace);
  const row = (id: string, generation: number, exposureAt: string | undefined, score: number | undefined, via: readonly string[], cls: string | undefined): ExportCell[] => {
    const who = trace.identities[id];
    const home = who?.home;
    const outside = trace.outside?.[id];
    const reached: readonly TraceContact[] = into.get(id) ?? [];
    const first = reached[0];
    const national = reached.filter((c) => c.trust?.includes('national') === true).length;
    // Names only of the via people the tracer may see (inside the jurisdiction).
    const viaNames = via.map((v) => trace.identities[v]?.fullName).filter((n): n is string => n !== undefined);
    const f0 = generation === 0;
    return [
      text(`F${generation}`),
      text(personKey(id, trace.identities)),
      text(who?.fullName),
      text(who?.birthDate),
      text(sexLabel(lang, who?.sex)),
      text(who?.phone),
      text(yesNo(who?.registered ?? outside?.registered)),
      text(home?.communeName ?? home?.commune),
      text(home?.districtName ?? home?.district ?? outside?.districtName ?? outside?.district),
      text(home?.provinceName ?? home?.province ?? outside?.provinceName ?? outside?.province),
      text(cls === undefined ? undefined : t(lang, `class.${cls}`)),
      time(exposureAt),
      num(score),
      text(via.map((v) => personKey(v, trace.identities)).join(' ')),
      text(viaNames.join('; ')),
      // F0 has no contact into it: empty cells, not zeros.
      f0 ? text(undefined) : num(reached.length),
      time(first?.at),
      text(first ? (stations.get(first.stationId)?.name ?? first.stationId) : undefined),
      first ? num(Math.round(first.overlapSeconds / 60)) : text(undefined),
      f0 ? text(undefined) : num(national),
      f0 ? text(undefined) : text(t(lang, national > 0 ? 'csv.trustLow' : 'csv.trustStandard')),
      text(trace.requestRef),
    ];
  };
  const rows = [row(trace.f0, 0, undefined, undefined, [], undefined)];
  for (const p of trace.people) rows.push(row(p.id, p.generation, p.exposureAt, p.score, p.via, classOf(p)));
  return { header: EXPORT_COLUMNS.map((k) => t(lang, k)), rows };
}

/** A cell as the CSV writes it: numbers as JavaScript prints them, times as "2021-08-01 07:30:00" in Ho Chi Minh City. */
export function cellText(c: ExportCell): string {
  switch (c.kind) {
    case 'text':
      return c.value;
    case 'number':
      return String(c.value);
    case 'time':
      return csvDateTime(c.value);
    case 'empty':
      return '';
  }
}

/**
 * The instant as a Date whose UTC fields are Ho Chi Minh City's wall time: a spreadsheet's dates
 * have no zone, and the columns say "Ho Chi Minh City time".
 */
export function wallDate(iso: string): Date {
  const w = wallTime(iso);
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
}
