/**
 * Storage layout comparison (issue 3, item 5), run by hand; prints one JSON object:
 *
 *   npm run bench:storage -- [--rows 200000] [--batch 5000] [--lookups 500] [--seed 1]   (`--help`: what each does)
 *
 * The first --rows passages of the design city (bench/city.ts) are written twice, each copy
 * under its own id prefix, in batches of --batch rows, straight through the storage code (no CSV
 * parsing, so only the database's work and the driver differ):
 *
 * - `window`: DESIGN.md's first shape, `(:Person)-[:PASSED {key, passageId, at, leftAt, …}]->
 *   (:Window {station, start})-[:AT]->(:Station)`, one PASSED per 15-minute window the passage
 *   touches, with its constraints and indexes (`key` unique, `passageId`, (station, start)
 *   unique, start). Written by the statements the importer used until this comparison, under
 *   bench-only names (BenchWindow, BENCH_PASSED, BENCH_AT), dropped at the end.
 * - `node`: what the engine writes now (engine/db/passages.ts): one `(:Passage)` node per
 *   passage, `id` unique, (station, span, at) and (pid, at) range indexes; stays longer than a
 *   duration class are found by the per-class seek bound (engine/windows.ts).
 *
 * Then --lookups random passages a of the sample: "every passage b of another person at a's
 * station co-located with a (τ = 15 min)", in each layout, timed and PROFILEd (database hits),
 * and both layouts must return the same set.
 */
import fs, { createReadStream } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { getDriver, runAutoCommit } from '../engine/db/driver';
import { int, num, str } from '../engine/db/convert';
import { CELL_SEEK, derivedPassageId, writePassages, spansParam, type PassageWrite } from '../engine/db/passages';
import { upsertStations } from '../engine/db/stations';
import { pseudonym, seal } from '../engine/identity';
import { parseInstant } from '../engine/time';
import { windowStarts } from '../engine/windows';
import { FILES } from '../generator';
import { rawCity } from './city';
import { mulberry32 } from './random';
import { countFrom1, dbHits, defineBench, loadAverage, machine, percentiles, printResult, round, timed, whole } from './harness';

const TOL = 15 * 60_000;
const WINDOW = 15 * 60_000;

interface Args {
  rows: number;
  batch: number;
  lookups: number;
  seed: number;
}

const LEGACY_SCHEMA = [
  'CREATE CONSTRAINT bench_window_key IF NOT EXISTS FOR (n:BenchWindow) REQUIRE (n.station, n.start) IS UNIQUE',
  'CREATE CONSTRAINT bench_passed_key IF NOT EXISTS FOR ()-[r:BENCH_PASSED]-() REQUIRE r.key IS UNIQUE',
  'CREATE INDEX bench_passed_passage IF NOT EXISTS FOR ()-[r:BENCH_PASSED]-() ON (r.passageId)',
  'CREATE INDEX bench_window_start IF NOT EXISTS FOR (n:BenchWindow) ON (n.start)',
];
const LEGACY_DROP = ['DROP CONSTRAINT bench_window_key IF EXISTS', 'DROP CONSTRAINT bench_passed_key IF EXISTS', 'DROP INDEX bench_passed_passage IF EXISTS', 'DROP INDEX bench_window_start IF EXISTS'];

// The window layout's write path, as engine/db/passages.ts had it (classify, known people, create).
const LEGACY_CLASSIFY = `
UNWIND $ids AS id
MATCH (op:Person)-[old:BENCH_PASSED {passageId: id}]->(ow:BenchWindow)
WITH id, head(collect([op.id, ow.station, old.at, old.leftAt])) AS o
RETURN id`;
const KNOWN_PEOPLE = 'UNWIND $pids AS pid MATCH (p:Person {id: pid}) RETURN pid';
const LEGACY_CREATE = `
CALL () {
  UNWIND $people AS pp
  MERGE (p:Person {id: pp[0]})
    ON CREATE SET p.ref = pp[1], p.registered = false
}
CALL () {
  UNWIND $windows AS ww
  MERGE (w:BenchWindow {station: ww[0], start: ww[1]})
  WITH w, ww WHERE NOT EXISTS { (w)-[:BENCH_AT]->() }
  MATCH (st:Station {id: ww[0]})
  CREATE (w)-[:BENCH_AT]->(st)
}
UNWIND $rows AS row
MERGE (p:Person {id: row[1]})
  ON CREATE SET p.registered = false
WITH row, p
UNWIND range(row[6], row[4], $size) AS ws
MATCH (w:BenchWindow {station: row[2], start: ws})
CREATE (p)-[:BENCH_PASSED {key: row[0] + '#' + toString(ws), passageId: row[0], at: row[3], leftAt: row[4], source: row[5]}]->(w)`;

