/**
 * Trace benchmark (run by hand; prints one JSON document on stdout, progress on stderr):
 *
 *   npm run bench:trace -- DIR [--traces 200] [--days 3] [--horizon-days 3] [--seed 1] [--check 10] [--profile 200] [--depth2-traces N] [--breakdown 8] [--no-duckdb]
 *   (`--help` lists every option)
 *
 * DIR holds a generated city (`truyvet generate`) whose stations.csv and passages.csv are already
 * imported into the Neo4j that NEO4J_URI (default: the local one) points at, with the same
 * TRUYVET_PSEUDONYM_KEY. The bench picks `--traces` random people (seeded) among those with a passage in their period,
 * each with a `--days` infectious period ending at a random instant of the city's span (the 2021
 * rule's default: infectious from 2 days before onset to confirmation, 3 days; `--days 14` is the
 * stress row) and a horizon `until` = `to` + `--horizon-days` for later generations, and:
 *
 * - times the first page as the API serves it (counts per generation and the first 50 people:
 *   the trace shaped, encoded and opened, its first page read; the store's write left out);
 *
 * - times the engine's trace at depth 1 and depth 2 (p50/p95/p99, after a warm-up);
 * - sums the database hits of every generation query's PROFILE tree, per trace;
 * - runs the `--breakdown` slowest depth-1 traces again, three times each, and splits their time
 *   into the statements (Neo4j, Bolt and decoding the records), pairing the passages in JS, and
 *   shaping the result (grouping by person, ordering, formatting);
 * - answers the same traces with DuckDB over the same passages.csv: the same generation loop and
 *   assembly, each generation one band join (`b.at <= a.leftAt + τ AND b.leftAt >= a.at − τ` on
 *   the same station), and reports its percentiles and the ratio DuckDB / Neo4j;
 * - checks on `--check` traces that both give the same F1 and F2 (people, generation, exposure);
 * - times the same traces close-only (issue 25: only co-locations of at least closeSeconds count),
 *   in the same run right after the full ones at each depth, with F1 and F2 sizes of both kinds
 *   and, on the PROFILEd traces, the passages both statements return (`--no-close-only` skips).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as DuckDBApi from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { num, str } from '../engine/db/convert';
import { getDriver, readStatements, serverInfo } from '../engine/db/driver';
import { pseudonym } from '../engine/identity';
import { contactsFromFrontier, DEFAULT_MAX_CONTACTS, resolveTraceParams, traceTooLarge, traceGenerations, contactEdge, type Edge, type GenerationQuery, type GenerationRunner } from '../engine/trace';
import type { TraceResult } from '../engine/types';
import { isTruyvetError } from '../engine/errors';
import { mulberry32 } from './random';
import { dbHits, defineBench, localNeo4jPid, machine, ownPeakRssMB, peakKb, percentiles, printResult, round, timed, whole } from './harness';
import { resultOf, trace, traceShaped } from '../engine/trace';
import { encodeShapedTrace, openedTracePeople } from '../engine/trace-store/codec';

const DAY = 86_400_000;
/** People on the API's first page as the view asks for it first (with the counts per generation). */
const FIRST_PAGE = 50;

interface Args {
  dir: string;
  traces: number;
  days: number;
  /** Days after `to` that later generations may still be reached (the trace's `until`). */
  horizonDays: number;
  seed: number;
  check: number;
  profile: number;
  duckdb: boolean;
  /** Traces timed at depth 2 (the first of the --traces); depth 2 on a large city can take seconds each. */
  depth2Traces: number;
  maxContacts: number;
  /** A JSON file of picked traces: read when it exists (DuckDB is then not needed), else written. */
  f0s: string | undefined;
  /** The slowest depth-1 traces whose time is split into statements, pairing and shaping. */
  breakdown: number;
  /** Also time the same traces close-only. */
  closeOnly: boolean;
}

const say = (m: string): void => {
  process.stderr.write(`[bench:trace] ${m}\n`);
};

// ---- DuckDB -----------------------------------------------------------------------------------

