import { invalidInput } from '../errors';
import type { ImportProfile } from './profiles';

/**
 * The header row: which column holds which field. Columns are found by name, in any order
 * (DESIGN.md, "CSV files"); a missing required column stops the import before any row is
 * read, an extra one is ignored with a warning. Names are compared case-insensitively, trimmed,
 * with runs of spaces as one and in Unicode NFC, so `Số CCCD` typed on any keyboard matches.
 */

export type ImportKind = 'stations' | 'people' | 'passages';

export const IMPORT_KINDS: readonly ImportKind[] = ['stations', 'people', 'passages'];

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

export function planColumns(kind: ImportKind, header: readonly string[], rename: ReadonlyMap<string, string>): ColumnPlan {
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
      `the header has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} (required for ${kind}: ${spec.required.join(', ')}; found ${seen}); use --map SRC=DEST or --profile to rename columns`,
    );
  }
  const warnings = ignored.length > 0 ? [`ignored column${ignored.length > 1 ? 's' : ''} ${ignored.join(', ')}: not a ${kind} column`] : [];
  return { index, width: header.length, warnings };
}
