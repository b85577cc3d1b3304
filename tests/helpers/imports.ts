import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { num, str } from '../../engine/db/convert';
import { readQuery } from '../../engine/db/driver';
import { CELL_SEEK } from '../../engine/db/passages';
import { runImport, type ImportOptions, type ImportResult } from '../../engine/import';

/**
 * Files for import tests and what an import left in the graph. The files go to a temp folder;
 * station ids and raw person ids in them start with the run prefix (tests/helpers/cleanup.ts
 * removes the run with `passagePeople`).
 */

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `truyvet-${label}-`));
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Replaces `{R}` with the run prefix; optionally adds a BOM and CRLF line ends. */
export function csv(template: string, run: string, o: { bom?: boolean; crlf?: boolean } = {}): string {
  let t = template.replaceAll('{R}', run);
  if (o.crlf) t = t.replace(/\r?\n/g, '\r\n');
  return (o.bom ? '\uFEFF' : '') + t;
}

export async function importFile(kind: ImportOptions['kind'], file: string, o: Partial<ImportOptions> = {}): Promise<ImportResult> {
  return runImport({ kind, file, clock: () => performance.now(), now: Date.now(), resume: false, ...o });
}

/** The (line, field) of each reject, for exact comparisons. */
export function rejectsOf(r: ImportResult): [number, string][] {
  return r.rejects.map((x) => [x.line, x.field]);
}

export function countsOf(r: ImportResult): { read: number; imported: number; duplicates: number; rejected: number } {
  return { read: r.read, imported: r.imported, duplicates: r.duplicates, rejected: r.rejected };
}

export interface StoredPassage {
  id: string;
  personId: string;
  stationId: string;
  at: number;
  leftAt: number;
  source: string;
  /** Passage nodes with this id (exactly one, whatever the dwell). */
  links: number;
}

// The existence checks let the (station, span, at) index serve the prefix (without them: a scan of every passage).
const RUN_PASSAGES = `MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station STARTS WITH $prefix AND x.span IS NOT NULL AND x.at IS NOT NULL`;

/** Every passage at the run's stations, sorted, each once with its number of nodes. */
export async function storedPassages(prefix: string): Promise<StoredPassage[]> {
  return readQuery(
    `${RUN_PASSAGES}
     WITH x.id AS id, x.pid AS personId, x.station AS stationId, x.at AS at, x.leftAt AS leftAt, x.source AS source, count(x) AS links
     RETURN id, personId, stationId, at, leftAt, source, links ORDER BY id, personId, at`,
    { prefix },
    (r) => ({
      id: str(r['id']),
      personId: str(r['personId']),
      stationId: str(r['stationId']),
      at: num(r['at']),
      leftAt: num(r['leftAt']),
      source: str(r['source']),
      links: num(r['links']),
    }),
  );
}

/** Node counts of the run's part of the graph: passages, and the people who made them. */
export async function graphCounts(prefix: string): Promise<{ passages: number; people: number }> {
  const [row] = await readQuery(
    `${RUN_PASSAGES}
     WITH count(x) AS passages, collect(DISTINCT x.pid) AS pids
     OPTIONAL MATCH (p:Person) WHERE p.id IN pids
     RETURN passages, count(p) AS people`,
    { prefix },
    (r) => ({ passages: num(r['passages']), people: num(r['people']) }),
  );
  return row ?? { passages: 0, people: 0 };
}

/** The checkpoint files in an import state folder (TRUYVET_IMPORT_STATE_DIR). */
export function checkpointFiles(stateDir: string): string[] {
  try {
    return fs.readdirSync(stateDir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
}

/** Rows read up to the last committed batch, by the one checkpoint in `stateDir` (0 when none yet). */
export function committedRows(stateDir: string): number {
  for (const f of checkpointFiles(stateDir)) {
    try {
      return (JSON.parse(fs.readFileSync(path.join(stateDir, f), 'utf8')) as { counts: { read: number } }).counts.read;
    } catch {
      // Caught between write and rename: look again.
    }
  }
  return 0;
}