// Loaded when a run needs it: its native binding keeps a handle open from the moment it loads
// (bench/harness.test.ts imports this file only to parse command lines).
type DuckDB = typeof DuckDBApi;

async function loadDuck(dir: string): Promise<{ duckdb: DuckDB; con: DuckDBConnection; seconds: number; passages: number; people: string[]; span: [number, number] }> {
  const duckdb = await import('@duckdb/node-api');
  const t0 = performance.now();
  const inst = await duckdb.DuckDBInstance.create(':memory:', { threads: String(os.cpus().length) });
  const con = await inst.connect();
  const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  await con.run(`CREATE TABLE st AS SELECT station_id, coalesce(nullif(tz, ''), 'Asia/Ho_Chi_Minh') AS tz FROM read_csv(${q(path.join(dir, 'stations.csv'))}, header = true, all_varchar = true)`);
  await con.run(`CREATE TABLE raw AS SELECT * FROM read_csv(${q(path.join(dir, 'passages.csv'))}, header = true, all_varchar = true)`);
  // Instants as truyvet reads them: with an offset absolute, without one in the station's zone.
  const ms = (col: string): string =>
    `CASE WHEN regexp_matches(${col}, '([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$') THEN epoch_ms(${col}::TIMESTAMPTZ) ELSE epoch_ms(timezone(st.tz, ${col}::TIMESTAMP)) END`;
  await con.run(`CREATE TABLE p0 AS SELECT row_number() OVER () AS rn, r.passage_id, trim(r.person_id) AS person_id, r.station_id,
    ${ms('r.at')} AS at_ms, ${ms("coalesce(nullif(r.left_at, ''), r.at)")} AS left_ms
    FROM raw r JOIN st USING (station_id)`);
  await con.run('DROP TABLE raw');
  const people = (await con.runAndReadAll('SELECT DISTINCT person_id FROM p0 ORDER BY person_id')).getRows().map((r) => String(r[0]));
  // The graph's ids are pseudonyms of the raw keys: give DuckDB the same ids, so answers compare.
  await con.run('CREATE TABLE ids (person_id VARCHAR, pid VARCHAR)');
  const app = await con.createAppender('ids');
  for (const raw of people) {
    app.appendVarchar(raw);
    app.appendVarchar(pseudonym(raw));
    app.endRow();
  }
  app.closeSync();
  await con.run(`CREATE TABLE passages AS SELECT coalesce(nullif(p0.passage_id, ''), 'row' || p0.rn) AS id, ids.pid, p0.station_id, p0.at_ms, p0.left_ms
    FROM p0 JOIN ids USING (person_id) ORDER BY p0.station_id, p0.at_ms`);
  await con.run('DROP TABLE p0');
  await con.run('CREATE INDEX passages_pid ON passages (pid)');
  const [row] = (await con.runAndReadAll('SELECT count(*), min(at_ms), max(left_ms) FROM passages')).getRows();
  return { duckdb, con, seconds: (performance.now() - t0) / 1000, passages: Number(row?.[0]), people, span: [Number(row?.[1]), Number(row?.[2])] };
}

const DUCK_GENERATION = `
WITH f AS (SELECT unnest($pids) AS pid, unnest($sinces) AS since),
a AS (
  SELECT f.pid AS src, f.since, p.id, p.station_id, p.at_ms, p.left_ms
  FROM f JOIN passages p ON p.pid = f.pid
  WHERE p.at_ms <= $hi AND p.left_ms >= f.since - $tol)
SELECT a.src AS source, b.pid AS target, a.station_id AS station, a.id AS aId, a.at_ms AS aAt, a.left_ms AS aLeft,
       b.id AS bId, b.at_ms AS bAt, b.left_ms AS bLeft
FROM a JOIN passages b
  ON b.station_id = a.station_id AND b.at_ms <= a.left_ms + $tol AND b.left_ms >= a.at_ms - $tol
WHERE b.at_ms <= $hi AND (a.at_ms >= a.since OR b.at_ms >= a.since)
  AND b.pid NOT IN (SELECT unnest($seen))
LIMIT $lim`;

