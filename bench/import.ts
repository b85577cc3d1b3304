/**
 * Import benchmark, run by hand (`npm run bench:import -- [flags]`); prints one JSON object.
 *
 *   --rows N          passages (default 1,000,000; --ten-million for 10,000,000)
 *   --city KIND       design (default: DESIGN.md's proportions, 0.19 passages per person-day) or dense
 *   --seed N          generator seed (default 2021)
 *   --batch N         rows per transaction for the main run (default: the importer's default)
 *   --per-row N       also import N rows one row per transaction, for the ratio (default 10,000; 0 skips)
 *   --sweep A,B,…     also import the first --sweep-rows rows (default 100,000) once per batch size
 *   --keep            keep the main city in the database and its files in ~/.cache/truyvet/city-…,
 *                     ready for bench/trace.ts (the JSON says the prefix and directory)
 *   --no-reimport     skip the re-import of the whole file (every row a duplicate)
 *   --floor N         also let Neo4j create N passage nodes from Cypher alone (no client work), with
 *                     one, two and three writers: the most any importer could store here (default 200,000; 0 skips)
 *   --remove PREFIX   only remove what a kept city put in the database, then exit
 *
 * The city comes from the seeded generator (bench/city.ts: 2,000 stations, 14 days), cached under
 * ~/.cache/truyvet/. Every id is rewritten with a run prefix, so the benchmark's data sits apart
 * from everything else in the database and is removed at the end (unless --keep). Each import
 * runs as the real command (`node bin/truyvet.js import … --json`) in a child process; its peak
 * resident memory is read from /proc (VmHWM) while it runs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { serverOnlyFloor, type FloorRun } from './floor';
import { closeDriver } from '../engine/db/driver';
import { migrate } from '../engine/db/schema';
import { DEFAULT_BATCH_SIZE } from '../engine/import';
import { CACHE, DAYS, prefixedCity, rawCity, removePrefix, STATIONS, type CityKind } from './city';

const ROOT = path.join(__dirname, '..');

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

function args(argv: readonly string[]): Args {
  const a: Args = { rows: 1_000_000, city: 'design', seed: 2021, batch: DEFAULT_BATCH_SIZE, perRow: 10_000, sweep: [], sweepRows: 100_000, keep: false, reimport: true, remove: undefined, floor: 200_000 };
  for (let i = 0; i < argv.length; i++) {
    const next = () => Number(argv[++i]);
    switch (argv[i]) {
      case '--rows': a.rows = next(); break;
      case '--ten-million': a.rows = 10_000_000; break;
      case '--city': a.city = argv[++i] === 'dense' ? 'dense' : 'design'; break;
      case '--seed': a.seed = next(); break;
      case '--batch': a.batch = next(); break;
      case '--per-row': a.perRow = next(); break;
      case '--sweep': a.sweep = String(argv[++i]).split(',').map(Number); break;
      case '--sweep-rows': a.sweepRows = next(); break;
      case '--keep': a.keep = true; break;
      case '--no-reimport': a.reimport = false; break;
      case '--remove': a.remove = argv[++i]; break;
      case '--floor': a.floor = next(); break;
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

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const progress = (what: string, value: unknown) => process.stderr.write(`bench:import ${what} ${JSON.stringify(value)}\n`);
  if (a.remove !== undefined) {
    const t0 = performance.now();
    await removePrefix(a.remove);
    progress('removed', { prefix: a.remove, seconds: Math.round((performance.now() - t0) / 1000) });
    return;
  }
  const run = `bench${Date.now().toString(36)}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-bench-import-'));
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100) };

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

  await migrate();
  const result: Record<string, unknown> = { machine, city: { kind: a.city, passages: raw.passages, people: raw.people, stations: STATIONS, days: DAYS, seed: a.seed, passagesPerPersonDay: Math.round((raw.passages / raw.people / DAYS) * 1000) / 1000, generated: raw.dir } };
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
    result['loadAverageAtEnd'] = os.loadavg().map((x) => Math.round(x * 100) / 100);
    // The numbers first: cleaning a million passages out of a busy server takes a while.
    console.log(JSON.stringify(result));
  } finally {
    for (const [prefix, keep] of written) {
      if (keep) continue;
      try {
        await removePrefix(prefix);
      } catch (e) {
        console.error(`bench:import: could not remove ${prefix}* (${(e as Error).message}); remove it with npm run bench:import -- --remove ${prefix}`);
      }
    }
    await closeDriver();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench:import: ${(e as Error).message}`);
  process.exitCode = 1;
});
