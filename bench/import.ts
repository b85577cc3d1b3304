/**
 * Import benchmark, run by hand (`npm run bench:import -- [flags]`); prints one JSON object.
 *
 *   --rows N        passages to generate (default 1,000,000; --ten-million for 10,000,000)
 *   --batch N       rows per transaction for the main run (default: the importer's default)
 *   --per-row N     also import N rows one row per transaction, for the ratio (default 10,000; 0 skips)
 *   --sweep A,B,…   also import the first --sweep-rows rows (default 100,000) once per batch size
 *   --keep          keep the generated files (in the printed `dir`)
 *
 * The city comes from the seeded generator (`truyvet generate`: 2,000 stations, 14 days, as
 * many people as the passage count needs). Every id is rewritten with a run prefix, so the
 * benchmark's data sits apart from everything else in the database and is removed at the end.
 * Each import runs as the real command (`node bin/truyvet.js import … --json`) in a child
 * process; its peak resident memory is read from /proc (VmHWM) while it runs.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';
import { closeDriver, runAutoCommit } from '../engine/db/driver';
import { migrate } from '../engine/db/schema';
import { pseudonym } from '../engine/identity';
import { DEFAULT_BATCH_SIZE } from '../engine/import';
import { FILES, generateCity } from '../fixtures/generator';

const ROOT = path.join(__dirname, '..');
const PASSAGES_PER_PERSON_DAY = 1.9; // what the generator produces with 2,000 stations (its summary says so)
const DAYS = 14;
const STATIONS = 2000;

interface Args {
  rows: number;
  batch: number;
  perRow: number;
  sweep: number[];
  sweepRows: number;
  keep: boolean;
}

function args(argv: readonly string[]): Args {
  const a: Args = { rows: 1_000_000, batch: DEFAULT_BATCH_SIZE, perRow: 10_000, sweep: [], sweepRows: 100_000, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const next = () => Number(argv[++i]);
    switch (argv[i]) {
      case '--rows': a.rows = next(); break;
      case '--ten-million': a.rows = 10_000_000; break;
      case '--batch': a.batch = next(); break;
      case '--per-row': a.perRow = next(); break;
      case '--sweep': a.sweep = String(argv[++i]).split(',').map(Number); break;
      case '--sweep-rows': a.sweepRows = next(); break;
      case '--keep': a.keep = true; break;
      default: throw new Error(`unknown flag ${argv[i]}`);
    }
  }
  return a;
}

interface ImportRun {
  kind: string;
  rows: number;
  batch: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMB: number | null;
  summary: Record<string, unknown>;
}

/** `truyvet import KIND FILE --json --batch N` in a child; its peak RSS from /proc while it runs. */
async function importCli(kind: string, file: string, batch: number): Promise<ImportRun> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'truyvet.js'), 'import', kind, file, '--json', '--no-resume', '--batch', String(batch)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let peakKB: number | null = null;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKB = Math.max(peakKB ?? 0, Number(m[1]));
    } catch {
      // Not Linux, or the child just ended.
    }
  }, 100);
  const [code] = (await once(child, 'close')) as [number | null];
  clearInterval(poll);
  if (code !== 0) throw new Error(`import ${kind} ${file} exited ${code}`);
  const summary = JSON.parse(out) as { read: number; seconds: number; rowsPerSecond: number; rejected: number };
  if (summary.rejected > 0) throw new Error(`import ${kind} rejected ${summary.rejected} rows: ${JSON.stringify(summary).slice(0, 500)}`);
  return { kind, rows: summary.read, batch, seconds: summary.seconds, rowsPerSecond: summary.rowsPerSecond, peakRssMB: peakKB === null ? null : Math.round(peakKB / 1024), summary };
}

/**
 * Copies a generated file with `prefix` in front of its ids (columns by index), up to `limit`
 * data rows. The generator writes no quoted fields, so a line split on commas is exact; a quote
 * would stop the copy rather than be mangled.
 */
async function prefixed(src: string, dest: string, prefix: string, idColumns: readonly number[], limit = Infinity): Promise<number> {
  const out = createWriteStream(dest);
  const lines = readline.createInterface({ input: createReadStream(src), crlfDelay: Infinity });
  let n = -1;
  for await (const line of lines) {
    if (n >= limit) break;
    if (n >= 0) {
      if (line.includes('"')) throw new Error(`${src}: quoted field on data row ${n + 1}`);
      const cells = line.split(',');
      for (const c of idColumns) if (cells[c] !== '' && cells[c] !== undefined) cells[c] = prefix + cells[c];
      if (!out.write(`${cells.join(',')}\n`)) await once(out, 'drain');
    } else if (!out.write(`${line}\n`)) await once(out, 'drain');
    n++;
  }
  lines.close();
  out.end();
  await once(out, 'finish');
  return n;
}

/** The raw person keys (column `person_id`) of files written by `prefixed`, for cleanup. */
async function personKeys(files: readonly string[], into: Set<string>): Promise<void> {
  for (const file of files) {
    const lines = readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let col = -1;
    for await (const line of lines) {
      const cells = line.split(',');
      const key = col < 0 ? undefined : cells[col];
      if (col < 0) col = cells.indexOf('person_id');
      else if (key) into.add(key);
    }
  }
}

/**
 * Removes what one prefix put in the graph. People go by pseudonym (from the files' raw keys),
 * in small transactions: a query that first gathered a million passages' people would outgrow
 * the server's transaction memory.
 */