function duckRunner({ listValue, LIST, VARCHAR, BIGINT }: DuckDB, stmt: DuckDBPreparedStatement): GenerationRunner {
  return async (g: GenerationQuery): Promise<Edge[]> => {
    stmt.bind(
      {
        pids: listValue(g.frontier.map((f) => f.pid)),
        sinces: listValue(g.frontier.map((f) => BigInt(f.since))),
        hi: BigInt(g.hi),
        tol: BigInt(g.tolMs),
        seen: listValue([...g.seen]),
        // One row past the budget is enough to know the trace is too large (as the engine stops).
        lim: BigInt(Number.isFinite(g.maxContacts ?? Infinity) ? (g.maxContacts ?? 0) + 1 : 2 ** 62),
      },
      { pids: LIST(VARCHAR), sinces: LIST(BIGINT), hi: BIGINT, tol: BIGINT, seen: LIST(VARCHAR), lim: BIGINT },
    );
    const reader = await stmt.runAndReadAll();
    if (g.maxContacts !== undefined && reader.currentRowCount > g.maxContacts) throw traceTooLarge(g.maxContacts);
    return reader
      .getRowObjectsJS()
      .map((r) =>
        contactEdge(
          g.generation,
          str(r['source']),
          str(r['target']),
          str(r['station']),
          { id: str(r['aId']), at: num(r['aAt']), leftAt: num(r['aLeft']) },
          { id: str(r['bId']), at: num(r['bAt']), leftAt: num(r['bLeft']) },
        ),
      );
  };
}

// ---- Neo4j ------------------------------------------------------------------------------------

function profilingRunner(counter: { hits: number; passages: number }): GenerationRunner {
  return (g: GenerationQuery): Promise<Edge[]> =>
    contactsFromFrontier(g, {}, async (cypher, params) => {
      const session = getDriver().session({ defaultAccessMode: 'READ' });
      try {
        const res = await session.run(`PROFILE ${cypher}`, params);
        const prof = res.summary.profile;
        if (prof !== false) counter.hits += dbHits(prof);
        // Field 1 of both statements' records is a list with one entry per passage.
        for (const r of res.records) counter.passages += (r.get(1) as unknown[]).length;
        return res.records;
      } finally {
        await session.close();
      }
    });
}

interface Split {
  statementsMs: number;
  generationsMs: number;
  passagesRead: number;
}

/** The engine's generation query as the engine runs it (readStatements), timing its statements. */
function timingRunner(split: Split): GenerationRunner {
  return async (g: GenerationQuery): Promise<Edge[]> => {
    const g0 = performance.now();
    try {
      return await readStatements((run) =>
        contactsFromFrontier(g, {}, async (cypher, params) => {
          const s0 = performance.now();
          const records = await run(cypher, params);
          split.statementsMs += performance.now() - s0;
          // Field 1 of both statements' records is a list with one entry per passage.
          for (const r of records) split.passagesRead += (r.get(1) as unknown[]).length;
          return records;
        }),
      );
    } finally {
      split.generationsMs += performance.now() - g0;
    }
  };
}

function neo4jPeakRss(): number | undefined {
  const pid = localNeo4jPid();
  const kb = pid === null ? null : peakKb(pid);
  return kb === null ? undefined : Math.round(kb / 1024);
}

function setsOf(r: { people: readonly { id: string; generation: number; exposureAt: number | string }[] }, maxGen: number): string[] {
  return r.people
    .filter((p) => p.generation <= maxGen)
    .map((p) => `${p.generation}|${p.id}|${typeof p.exposureAt === 'number' ? p.exposureAt : Date.parse(p.exposureAt)}`)
    .sort();
}

/** Runs a trace; a trace refused as too large (over --max-contacts) gives undefined. */
async function orRefused<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (e) {
    if (isTruyvetError(e) && e.code === 'invalid_input' && e.message.includes('too large')) return undefined;
    throw e;
  }
}

