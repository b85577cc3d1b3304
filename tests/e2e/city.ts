import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { FILES, generateCity, type CityOptions } from '../../generator';
import { runImport } from '../../engine/import';

/**
 * A generated city for the browser tests, under the run's own ids: the generator's files are
 * rewritten with the run id in front of every station, person and passage id, then imported
 * with the engine's import pipeline: tests/helpers/cleanup.ts's removeRun with the city's raw keys
 * deletes exactly that data again.
 */

export interface PlantedCase {
  /** The F0's raw key (as the health authority knows it), with the run prefix. */
  readonly f0: string;
  readonly from: string;
  readonly to: string;
}

export interface E2eCity {
  readonly run: string;
  readonly dir: string;
  readonly outbreaks: readonly PlantedCase[];
  /** Every raw person key of the city (registry and visitors), for the cleanup. */
  readonly rawKeys: readonly string[];
  readonly passages: number;
}

interface OutbreaksFile {
  outbreaks: { f0: string; infectious: { from: string; to: string } }[];
}

function rewrite(file: string, prefixColumns: readonly string[], prefix: string, onRow: (row: Record<string, string>) => void = () => undefined): number {
  const rows = parse<Record<string, string>>(fs.readFileSync(file), { columns: true, bom: true, skip_empty_lines: true });
  const header = Object.keys(rows[0] ?? {});
  for (const row of rows) {
    for (const c of prefixColumns) if (row[c]) row[c] = `${prefix}${row[c]}`;
    onRow(row);
  }
  fs.writeFileSync(file, stringify(rows, { header: true, columns: header }));
  return rows.length;
}

export async function makeCity(run: string, options: CityOptions): Promise<E2eCity> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `truyvet-e2e-${run}-`));
  await generateCity(dir, options);
  const prefix = `${run}-`;
  const rawKeys = new Set<string>();
  rewrite(path.join(dir, FILES.stations), ['station_id'], prefix);
  rewrite(path.join(dir, FILES.people), ['person_id'], prefix, (r) => rawKeys.add(r['person_id']!));
  const passages = rewrite(path.join(dir, FILES.passages), ['passage_id', 'person_id', 'station_id'], prefix, (r) => rawKeys.add(r['person_id']!));
  const planted = JSON.parse(fs.readFileSync(path.join(dir, FILES.outbreaks), 'utf8')) as OutbreaksFile;
  const outbreaks = planted.outbreaks.map((o) => ({ f0: `${prefix}${o.f0}`, from: o.infectious.from, to: o.infectious.to }));

  for (const kind of ['stations', 'people', 'passages'] as const) {
    const r = await runImport({ kind, file: path.join(dir, FILES[kind]), resume: false, clock: () => performance.now(), now: Date.now() });
    if (r.rejected > 0) throw new Error(`importing the e2e ${kind} rejected ${r.rejected} rows: ${JSON.stringify(r.rejects.slice(0, 3))}`);
  }
  return { run, dir, outbreaks, rawKeys: [...rawKeys], passages };
}