async function legacyWrite(rows: readonly PassageWrite[]): Promise<void> {
  const session = getDriver().session();
  try {
    await session.executeWrite(async (tx) => {
      const ids = rows.map((p) => p.id);
      const stored = new Set((await tx.run(LEGACY_CLASSIFY, { ids })).records.map((r) => str(r.get('id'))));
      const fresh = rows.filter((p) => !stored.has(p.id));
      const pids = [...new Set(fresh.map((p) => p.personId))];
      const known = new Set((await tx.run(KNOWN_PEOPLE, { pids })).records.map((r) => str(r.get('pid'))));
      const refOf = new Map(fresh.map((p) => [p.personId, p.personRef] as const));
      const people = pids.filter((p) => !known.has(p)).map((p) => [p, (refOf.get(p) as () => string)()]);
      const windows = new Map<string, unknown[]>();
      const params = fresh.map((p) => {
        const starts = windowStarts(p.at, p.leftAt, WINDOW);
        for (const ws of starts) windows.set(`${p.stationId}\u0000${ws}`, [p.stationId, int(ws)]);
        return [p.id, p.personId, p.stationId, int(p.at), int(p.leftAt), p.source, int(starts[0] ?? p.at)];
      });
      await tx.run(LEGACY_CREATE, { people, windows: [...windows.values()], rows: params, size: int(WINDOW) });
    });
  } finally {
    await session.close();
  }
}

// Co-location lookups for one passage a (station, at, leftAt, person), each layout its own way.
const LEGACY_LOOKUP = `
UNWIND range($lo, $hi, $size) AS start
MATCH (w:BenchWindow {station: $station, start: start})<-[b:BENCH_PASSED]-(q:Person)
WHERE q.id <> $pid AND b.at <= $leftAt + $tol AND b.leftAt >= $at - $tol
RETURN DISTINCT b.passageId AS id`;
const NODE_LOOKUP = `
UNWIND $spans AS sp
MATCH (b:Passage) ${CELL_SEEK('b')} AND b.station = $station AND b.span = sp[0] AND b.at >= $at - $tol - sp[1] AND b.at <= $leftAt + $tol
  AND b.leftAt >= $at - $tol AND b.pid <> $pid
RETURN b.id AS id`;

/** Lookup statistics: p50/p95/p99 and mean, to two decimals. */
function stats(xs: number[]): { p50: number; p95: number; p99: number; mean: number } {
  const { p50, p95, p99, mean } = percentiles(xs, 2);
  return { p50, p95, p99, mean };
}

async function readSample(file: string, rows: number, prefix: string, zones: ReadonlyMap<string, string>): Promise<PassageWrite[]> {
  const out: PassageWrite[] = [];
  const lines = readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    if (out.length >= rows) break;
    const [id, person, station, at, left, source] = line.split(',');
    const stationId = prefix + station!;
    const tz = zones.get(station!) ?? 'Asia/Ho_Chi_Minh';
    const a = parseInstant(at!, tz);
    const l = left ? parseInstant(left, tz) : a;
    if (!a.ok || !l.ok) throw new Error(`bad instant in ${line}`);
    const raw = prefix + person!;
    const personId = pseudonym(raw);
    out.push({ id: id ? prefix + id : derivedPassageId(personId, stationId, a.ms, l.ms), personId, personRef: () => seal(raw), stationId, at: a.ms, leftAt: l.ms, source: source ?? '' });
  }
  lines.close();
  return out;
}