async function main(a: Args): Promise<void> {
  const rnd = mulberry32(a.seed);

  // Picking F0s needs the passages in DuckDB (minutes at 10M): --f0s keeps the picks for the next run.
  const saved = a.f0s !== undefined && fs.existsSync(a.f0s) ? (JSON.parse(fs.readFileSync(a.f0s, 'utf8')) as { f0: string; from: number; to: number }[]) : undefined;
  if (saved !== undefined && saved.length < a.traces) throw new Error(`${a.f0s} holds ${saved.length} traces, fewer than --traces ${a.traces}`);
  let duck: Awaited<ReturnType<typeof loadDuck>> | undefined;
  if (a.duckdb || saved === undefined) {
    say(`loading ${a.dir}/passages.csv into DuckDB…`);
    duck = await loadDuck(a.dir);
    say(`DuckDB: ${duck.passages} passages, ${duck.people.length} people in ${duck.seconds.toFixed(1)} s`);
  }

  // F0s: uniform among the people with at least one passage in their (random) period.
  const period = a.days * DAY;
  const horizon = a.horizonDays * DAY;
  // A picks file written before the horizon existed gets the run's horizon.
  const traces: { f0: string; from: number; to: number; until: number }[] = (saved ?? []).slice(0, a.traces).map((t) => ({ ...t, until: (t as { until?: number }).until ?? t.to + horizon }));
  for (let i = 0; duck !== undefined && saved === undefined && i < a.traces; i++) {
    const lo = duck.span[0] + period;
    const to = lo >= duck.span[1] ? duck.span[1] : Math.floor(lo + rnd() * (duck.span[1] - lo));
    const from = to - period;
    const active = `SELECT DISTINCT pid FROM passages WHERE left_ms >= ${from} AND at_ms <= ${to}`;
    const [c] = (await duck.con.runAndReadAll(`SELECT count(*) FROM (${active})`)).getRows();
    const n = Number(c?.[0] ?? 0);
    if (n === 0) throw new Error('no passages in the period');
    const [row] = (await duck.con.runAndReadAll(`${active} ORDER BY pid LIMIT 1 OFFSET ${Math.floor(rnd() * n)}`)).getRows();
    traces.push({ f0: String(row?.[0]), from, to, until: to + horizon });
  }
  if (a.f0s !== undefined && saved === undefined) fs.writeFileSync(a.f0s, JSON.stringify(traces));

  const info = await serverInfo();
  const neo: Record<string, number[]> = { '1': [], '2': [] };
  const hits: Record<string, number[]> = { '1': [], '2': [] };
  const size: Record<string, number[]> = { '1': [], '2': [] };
  // F1 and F2 sizes of depth-2 traces, and the same for the close-only runs (keys '1', '2').
  const gens = (): Record<string, number[]> => ({ '1': [], '2': [] });
  const sizeByGen = gens();
  const closeMs: Record<string, number[]> = { '1': [], '2': [] };
  const closeSize: Record<string, number[]> = { '1': [], '2': [] };
  const closeSizeByGen = gens();
  const closeHits: Record<string, number[]> = { '1': [], '2': [] };
  const passagesRead: Record<string, number[]> = { '1': [], '2': [] };
  const closePassagesRead: Record<string, number[]> = { '1': [], '2': [] };
  const closeRefused: Record<string, number> = { '1': 0, '2': 0 };
  const perGen = (r: TraceResult, into: Record<string, number[]>): void => {
    for (const k of ['1', '2']) into[k]!.push(r.people.filter((p) => String(p.generation) === k).length);
  };
  const slowest: Record<string, { f0: string; from: string; to: string; ms: number; people: number; contacts: number }> = {};
  const depth1Times: { t: (typeof traces)[number]; ms: number }[] = [];

  say('warming up Neo4j…');
  const tracesAt = (depth: number): typeof traces => (depth === 1 ? traces : traces.slice(0, a.depth2Traces));
  const lim = { maxContacts: a.maxContacts };
  const refused: Record<string, number> = { '1': 0, '2': 0 };
  const firstPage: Record<string, number[]> = { '1': [], '2': [] };
  const duckRefused: Record<string, number> = { '1': 0, '2': 0 };
  for (const t of traces.slice(0, Math.min(20, traces.length))) await orRefused(() => trace({ ...t, depth: 1 }, lim));
  for (const t of tracesAt(2).slice(0, 3)) await orRefused(() => trace({ ...t, depth: 2 }, lim));

  for (const depth of [1, 2]) {
    say(`Neo4j depth ${depth}: ${tracesAt(depth).length} traces…`);
    for (const t of tracesAt(depth)) {
      // One trace, timed in parts: the engine's answer (shaped, then built as a TraceResult) and
      // the API's first page (shaped, encoded and opened, its first 50 people read).
      const { value: shaped, ms: shapedMs } = await timed(() => orRefused(() => traceShaped({ ...t, depth }, lim)));
      if (shaped === undefined) {
        neo[depth]!.push(shapedMs);
        refused[depth]!++;
        continue;
      }
      const { value: r, ms: buildMs } = await timed(() => Promise.resolve(resultOf(shaped)));
      const ms = shapedMs + buildMs;
      neo[depth]!.push(ms);
      const { ms: pageMs } = await timed(() => Promise.resolve(openedTracePeople(encodeShapedTrace(shaped).opened, 0, FIRST_PAGE)));
      firstPage[depth]!.push(shapedMs + pageMs);
      size[depth]!.push(r.people.length);
      if (depth === 2) perGen(r, sizeByGen);
      if (depth === 1) depth1Times.push({ t, ms });
      if (ms > (slowest[depth]?.ms ?? -1)) slowest[depth] = { f0: t.f0, from: new Date(t.from).toISOString(), to: new Date(t.to).toISOString(), ms: Math.round(ms), people: r.people.length, contacts: r.contacts.length };
    }
    if (a.closeOnly) {
      say(`Neo4j depth ${depth} close-only: ${tracesAt(depth).length} traces…`);
      for (const t of tracesAt(depth)) {
        const { value: r, ms } = await timed(() => orRefused(() => trace({ ...t, depth, closeOnly: true }, lim)));
        closeMs[depth]!.push(ms);
        if (r === undefined) {
          closeRefused[depth]!++;
          continue;
        }
        closeSize[depth]!.push(r.people.length);
        if (depth === 2) perGen(r, closeSizeByGen);
      }
    }
    say(`Neo4j depth ${depth}: PROFILE of ${Math.min(a.profile, tracesAt(depth).length)} traces…`);
    for (const t of tracesAt(depth).slice(0, a.profile)) {
      for (const closeOnly of a.closeOnly ? [false, true] : [false]) {
        const counter = { hits: 0, passages: 0 };
        if (await orRefused(() => traceGenerations(resolveTraceParams({ ...t, depth, closeOnly }), { ...lim, runGeneration: profilingRunner(counter) }))) {
          (closeOnly ? closeHits : hits)[depth]!.push(counter.hits);
          (closeOnly ? closePassagesRead : passagesRead)[depth]!.push(counter.passages);
        }
      }
    }
  }

  const breakdown: { f0: string; people: number; contacts: number; passagesRead: number; ms: number[]; statementsMs: number[]; pairingMs: number[]; shapingMs: number[] }[] = [];
  const slowFirst = [...depth1Times].sort((x, y) => y.ms - x.ms).slice(0, a.breakdown);
  if (slowFirst.length > 0) say(`Neo4j depth 1: where the ${slowFirst.length} slowest traces spend their time…`);
  for (const { t } of slowFirst) {
    const row = { f0: t.f0, people: 0, contacts: 0, passagesRead: 0, ms: [] as number[], statementsMs: [] as number[], pairingMs: [] as number[], shapingMs: [] as number[] };
    for (let pass = 0; pass < 3; pass++) {
      const split: Split = { statementsMs: 0, generationsMs: 0, passagesRead: 0 };
      const { value: r, ms } = await timed(() => trace({ ...t, depth: 1 }, { ...lim, runGeneration: timingRunner(split) }));
      Object.assign(row, { people: r.people.length, contacts: r.contacts.length, passagesRead: split.passagesRead });
      row.ms.push(round(ms));
      row.statementsMs.push(round(split.statementsMs));
      row.pairingMs.push(round(split.generationsMs - split.statementsMs));
      row.shapingMs.push(round(ms - split.generationsMs));
    }
    breakdown.push(row);
  }

  const duckMs: Record<string, number[]> = { '1': [], '2': [] };
  let check: { traces: number; mismatches: number; examples: unknown[] } | undefined;
  if (a.duckdb && duck !== undefined) {
    const stmt = await duck.con.prepare(DUCK_GENERATION);
    const runGeneration = duckRunner(duck.duckdb, stmt);
    say('warming up DuckDB…');
    for (const t of tracesAt(2).slice(0, 5)) await orRefused(() => traceGenerations(resolveTraceParams({ ...t, depth: 2 }), { ...lim, runGeneration }));
    for (const depth of [1, 2]) {
      say(`DuckDB depth ${depth}: ${tracesAt(depth).length} traces…`);
      for (const t of tracesAt(depth)) {
        const { value: d, ms } = await timed(() => orRefused(() => traceGenerations(resolveTraceParams({ ...t, depth }), { ...lim, runGeneration })));
        if (!d) duckRefused[depth]!++;
        duckMs[depth]!.push(ms);
      }
    }
    say(`checking ${Math.min(a.check, traces.length)} traces: Neo4j and DuckDB give the same F1 and F2…`);
    check = { traces: 0, mismatches: 0, examples: [] };
    for (const t of tracesAt(2).slice(0, a.check)) {
      const n: TraceResult | undefined = await orRefused(() => trace({ ...t, depth: 2 }, lim));
      const d = await orRefused(() => traceGenerations(resolveTraceParams({ ...t, depth: 2 }), { ...lim, runGeneration }));
      if (n === undefined || d === undefined) continue;
      const ns = setsOf(n, 2);
      const ds = setsOf(d, 2);
      check.traces++;
      if (ns.join('\n') !== ds.join('\n')) {
        check.mismatches++;
        const nset = new Set(ns);
        const dset = new Set(ds);
        check.examples.push({ f0: t.f0, neo4jOnly: ns.filter((x) => !dset.has(x)).length, duckdbOnly: ds.filter((x) => !nset.has(x)).length });
      }
    }
  }

  const ratio = (depth: string): { p50: number; p95: number; p99: number } | undefined => {
    if (!a.duckdb) return undefined;
    const n = percentiles(neo[depth]!);
    const d = percentiles(duckMs[depth]!);
    const r = (x: number, y: number): number => round(x / Math.max(y, 0.001), 2);
    return { p50: r(d.p50, n.p50), p95: r(d.p95, n.p95), p99: r(d.p99, n.p99) };
  };
  const hitStats = (xs: number[]): { mean: number; p50: number } => {
    const p = percentiles(xs);
    return { mean: Math.round(p.mean), p50: Math.round(p.p50) };
  };

  const host = machine();
  const out = {
    city: duck === undefined ? { dir: path.resolve(a.dir) } : { dir: path.resolve(a.dir), passages: duck.passages, people: duck.people.length, spanDays: round((duck.span[1] - duck.span[0]) / DAY) },
    machine: { cpus: host.cpus, cpu: host.cpu, memoryGiB: host.memoryGB, node: host.node, neo4j: info.agent ?? '', loadAverage: host.loadAverage },
    settings: { traces: a.traces, depth2Traces: a.depth2Traces, maxContacts: a.maxContacts, periodDays: a.days, horizonDays: a.horizonDays, seed: a.seed, toleranceSeconds: 900, mode: 'time-respecting', closeOnly: a.closeOnly },
    neo4j: {
      depth1: { refusedTooLarge: refused['1'], ms: percentiles(neo['1']!), firstPageMs: percentiles(firstPage['1']!), people: percentiles(size['1']!), dbHits: hitStats(hits['1']!), passagesRead: hitStats(passagesRead['1']!), slowest: slowest['1'] ?? null, breakdown },
      depth2: {
        refusedTooLarge: refused['2'],
        ms: percentiles(neo['2']!),
        firstPageMs: percentiles(firstPage['2']!),
        people: percentiles(size['2']!),
        f1: percentiles(sizeByGen['1']!),
        f2: percentiles(sizeByGen['2']!),
        dbHits: hitStats(hits['2']!),
        passagesRead: hitStats(passagesRead['2']!),
        slowest: slowest['2'] ?? null,
      },
    },
    neo4jCloseOnly: a.closeOnly
      ? {
          closeSeconds: resolveTraceParams({ ...traces[0]!, depth: 1 }).closeSeconds,
          depth1: { refusedTooLarge: closeRefused['1'], ms: percentiles(closeMs['1']!), people: percentiles(closeSize['1']!), dbHits: hitStats(closeHits['1']!), passagesRead: hitStats(closePassagesRead['1']!) },
          depth2: {
            refusedTooLarge: closeRefused['2'],
            ms: percentiles(closeMs['2']!),
            people: percentiles(closeSize['2']!),
            f1: percentiles(closeSizeByGen['1']!),
            f2: percentiles(closeSizeByGen['2']!),
            dbHits: hitStats(closeHits['2']!),
            passagesRead: hitStats(closePassagesRead['2']!),
          },
        }
      : null,
    duckdb: a.duckdb && duck !== undefined ? { loadSeconds: round(duck.seconds), depth1: { refusedTooLarge: duckRefused['1'], ms: percentiles(duckMs['1']!) }, depth2: { refusedTooLarge: duckRefused['2'], ms: percentiles(duckMs['2']!) } } : null,
    ratioDuckdbOverNeo4j: a.duckdb ? { depth1: ratio('1'), depth2: ratio('2') } : null,
    check: check ?? null,
    rssMiB: { bench: ownPeakRssMB(), neo4j: neo4jPeakRss() ?? null },
  };
  printResult(out);
}

