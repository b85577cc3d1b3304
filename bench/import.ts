/**
 * Import benchmark, run by hand (`npm run bench:import -- [flags]`, `--help` lists them); prints
 * one JSON object.
 *
 * The city comes from the seeded generator (bench/city.ts: 2,000 stations, 14 days), cached under
 * ~/.cache/truyvet/. Every id is rewritten with a run prefix, so the benchmark's data sits apart
 * from everything else in the database and is removed at the end (unless --keep). Each import
 * runs as the real command (`node bin/truyvet.js import … --json`) in a child process; its peak
 * resident memory is read from /proc (VmHWM) while it runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Option } from 'commander';
import { serverOnlyFloor, type FloorRun } from './floor';
import { DEFAULT_BATCH_SIZE } from '../engine/import';
import { CACHE, DAYS, prefixedCity, rawCity, removePrefix, STATIONS, type CityKind } from './city';
import { countFrom1, defineBench, intList, loadAverage, machine, printResult, round, timed, truyvet, whole } from './harness';

interface Args {
  rows: number;
  city: CityKind;
  seed: number;
  batch: number;
  perRow: number;
  sweep: number[];
  sweepRows: number;
  keep: boolean;
  reimport: boolean;
  remove: string | undefined;
  floor: number;
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
  const { out, peakRssMB } = await truyvet(['import', kind, file, '--json', '--no-resume', '--batch', String(batch)]);
  const summary = JSON.parse(out) as { read: number; seconds: number; rowsPerSecond: number; rejected: number };
  if (summary.rejected > 0) throw new Error(`import ${kind} rejected ${summary.rejected} rows: ${JSON.stringify(summary).slice(0, 500)}`);
  return { kind, rows: summary.read, batch, seconds: summary.seconds, rowsPerSecond: summary.rowsPerSecond, peakRssMB, summary };
}

async function main(a: Args): Promise<void> {
  const progress = (what: string, value: unknown) => process.stderr.write(`bench:import ${what} ${JSON.stringify(value)}\n`);
  if (a.remove !== undefined) {
    const prefix = a.remove;
    const { ms } = await timed(() => removePrefix(prefix));
    progress('removed', { prefix, seconds: Math.round(ms / 1000) });
    return;
  }
  const run = `bench${Date.now().toString(36)}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-bench-import-'));
  const { loadAverage: loadAverageAtStart, ...host } = machine();

  const raw = await rawCity({ kind: a.city, passages: a.rows, seed: a.seed }, (m) => progress('generate', m));
  const label = `${a.city}-${a.rows >= 1e6 ? `${Math.round(a.rows / 1e6)}m` : `${Math.round(a.rows / 1e3)}k`}`;
  // Prefix → kept in the database at the end?
  const written = new Map<string, boolean>();
  const copy = async (tag: string, dir: string, passageLimit = Infinity) => {
    const prefix = `${run}${tag}-`;
    written.set(prefix, false);
    const files = await prefixedCity(raw.dir, dir, prefix, passageLimit);
    return { prefix, files };
  };

  const result: Record<string, unknown> = { machine: { ...host, loadAverageAtStart }, city: { kind: a.city, passages: raw.passages, people: raw.people, stations: STATIONS, days: DAYS, seed: a.seed, passagesPerPersonDay: round(raw.passages / raw.people / DAYS, 3), generated: raw.dir } };
  try {
    // The main run: stations, the registry, then every passage.
    const mainDir = a.keep ? path.join(CACHE, `city-${label}`) : path.join(tmp, 'm');
    const main = await copy('m', mainDir);
    const stations = await importCli('stations', main.files.stations, a.batch);
    const registryRun = await importCli('people', main.files.people, a.batch);
    const passages = await importCli('passages', main.files.passages, a.batch);
    result['stations'] = { rows: stations.rows, seconds: stations.seconds };
    result['people'] = { rows: registryRun.rows, seconds: registryRun.seconds, rowsPerSecond: registryRun.rowsPerSecond, peakRssMB: registryRun.peakRssMB };
    result['passages'] = { rows: passages.rows, batch: passages.batch, seconds: passages.seconds, rowsPerSecond: passages.rowsPerSecond, peakRssMB: passages.peakRssMB };
    progress('passages', result['passages']);
    if (a.reimport) {
      const again = await importCli('passages', main.files.passages, a.batch);
      result['reimport'] = { rows: again.rows, seconds: again.seconds, rowsPerSecond: again.rowsPerSecond, duplicates: again.summary['duplicates'], peakRssMB: again.peakRssMB };
      progress('reimport', result['reimport']);
    }
    if (a.keep) {
      written.set(main.prefix, true);
      result['kept'] = { prefix: main.prefix, dir: mainDir, remove: `npm run bench:import -- --remove ${main.prefix}` };
      fs.writeFileSync(path.join(mainDir, 'imported.json'), JSON.stringify({ prefix: main.prefix, ...result }, null, 1));
    }

    // One row per transaction, on the first rows of the file, into stations of their own.
    if (a.perRow > 0) {
      const sample = await copy('r', path.join(tmp, 'r'), a.perRow);
      await importCli('stations', sample.files.stations, a.batch);
      const perRow = await importCli('passages', sample.files.passages, 1);
      result['perRowTransaction'] = { rows: perRow.rows, seconds: perRow.seconds, rowsPerSecond: perRow.rowsPerSecond, batchedIsFasterBy: Math.round((passages.rowsPerSecond / Math.max(1, perRow.rowsPerSecond)) * 10) / 10 };
      progress('perRowTransaction', result['perRowTransaction']);
    }

    // The floor: Neo4j alone, on a graph of the same size, then its nodes go.
    if (a.floor > 0) {
      const runs: FloorRun[] = [];
      for (const writers of [1, 2, 3]) {
        const prefix = `${run}f${writers}-`;
        written.set(prefix, false);
        runs.push(await serverOnlyFloor(prefix, a.floor, a.batch, writers));
        progress('serverOnly', runs[runs.length - 1]);
        await removePrefix(prefix);
        written.delete(prefix);
      }
      const best = Math.max(...runs.map((r) => r.rowsPerSecond));
      result['serverOnly'] = { runs, importerShareOfFloor: Math.round((passages.rowsPerSecond / best) * 100) / 100 };
    }

    // Batch sizes, each on a fresh copy of the first rows.
    const sweep: unknown[] = [];
    for (const b of a.sweep) {
      const s = await copy(`b${b}`, path.join(tmp, `b${b}`), a.sweepRows);
      await importCli('stations', s.files.stations, a.batch);
      const r = await importCli('passages', s.files.passages, b);
      const point = { batch: b, rows: r.rows, seconds: r.seconds, rowsPerSecond: r.rowsPerSecond, peakRssMB: r.peakRssMB, loadAverage: os.loadavg()[0] };
      sweep.push(point);
      progress('sweep', point);
      // Each point on a graph of the same size: its data goes before the next.
      await removePrefix(s.prefix);
      written.delete(s.prefix);
    }
    if (sweep.length > 0) result['sweep'] = sweep;
    result['loadAverageAtEnd'] = loadAverage();
    // The numbers first: cleaning a million passages out of a busy server takes a while.
    printResult(result);
  } finally {
    for (const [prefix, keep] of written) {
      if (keep) continue;
      try {
        await removePrefix(prefix);
      } catch (e) {
        console.error(`bench:import: could not remove ${prefix}* (${(e as Error).message}); remove it with npm run bench:import -- --remove ${prefix}`);
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export default defineBench<Args>(
  module,
  {
    name: 'import',
    description: 'generate a city, import it with the real command (rows/s, peak RSS), one-row-per-transaction baseline',
    migrate: true,
    options: (c) =>
      c
        .option('--rows <n>', 'passages', whole, 1_000_000)
        .option('--ten-million', 'passages: 10,000,000 (instead of --rows)')
        .addOption(new Option('--city <kind>', "design (DESIGN.md's proportions, 0.19 passages per person-day) or dense").choices(['design', 'dense']).default('design'))
        .option('--seed <n>', 'generator seed', whole, 2021)
        .option('--batch <n>', "rows per transaction for the main run (the importer's default)", countFrom1, DEFAULT_BATCH_SIZE)
        .option('--per-row <n>', 'also import N rows one row per transaction, for the ratio (0 skips)', whole, 10_000)
        .option('--sweep <list>', 'also import the first --sweep-rows rows once per batch size, e.g. 1000,5000,20000', intList, [])
        .option('--sweep-rows <n>', 'rows of each --sweep import', countFrom1, 100_000)
        .option('--keep', 'keep the main city in the database and its files in ~/.cache/truyvet/city-…, ready for bench/trace.ts (the JSON says the prefix and directory)', false)
        .option('--no-reimport', 'skip the re-import of the whole file (every row a duplicate)')
        .option(
          '--floor <n>',
          'also let Neo4j create N passage nodes from Cypher alone (no client work), with one, two and three writers: the most any importer could store here (0 skips)',
          whole,
          200_000,
        )
        .option('--remove <prefix>', 'only remove what a kept city put in the database, then exit'),
    settings: (o) => {
      const { tenMillion, ...rest } = o as Args & { tenMillion?: boolean };
      return { ...rest, rows: tenMillion === true ? 10_000_000 : rest.rows };
    },
  },
  main,
);