async function main(a: Args): Promise<void> {
  const say = (m: string) => process.stderr.write(`[bench:storage] ${m}\n`);
  const raw = await rawCity({ kind: 'design', passages: 1_000_000, seed: 2021 }, say);
  const run = `bs${Date.now().toString(36)}`;
  const layouts = { window: `${run}w-`, node: `${run}n-` } as const;
  for (const s of LEGACY_SCHEMA) await runAutoCommit(s);
  await runAutoCommit('CALL db.awaitIndexes(300)');

  // Stations, once per layout prefix.
  const stationLines = fs.readFileSync(path.join(raw.dir, FILES.stations), 'utf8').trim().split('\n').slice(1);
  const zones = new Map<string, string>();
  for (const prefix of Object.values(layouts)) {
    await upsertStations(
      stationLines.map((l) => {
        const c = l.split(',');
        zones.set(c[0]!, c[7]!);
        return { id: prefix + c[0]!, name: c[1]!, province: c[2]!, district: c[3]!, commune: c[4]!, lat: Number(c[5]), lon: Number(c[6]), tz: c[7]!, kind: c[8]! };
      }),
    );
  }
  const host = machine();
  const out: Record<string, unknown> = {
    machine: { cpus: host.cpus, cpu: host.cpu, memoryGiB: host.memoryGB, node: host.node, loadAverageAtStart: host.loadAverage },
    sample: { city: raw.dir, rows: a.rows, batch: a.batch },
  };
  try {
    const samples = { window: await readSample(path.join(raw.dir, FILES.passages), a.rows, layouts.window, zones), node: await readSample(path.join(raw.dir, FILES.passages), a.rows, layouts.node, zones) };
    const writes: Record<string, unknown> = {};
    for (const layout of ['window', 'node'] as const) {
      say(`writing ${a.rows} passages in the ${layout} layout…`);
      const rows = samples[layout];
      const { ms } = await timed(async () => {
        for (let i = 0; i < rows.length; i += a.batch) {
          const batch = rows.slice(i, i + a.batch);
          if (layout === 'window') await legacyWrite(batch);
          else await writePassages(batch);
        }
      });
      const seconds = ms / 1000;
      writes[layout] = { seconds: round(seconds), rowsPerSecond: Math.round(rows.length / seconds) };
      say(`${layout}: ${JSON.stringify(writes[layout])}`);
    }
    const [links] = (await runAutoCommit('MATCH (w:BenchWindow) WHERE w.station STARTS WITH $p WITH count(w) AS windows MATCH ()-[r:BENCH_PASSED]->() RETURN windows, count(r) AS rels', { p: layouts.window })).records;
    out['writes'] = writes;
    out['windowLayout'] = { windows: num(links?.get('windows')), passedRelationships: num(links?.get('rels')), relationshipsPerPassage: round(num(links?.get('rels')) / a.rows, 2) };

    // Lookups: random passages of the sample, the same ones in both layouts.
    const rnd = mulberry32(a.seed);
    const picks = Array.from({ length: a.lookups }, () => Math.floor(rnd() * a.rows));
    const session = getDriver().session({ defaultAccessMode: 'READ' });
    const lookups: Record<string, unknown> = {};
    const found: Record<string, number[]> = { window: [], node: [] };
    try {
      for (const layout of ['window', 'node'] as const) {
        const ms: number[] = [];
        const hits: number[] = [];
        for (const [pass, profile] of [[0, false], [1, false], [2, true]] as const) {
          for (const i of picks) {
            const p = samples[layout][i]!;
            const params = { station: p.stationId, at: int(p.at), leftAt: int(p.leftAt), pid: p.personId, tol: int(TOL), size: int(WINDOW), lo: int(Math.floor((p.at - TOL) / WINDOW) * WINDOW), hi: int(Math.floor((p.leftAt + TOL) / WINDOW) * WINDOW), spans: spansParam() };
            const q = layout === 'window' ? LEGACY_LOOKUP : NODE_LOOKUP;
            const { value: res, ms: dt } = await timed(() => session.run(profile ? `PROFILE ${q}` : q, params));
            if (pass === 1) {
              ms.push(dt);
              found[layout]!.push(res.records.length);
            }
            if (profile && res.summary.profile !== false) hits.push(dbHits(res.summary.profile));
          }
        }
        lookups[layout] = { ms: stats(ms), dbHits: stats(hits), matches: stats(found[layout]!) };
        say(`${layout} lookups: ${JSON.stringify(lookups[layout])}`);
      }
    } finally {
      await session.close();
    }
    out['lookups'] = lookups;
    out['sameAnswers'] = found['window']!.every((n, i) => n === found['node']![i]);
    out['loadAverageAtEnd'] = loadAverage();
    printResult(out);
  } finally {
    say('removing the sample…');
    const pids = [...new Set([...(await readSample(path.join(raw.dir, FILES.passages), a.rows, layouts.window, zones)), ...(await readSample(path.join(raw.dir, FILES.passages), a.rows, layouts.node, zones))].map((p) => p.personId))];
    await runAutoCommit('MATCH (w:BenchWindow) WHERE w.station STARTS WITH $p CALL (w) { DETACH DELETE w } IN TRANSACTIONS OF 2000 ROWS', { p: layouts.window });
    await runAutoCommit(`MATCH (x:Passage) ${CELL_SEEK('x')} AND x.station STARTS WITH $p AND x.span IS NOT NULL AND x.at IS NOT NULL CALL (x) { DELETE x } IN TRANSACTIONS OF 20000 ROWS`, { p: layouts.node });
    await runAutoCommit('UNWIND $pids AS pid MATCH (p:Person {id: pid}) CALL (p) { DETACH DELETE p } IN TRANSACTIONS OF 5000 ROWS', { pids });
    await runAutoCommit('MATCH (s:Station) WHERE s.id STARTS WITH $run CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 1000 ROWS', { run });
    for (const d of LEGACY_DROP) await runAutoCommit(d);
  }
}

export default defineBench<Args>(
  module,
  {
    name: 'storage',
    description: 'passage layouts compared: (:Window) buckets vs (:Passage) nodes, write rate and co-location lookups',
    migrate: true,
    options: (c) =>
      c
        .option('--rows <n>', 'passages of the design city written in each layout', countFrom1, 200_000)
        .option('--batch <n>', 'rows per transaction', countFrom1, 5000)
        .option('--lookups <n>', 'random passages whose co-located passages are looked up in each layout', whole, 500)
        .option('--seed <n>', 'seed of the lookups', whole, 1),
  },
  main,
);