export default defineBench<Args>(
  module,
  {
    name: 'trace',
    description: 'trace depth 1 and 2 on an imported city (p50/p95/p99, db hits) against a DuckDB band join',
    options: (c) =>
      c
        .argument('<dir>', 'a generated city whose stations.csv and passages.csv are imported into the Neo4j NEO4J_URI points at')
        .option('--traces <n>', 'random people (seeded) to trace', whole, 200)
        .option('--days <n>', 'days of each infectious period (3: the 2021 rule; 14: the stress row)', whole, 3)
        .option('--horizon-days <n>', 'days after the period that later generations may be reached (until = to + n)', whole, 3)
        .option('--seed <n>', 'seed of the draw', whole, 1)
        .option('--check <n>', 'traces on which Neo4j and DuckDB must give the same F1 and F2', whole, 10)
        .option('--profile <n>', 'traces whose database hits are summed (PROFILE)', whole, 200)
        // Depth 2 in a dense city takes seconds per trace: PROFILE doubles that, so it can be narrowed.
        .option('--depth2-traces <n>', 'traces timed at depth 2, the first of --traces (default: all)', whole)
        .option('--max-contacts <n>', 'contact edges before a trace is refused as too large', whole, DEFAULT_MAX_CONTACTS)
        .option('--f0s <file>', 'picked traces: read when the file exists (DuckDB is then not needed), else written')
        .option('--breakdown <n>', 'slowest depth-1 traces whose time is split into statements, pairing and shaping', whole, 8)
        .option('--no-duckdb', 'skip the DuckDB comparison')
        .option('--no-close-only', 'skip the close-only runs of the same traces'),
    settings: (o, args) => {
      const opts = o as Omit<Args, 'dir' | 'depth2Traces'> & { depth2Traces?: number };
      const depth2Traces = opts.depth2Traces === undefined || opts.depth2Traces > opts.traces ? opts.traces : opts.depth2Traces;
      return { ...opts, dir: args[0]!, depth2Traces };
    },
  },
  main,
);