async function removePrefix(prefix: string, rawKeys: ReadonlySet<string>): Promise<void> {
  const keys = [...rawKeys];
  for (let i = 0; i < keys.length; i += 10_000) {
    const pids = keys.slice(i, i + 10_000).map(pseudonym);
    await runAutoCommit(
      `UNWIND $pids AS pid OPTIONAL MATCH (p:Person {id: pid}) OPTIONAL MATCH (x:Identity {pid: pid})
       WITH p, x CALL (p, x) { DETACH DELETE p, x } IN TRANSACTIONS OF 500 ROWS`,
      { pids },
    );
  }
  await runAutoCommit(`MATCH (w:Window) WHERE w.station STARTS WITH $prefix CALL (w) { DETACH DELETE w } IN TRANSACTIONS OF 5000 ROWS`, { prefix });
  await runAutoCommit(`MATCH (s:Station) WHERE s.id STARTS WITH $prefix CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 1000 ROWS`, { prefix });
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const run = `bench${Date.now().toString(36)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-bench-import-'));
  const gen = path.join(dir, 'generated');
  const people = Math.max(20, Math.ceil(a.rows / (PASSAGES_PER_PERSON_DAY * DAYS)));
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100) };

  const t0 = performance.now();
  const city = await generateCity(gen, { people, stations: STATIONS, days: DAYS, seed: 2021, start: '2021-08-01' });
  const generateSeconds = (performance.now() - t0) / 1000;

  // Prefix → the files written under it (their person keys say whom to remove).
  const written = new Map<string, string[]>();
  const copy = async (tag: string, passageLimit = Infinity) => {
    const prefix = `${run}${tag}-`;
    const files = { stations: path.join(dir, `${tag}-stations.csv`), people: path.join(dir, `${tag}-people.csv`), passages: path.join(dir, `${tag}-passages.csv`) };
    written.set(prefix, [files.passages]);
    await prefixed(path.join(gen, FILES.stations), files.stations, prefix, [0]);
    const rows = await prefixed(path.join(gen, FILES.passages), files.passages, prefix, [0, 1, 2], passageLimit);
    return { prefix, files, rows };
  };
  const progress = (what: string, value: unknown) => process.stderr.write(`bench:import ${what} ${JSON.stringify(value)}\n`);

  await migrate();
  const result: Record<string, unknown> = { machine, generated: { passages: city.passages, people, stations: STATIONS, days: DAYS, seconds: Math.round(generateSeconds * 10) / 10 } };
  try {
    // The main run: stations, the registry, then every passage.
    const main = await copy('m');
    await prefixed(path.join(gen, FILES.people), main.files.people, main.prefix, [0]);
    written.get(main.prefix)?.push(main.files.people);
    const stations = await importCli('stations', main.files.stations, a.batch);
    const registryRun = await importCli('people', main.files.people, a.batch);
    const passages = await importCli('passages', main.files.passages, a.batch);
    result['stations'] = { rows: stations.rows, seconds: stations.seconds };
    result['people'] = { rows: registryRun.rows, seconds: registryRun.seconds, rowsPerSecond: registryRun.rowsPerSecond, peakRssMB: registryRun.peakRssMB };
    result['passages'] = { rows: passages.rows, batch: passages.batch, seconds: passages.seconds, rowsPerSecond: passages.rowsPerSecond, peakRssMB: passages.peakRssMB };
    progress('passages', result['passages']);
    const again = await importCli('passages', main.files.passages, a.batch);
    result['reimport'] = { rows: again.rows, seconds: again.seconds, rowsPerSecond: again.rowsPerSecond, duplicates: again.summary['duplicates'], peakRssMB: again.peakRssMB };
    progress('reimport', result['reimport']);

    // One row per transaction, on the first rows of the file, into stations of their own.
    if (a.perRow > 0) {
      const sample = await copy('r', a.perRow);
      await importCli('stations', sample.files.stations, a.batch);
      const perRow = await importCli('passages', sample.files.passages, 1);
      result['perRowTransaction'] = { rows: perRow.rows, seconds: perRow.seconds, rowsPerSecond: perRow.rowsPerSecond, batchedIsFasterBy: Math.round((passages.rowsPerSecond / Math.max(1, perRow.rowsPerSecond)) * 10) / 10 };
      progress('perRowTransaction', result['perRowTransaction']);
    }

    // Batch sizes, each on a fresh copy of the first rows.
    const sweep: unknown[] = [];
    for (const b of a.sweep) {
      const s = await copy(`b${b}`, a.sweepRows);
      await importCli('stations', s.files.stations, a.batch);
      const r = await importCli('passages', s.files.passages, b);
      const point = { batch: b, rows: r.rows, seconds: r.seconds, rowsPerSecond: r.rowsPerSecond, peakRssMB: r.peakRssMB, loadAverage: os.loadavg()[0] };
      sweep.push(point);
      progress('sweep', point);
      // Each point on a graph of the same size: its data goes before the next.
      const keys = new Set<string>();
      await personKeys([s.files.passages], keys);
      await removePrefix(s.prefix, keys);
      written.delete(s.prefix);
    }
    if (sweep.length > 0) result['sweep'] = sweep;
    result['loadAverageAtEnd'] = os.loadavg().map((x) => Math.round(x * 100) / 100);
    if (a.keep) result['dir'] = dir;
    // The numbers first: cleaning a million passages out of a busy server takes minutes.
    console.log(JSON.stringify(result));
  } finally {
    let clean = true;
    for (const [prefix, files] of written) {
      try {
        const keys = new Set<string>();
        await personKeys(files, keys);
        await removePrefix(prefix, keys);
      } catch (e) {
        clean = false;
        console.error(`bench:import: could not remove ${prefix}* (${(e as Error).message}); files kept in ${dir}`);
      }
    }
    await closeDriver();
    if (clean && !a.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench:import: ${(e as Error).message}`);
  process.exitCode = 1;
});
