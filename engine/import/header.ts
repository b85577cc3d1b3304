import { parse } from 'csv-parse/sync';
import { invalidInput } from '../errors';
import type { ImportProfile } from './profiles';

/**
 * The header row: which column holds which field. Columns are found by name, in any order
 * (DESIGN.md, "CSV files"); a missing required column stops the import before any row is
 * read, an extra one is ignored with a warning. Names are compared case-insensitively, trimmed,
 * with runs of spaces as one and in Unicode NFC, so `Số CCCD` typed on any keyboard matches.
 */

export type ImportKind = 'stations' | 'people' | 'passages' | 'cases';

export const IMPORT_KINDS: readonly ImportKind[] = ['stations', 'people', 'passages', 'cases'];

interface KindColumns {
  /** Every column truyvet reads, in the DESIGN.md order. */
  readonly all: readonly string[];
  /** Columns the header must have; the others may be absent (read as empty). */
  readonly required: readonly string[];
}

export const COLUMNS: Record<ImportKind, KindColumns> = {
  stations: {
    all: ['station_id', 'name', 'province', 'district', 'commune', 'lat', 'lon', 'tz', 'kind'],
    required: ['station_id', 'name', 'province', 'lat', 'lon'],
  },
  people: {
    all: ['person_id', 'full_name', 'birth_date', 'sex', 'phone', 'province', 'district', 'commune'],
    required: ['person_id', 'full_name'],
  },
  passages: {
    all: ['passage_id', 'person_id', 'station_id', 'at', 'left_at', 'source'],
    required: ['person_id', 'station_id', 'at'],
  },
  // Confirmed cases (DESIGN.md, "Interfaces"); the period's columns may be absent.
  cases: {
    all: ['case_id', 'person_id', 'confirmed_at', 'onset_at', 'infectious_from', 'infectious_to'],
    required: ['case_id', 'person_id', 'confirmed_at'],
  },
};

export interface ColumnPlan {
  /** truyvet column → index in a record; absent columns are not in the map. */
  readonly index: ReadonlyMap<string, number>;
  /** Number of fields of the header: every record must have exactly as many. */
  readonly width: number;
  readonly warnings: readonly string[];
}

export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Reads `--map SRC=DEST,SRC=DEST`; source names may hold spaces and any letters, not `,` or `=`. */
export function parseMapSpec(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const src = eq < 0 ? '' : part.slice(0, eq).trim();
    const dest = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (src === '' || dest === '' || dest.includes('=')) {
      throw invalidInput(`--map: '${part.trim()}' is not SRC=DEST (e.g. --map "Số CCCD=person_id,Mã chốt=station_id")`);
    }
    out[src] = dest;
  }
  return out;
}

/**
 * Source column → truyvet column from a profile and `--map` (which wins). `--map` may only name
 * columns of this kind of file; a profile may hold names for every kind.
 */
export function renames(kind: ImportKind, profile: ImportProfile | undefined, map: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [src, dest] of Object.entries(profile?.columns ?? {})) out.set(normalizeName(src), normalizeName(dest));
  for (const [src, dest] of Object.entries(map)) {
    const d = normalizeName(dest);
    if (!COLUMNS[kind].all.includes(d)) {
      throw invalidInput(`--map: '${dest}' is not a column of ${kind} files (columns: ${COLUMNS[kind].all.join(', ')})`);
    }
    out.set(normalizeName(src), d);
  }
  return out;
}

/** `hint`: what to do about a missing column, for the one who reads the message (the CLI's flags by default). */
export function planColumns(kind: ImportKind, header: readonly string[], rename: ReadonlyMap<string, string>, hint = 'use --map SRC=DEST or --profile to rename columns'): ColumnPlan {
  const spec = COLUMNS[kind];
  const index = new Map<string, number>();
  const sourceOf = new Map<string, string>();
  const ignored: string[] = [];
  header.forEach((raw, i) => {
    const name = normalizeName(raw);
    const col = rename.get(name) ?? name;
    if (!spec.all.includes(col)) {
      ignored.push(raw.trim() === '' ? `(unnamed column ${i + 1})` : `'${raw.trim()}'`);
      return;
    }
    const prev = sourceOf.get(col);
    if (prev !== undefined) {
      throw invalidInput(`the header gives ${col} twice: columns '${prev}' and '${raw.trim()}'`);
    }
    index.set(col, i);
    sourceOf.set(col, raw.trim());
  });
  const missing = spec.required.filter((c) => !index.has(c));
  if (missing.length > 0) {
    const seen = header.map((h) => `'${h.trim()}'`).join(', ');
    throw invalidInput(
      `the header has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} (required for ${kind}: ${spec.required.join(', ')}; found ${seen})${hint ? `; ${hint}` : ''}`,
    );
  }
  const warnings = ignored.length > 0 ? [`ignored column${ignored.length > 1 ? 's' : ''} ${ignored.join(', ')}: not a ${kind} column`] : [];
  return { index, width: header.length, warnings };
}

/** A header line longer than this is not a header: an upload is refused before more is read. */
export const MAX_HEADER_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The header record at the start of `head`, the first bytes of an upload as they arrive: `more`
 * while its line is not complete (and `final` is false), else its fields; throws invalid_input
 * saying why the bytes cannot start a CSV file (empty, binary, not UTF-8, a first line longer
 * than MAX_HEADER_BYTES). Leading blank lines and a BOM are skipped, as the import does.
 */
export function headerRecord(head: Buffer, final: boolean): { readonly fields: string[] } | 'more' {
  // No text file holds a NUL: the bytes received so far are binary (an image, a spreadsheet).
  if (head.includes(0)) throw invalidInput('the upload is not CSV text: it holds binary bytes (NUL)');
  let start = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (start < head.length && (head[start] === 10 || head[start] === 13)) start++;
  // The end of the first record: a line break outside quotes.
  let end = -1;
  let quoted = false;
  for (let i = start; i < head.length; i++) {
    const c = head[i];
    if (c === 34) quoted = !quoted;
    else if ((c === 10 || c === 13) && !quoted) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    if (!final) {
      if (head.length - start > MAX_HEADER_BYTES) throw invalidInput(`the first line is longer than ${MAX_HEADER_BYTES / 1024} KiB: not a CSV header`);
      return 'more';
    }
    if (start >= head.length) throw invalidInput('the upload is empty: a header row is required');
    end = head.length;
  }
  let text: string;
  try {
    text = utf8.decode(head.subarray(start, end));
  } catch {
    throw invalidInput('the header row is not UTF-8 text (save the file as CSV UTF-8)');
  }
  let records: string[][];
  try {
    records = parse(text, { relax_quotes: true, relax_column_count: true });
  } catch (e) {
    throw invalidInput(`the header row is not readable CSV (${(e as { code?: string }).code ?? 'parse error'})`);
  }
  const fields = records[0];
  if (fields === undefined || fields.every((f) => f.trim() === '')) throw invalidInput('the header row is empty');
  return { fields };
}
