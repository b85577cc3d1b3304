import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { num, str } from '../../engine/db/convert';
import { readQuery, runAutoCommit } from '../../engine/db/driver';
import { CELL_SEEK } from '../../engine/db/passages';
import { pseudonym } from '../../engine/identity';
import { runImport, type ImportOptions, type ImportResult } from '../../engine/import';

/**
 * Import tests write their CSV files into a temp folder and their data under a run prefix:
 * station ids and raw person ids start with it, so cleanup finds them (tests/helpers/run-data.ts
 * does the same in one transaction; these runs can hold tens of thousands of passages, so the
 * deletes here go in batches).
 */

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `truyvet-${label}-`));
}

/** Replaces `{R}` with the run prefix; optionally adds a BOM and CRLF line ends. */
export function csv(template: string, run: string, o: { bom?: boolean; crlf?: boolean } = {}): string {
  let t = template.replaceAll('{R}', run);
  if (o.crlf) t = t.replace(/\r?\n/g, '\r\n');
  return (o.bom ? '\uFEFF' : '') + t;
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
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

/**
 * Removes the run's stations, passages, and the people whose raw keys are given (or, with
 * `passagePeople`, every person with a passage at one of the run's stations), in batches.
 */
export async function removeImportRun(prefix: string, rawPersonIds: readonly string[] = [], passagePeople = true): Promise<void> {
  if (passagePeople) {
    await runAutoCommit(
      `${RUN_PASSAGES}
       WITH DISTINCT x.pid AS pid MATCH (p:Person {id: pid})
       CALL (p) { OPTIONAL MATCH (i:Identity {pid: p.id}) DETACH DELETE p, i } IN TRANSACTIONS OF 1000 ROWS`,
      { prefix },
    );
  }
  await runAutoCommit(`${RUN_PASSAGES} CALL (x) { DELETE x } IN TRANSACTIONS OF 5000 ROWS`, { prefix });
  await runAutoCommit(`MATCH (s:Station) WHERE s.id STARTS WITH $prefix CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 500 ROWS`, { prefix });
  const pids = rawPersonIds.map(pseudonym);
  if (pids.length > 0) {
    await runAutoCommit(
      `UNWIND $pids AS pid OPTIONAL MATCH (p:Person {id: pid}) OPTIONAL MATCH (i:Identity {pid: pid})
       WITH p, i CALL (p, i) { DETACH DELETE p, i } IN TRANSACTIONS OF 1000 ROWS`,
      { pids },
    );
  }
}

/** A stations file of `n` stations `{prefix}S1…Sn` in Ho Chi Minh City's zone (and others given). */
export function stationsCsv(prefix: string, n: number, zones: Readonly<Record<number, string>> = {}): string {
  const rows = ['station_id,name,province,district,commune,lat,lon,tz,kind'];
  for (let i = 1; i <= n; i++) rows.push(`${prefix}S${i},Chốt ${i},79,760,26734,10.77,106.70,${zones[i] ?? 'Asia/Ho_Chi_Minh'},checkpoint`);
  return `${rows.join('\n')}\n`;
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

export const ROOT = path.join(__dirname, '..', '..');

/** `truyvet ARGS` as a child process (bin/truyvet.js), with the test's environment plus `env`. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [path.join(ROOT, 'bin', 'truyvet.js'), ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function finished(child: ChildProcessWithoutNullStreams): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return finished(spawnCli(args, env));
}
