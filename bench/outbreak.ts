/**
 * Outbreak benchmark (issue 22 point 9), run by hand; prints one JSON object:
 *
 *   npm run bench:outbreak -- [--passages 1000000] [--city design] [--cases 1000,5000] [--depths 1,2] [--reps 3] [--keep | --loaded] [--remove PREFIX]   (`--help`)
 *
 * A day of confirmed cases traced as one outbreak trace (engine/outbreak, to its shaped answer:
 * what the API stores and pages from; building the result objects of the CLI's --json is timed
 * apart) against the same cases traced one by one (each case's own infectious period, the single
 * trace's generations: its reads and pairing, no shaping, so the ratio errs low), both in the
 * same run, alternating which goes first, `--reps` times: on a shared machine only ratios
 * measured side by side mean much, and each side's CPU seconds in this process are given too.
 *
 * The city is its own: the seeded generator's (bench/city.ts, cached under ~/.cache/truyvet/),
 * copied with a run prefix in front of every id and imported with the real commands (stations,
 * passages), so it sits apart from everything else in the shared database; it is removed at the
 * end unless --keep (then the next run with the same city reuses it, and `--remove PREFIX` takes
 * it out). Nothing else in the database is touched.
 *
 * The cases: `--cases` distinct people (seeded) with a passage in the 24 h before the
 * confirmation day (`--day`, counted from the city's first day), confirmed at a random time of
 * that day, infectious from two days before (DESIGN.md's default): every case has at least one
 * passage in its window.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Option } from 'commander';
import { readQuery } from '../engine/db/driver';
import { pseudonym } from '../engine/identity';
import { DEFAULT_OUTBREAK_MAX_CONTACTS, outbreakResultOf, outbreakTraceShaped, type ShapedOutbreak } from '../engine/outbreak';
import { encodeShapedOutbreak, newOutbreakRunId, openRunFollowUps, removeRunGraph, writeRunGraph } from '../engine/outbreak-store';
import { runAutoCommit } from '../engine/db/driver';
import { resolveTraceParams } from '../engine/trace/params';
import { traceGenerations } from '../engine/trace/trace';
import { isTruyvetError } from '../engine/errors';
import { parseInstant } from '../engine/time';
import type { OutbreakCase } from '../engine/types';
import { FILES } from '../generator';
import { CACHE, DAYS, prefixedCity, rawCity, removePrefix, STATIONS, type CityKind } from './city';
import { mulberry32 } from './random';
import { countFrom1, defineBench, intList, log, machine, ownPeakRssMB, printResult, round, timed, truyvet, whole } from './harness';

interface Args {
  passages: number;
  city: CityKind;
  seed: number;
  cases: number[];
  depths: number[];
  reps: number;
  day: number;
  maxContacts: number;
  oneByOne: boolean;
  oneByOneMax: number | undefined;
  keep: boolean;
  loaded: boolean;
  store: boolean;
  closeOnly: boolean;
  remove: string | undefined;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface City {
  prefix: string;
  dir: string;
  people: number;
  passages: number;
  importSeconds: number | null;
  reused: boolean;
}

const label = (n: number): string => (n >= 1e6 ? `${Math.round(n / 1e6)}m` : `${Math.round(n / 1e3)}k`);

/** The city in the database under its own prefix: reused when a kept copy is still there, else imported now. */
async function loadCity(a: Args, run: string): Promise<City> {
  const raw = await rawCity({ kind: a.city, passages: a.passages, seed: a.seed }, log);
  if (a.loaded) {
    // A city too big to copy under a prefix in reasonable time (10M): the raw files as loaded, ids unprefixed.
    const n = await readQuery('MATCH (s:Station {id: $id}) RETURN count(s) AS n', { id: 'ST0001' }, (r) => Number(r['n']));
    if (n[0] !== 1) throw new Error(`--loaded: station ST0001 is not in the database; load ${raw.dir} first (truyvet import --bulk ${raw.dir})`);
    return { prefix: '', dir: raw.dir, people: raw.people, passages: raw.passages, importSeconds: null, reused: true };
  }
  const keptDir = path.join(CACHE, `outbreak-city-${a.city}-${label(a.passages)}-s${a.seed}`);
  const marker = path.join(keptDir, 'imported.json');
  if (fs.existsSync(marker)) {
    const m = JSON.parse(fs.readFileSync(marker, 'utf8')) as City;
    const n = await readQuery('MATCH (s:Station {id: $id}) RETURN count(s) AS n', { id: `${m.prefix}ST0001` }, (r) => Number(r['n']));
    if (n[0] === 1) return { ...m, reused: true };
    fs.rmSync(keptDir, { recursive: true, force: true });
  }
  const prefix = `${run}-`;
  const dir = a.keep ? keptDir : path.join(CACHE, `outbreak-${run}`);
  const files = await prefixedCity(raw.dir, dir, prefix);
  log(`importing ${files.rows} passages under the prefix ${prefix}…`);
  const t0 = performance.now();
  for (const [kind, file] of [['stations', files.stations], ['passages', files.passages]] as const) {
    const { out } = await truyvet(['import', kind, file, '--json', '--no-resume']);
    const s = JSON.parse(out) as { rejected: number };
    if (s.rejected > 0) throw new Error(`import ${kind} rejected ${s.rejected} rows`);
  }
  const city: City = { prefix, dir, people: raw.people, passages: files.rows, importSeconds: round((performance.now() - t0) / 1000), reused: false };
  if (a.keep) fs.writeFileSync(marker, JSON.stringify(city));
  return city;
}

/**
 * `n` distinct people with a passage in [dayStart − 24 h, dayStart), each confirmed at a random
 * instant of the day: their default window [confirmedAt − 2 d, confirmedAt] holds that passage.
 */
export async function drawDay(file: string, dayStart: number, n: number, seed: number): Promise<OutbreakCase[]> {
  const random = mulberry32(seed);
  const people = new Set<string>();
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    const cells = line.split(',');
    const at = parseInstant(cells[3]!);
    if (at.ok && at.ms >= dayStart - DAY && at.ms < dayStart) people.add(cells[1]!);
  }
  const pool = [...people].sort();
  if (pool.length < n) throw new Error(`only ${pool.length} people have a passage the day before: fewer than ${n} cases`);
  // Partial Fisher–Yates: the first n of a seeded shuffle.
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  // Each confirmation from its own seeded draw, so the first k cases are the same whatever n is.
  return pool.slice(0, n).map((raw, i) => ({ caseId: `B-${String(i + 1).padStart(5, '0')}`, personId: pseudonym(raw), confirmedAt: dayStart + Math.floor(mulberry32(seed * 100_003 + i)() * DAY) }));
}

interface Row {
  cases: number;
  depth: number;
  rep: number;
  /** The outbreak trace to its shaped answer (what the API stores and pages from). */
  outbreakSeconds: number;
  /** CPU seconds of this process in it (Neo4j's not counted: other sessions share the server). */
  outbreakCpuSeconds: number;
  /** Building the OutbreakResult objects from the shaped answer (the CLI's --json), apart. */
  resultSeconds: number;
  oneByOneSeconds: number | null;
  oneByOneCpuSeconds: number | null;
  /** Cases actually traced one by one; fewer than `cases`: the one-by-one times are scaled up from them. */
  oneByOneTraced: number;
  ratio: number | null;
  people: number;
  contacts: number;
  links: number;
  clusters: number;
  oneByOnePeopleSum: number | null;
  oneByOneRefused: number;
  /** With --store, the first repetition: what storing the run adds after the trace (seconds). */
  store?: StoreTimes;
}

interface StoreTimes {
  /** CONTACT (one per pair) and LINKED relationships written, a batch per transaction. */
  graphSeconds: number;
  contactRelationships: number;
  linkedRelationships: number;
  /** The sealed result's encoding (before sealing and the one write of its record). */
  encodeSeconds: number;
  encodedMB: number;
  /** Taking the run's relationships out again (what a purge or a failed run does). */
  removeSeconds: number;
  /** Opening the run's follow-ups (its close F1s), which a stored run does before its CONTACT relationships. */
  followUpSeconds: number;
  followUpsCreated: number;
}

/**
 * The heavy part of storing a run (engine/outbreak-store/store.ts storeShapedRun), on the bench's
 * own throwaway run id: its graph written and removed, its result encoded, its follow-ups opened
 * (and removed). Clusters across days are left out: the bench's cases are not in the registry.
 */
async function storeTimes(shaped: ShapedOutbreak): Promise<StoreTimes> {
  const id = newOutbreakRunId();
  try {
    const g = await timed(() => writeRunGraph(id, shaped.contacts, shaped.links, shaped.clusters));
    const e = await timed(() => Promise.resolve(encodeShapedOutbreak(shaped)));
    const r = await timed(() => removeRunGraph(id));
    const f = await timed(() => openRunFollowUps(id, shaped, { includeF2: false, now: Date.now() }));
    // The bench's own follow-ups go again (found by this throwaway run's source).
    await runAutoCommit('MATCH (x:FollowUp) WHERE $source IN x.sources CALL (x) { DETACH DELETE x } IN TRANSACTIONS OF 10000 ROWS', { source: `run:${id}` });
    return {
      graphSeconds: round(g.ms / 1000, 2),
      contactRelationships: g.value.contacts,
      linkedRelationships: g.value.links,
      encodeSeconds: round(e.ms / 1000, 2),
      encodedMB: round(e.value.bytes.length / 1e6, 1),
      removeSeconds: round(r.ms / 1000, 2),
      followUpSeconds: round(f.ms / 1000, 2),
      followUpsCreated: f.value.created,
    };
  } catch (err) {
    await removeRunGraph(id).catch(() => undefined);
    throw err;
  }
}

async function oneByOne(cases: readonly OutbreakCase[], depth: number, maxContacts: number, closeOnly: boolean): Promise<{ people: number; refused: number }> {
  let people = 0;
  let refused = 0;
  for (const c of cases) {
    try {
      const r = await traceGenerations(resolveTraceParams({ f0: c.personId, from: c.confirmedAt - 2 * DAY, to: c.confirmedAt, depth, closeOnly }), { maxContacts });
      people += r.people.length;
    } catch (e) {
      if (isTruyvetError(e) && e.code === 'invalid_input') refused++;
      else throw e;
    }
  }
  return { people, refused };
}

/** timed(), plus the CPU seconds (user + system) this process spent meanwhile. */
async function withCpu<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuSeconds: number }> {
  const c0 = process.cpuUsage();
  const r = await timed(work);
  const c = process.cpuUsage(c0);
  return { ...r, cpuSeconds: round((c.user + c.system) / 1e6, 2) };
}

async function main(a: Args): Promise<void> {
  if (a.remove !== undefined) {
    const { ms } = await timed(() => removePrefix(a.remove!));
    log(`removed ${a.remove} in ${Math.round(ms / 1000)} s`);
    return;
  }
  const run = `bob${Date.now().toString(36)}`;
  const { loadAverage: loadAverageAtStart, ...host } = machine();
  const city = await loadCity(a, run);
  const rows: Row[] = [];
  const refused: { cases: number; depth: number; reason: string }[] = [];
  try {
    const first = parseInstant('2021-08-01T00:00:00+07:00');
    if (!first.ok) throw new Error('bad start');
    const dayStart = first.ms + a.day * DAY;
    const drawn = await drawDay(path.join(city.dir, FILES.passages), dayStart, Math.max(...a.cases), a.seed);
    log(`drew ${drawn.length} cases confirmed on day ${a.day} (from ${new Date(dayStart).toISOString()})`);
    // Warm-up: the page cache and the JIT, on cases the timed runs use too.
    await outbreakTraceShaped({ cases: drawn.slice(0, 50), depth: 1, closeOnly: a.closeOnly }, { maxContacts: a.maxContacts });
    await oneByOne(drawn.slice(0, 50), 1, a.maxContacts, a.closeOnly);
    for (const n of a.cases) {
      const cases = drawn.slice(0, n);
      for (const depth of a.depths) {
        for (let rep = 1; rep <= a.reps; rep++) {
          try {
          const doOutbreak = () => withCpu(() => outbreakTraceShaped({ cases, depth, closeOnly: a.closeOnly }, { maxContacts: a.maxContacts }));
          // At most --one-by-one-max of them, their time scaled to all (said so in the row).
          const sample = a.oneByOneMax === undefined ? cases : cases.slice(0, a.oneByOneMax);
          const scale = cases.length / sample.length;
          const doOne = async () => {
            const r = await withCpu(() => oneByOne(sample, depth, a.maxContacts, a.closeOnly));
            return { ...r, ms: r.ms * scale, cpuSeconds: round(r.cpuSeconds * scale, 2) };
          };
          let o: Awaited<ReturnType<typeof doOutbreak>>;
          let s: Awaited<ReturnType<typeof doOne>> | undefined;
          // Alternating which goes first, so neither always runs on the warmer cache.
          if (rep % 2 === 1 || !a.oneByOne) {
            o = await doOutbreak();
            if (a.oneByOne) s = await doOne();
          } else {
            s = await doOne();
            o = await doOutbreak();
          }
          const st = o.value.head.stats;
          const b0 = performance.now();
          outbreakResultOf(o.value);
          const built = { ms: performance.now() - b0 };
          const row: Row = {
            cases: n,
            depth,
            rep,
            outbreakSeconds: round(o.ms / 1000, 2),
            outbreakCpuSeconds: o.cpuSeconds,
            resultSeconds: round(built.ms / 1000, 2),
            oneByOneSeconds: s === undefined ? null : round(s.ms / 1000, 2),
            oneByOneCpuSeconds: s?.cpuSeconds ?? null,
            oneByOneTraced: s === undefined ? 0 : sample.length,
            ratio: s === undefined ? null : round(s.ms / o.ms, 2),
            people: st.people,
            contacts: st.contacts,
            links: st.links,
            clusters: st.clusters,
            oneByOnePeopleSum: s?.value.people ?? null,
            oneByOneRefused: s?.value.refused ?? 0,
            ...(a.store && rep === 1 ? { store: await storeTimes(o.value) } : {}),
          };
          rows.push(row);
          log(JSON.stringify(row));
          } catch (e) {
            // Past the contact budget: said in the output, and the next (cases, depth) runs.
            if (!(isTruyvetError(e) && e.code === 'invalid_input')) throw e;
            refused.push({ cases: n, depth, reason: e.message });
            log(`refused: ${n} cases, depth ${depth}: ${e.message}`);
            break;
          }
        }
      }
    }
    const summary = a.cases.flatMap((n) =>
      a.depths.map((depth) => {
        const rs = rows.filter((r) => r.cases === n && r.depth === depth);
        const ratios = rs.map((r) => r.ratio).filter((x): x is number => x !== null);
        return {
          cases: n,
          depth,
          outbreakSeconds: rs.map((r) => r.outbreakSeconds),
          oneByOneSeconds: rs.map((r) => r.oneByOneSeconds),
          outbreakCpuSeconds: rs.map((r) => r.outbreakCpuSeconds),
          oneByOneCpuSeconds: rs.map((r) => r.oneByOneCpuSeconds),
          resultSeconds: rs.map((r) => r.resultSeconds),
          ratios,
          ratioMin: ratios.length > 0 ? Math.min(...ratios) : null,
          people: rs[0]?.people,
          contacts: rs[0]?.contacts,
          links: rs[0]?.links,
          clusters: rs[0]?.clusters,
        };
      }),
    );
    printResult({
      bench: 'outbreak',
      machine: { ...host, loadAverageAtStart, loadAverageAtEnd: machine().loadAverage },
      city: { kind: a.city, people: city.people, passages: city.passages, stations: STATIONS, days: DAYS, seed: a.seed, prefix: city.prefix, reused: city.reused, importSeconds: city.importSeconds },
      settings: { ...a, oneByOne: a.oneByOne ? 'traceGenerations per case over its own window (reads and pairing only)' : 'skipped' },
      summary,
      runs: rows,
      refused,
      peakRssMB: ownPeakRssMB(),
    });
  } finally {
    if (!a.keep && !city.reused) {
      log(`removing ${city.prefix}…`);
      await removePrefix(city.prefix).catch((e: Error) => log(`could not remove ${city.prefix} (${e.message}): npm run bench:outbreak -- --remove ${city.prefix}`));
      fs.rmSync(city.dir, { recursive: true, force: true });
    }
  }
}

export default defineBench<Args>(
  module,
  {
    name: 'outbreak',
    description: 'a day of cases as one outbreak trace vs one by one, same run (ratio, people, links, clusters, peak RSS)',
    migrate: true,
    options: (c) =>
      c
        .option('--passages <n>', 'passages of the generated city', countFrom1, 1_000_000)
        .addOption(new Option('--city <kind>', "design (DESIGN.md's proportions) or dense (the generator's default)").choices(['design', 'dense']).default('design'))
        .option('--seed <n>', 'generator seed, and the draw of the cases', whole, 2021)
        .option('--cases <list>', 'cases of the day, one measurement each, e.g. 1000,5000', intList, [1000])
        .option('--depths <list>', 'depths, e.g. 1,2', intList, [1, 2])
        .option('--reps <n>', 'repetitions of each (cases, depth)', countFrom1, 3)
        .option('--day <n>', 'the confirmation day, counted from the city’s first (0–13)', whole, 10)
        .option('--max-contacts <n>', 'contact budget of every trace (the outbreak run’s default)', whole, DEFAULT_OUTBREAK_MAX_CONTACTS)
        .option('--no-one-by-one', 'skip tracing the cases one by one')
        .option('--one-by-one-max <n>', 'trace at most N of the cases one by one and scale their time to all (depth 2 one by one takes long)', countFrom1)
        .option('--keep', 'keep the city in the database (reused by the next run with the same city)', false)
        .option('--close-only', 'only close contacts count, at every generation (both sides)', false)
        .option('--store', 'also time storing the first repetition’s run: its CONTACT/LINKED graph written and removed, its result encoded', false)
        .option('--loaded', 'the generated city is already in the database with its own ids (e.g. `truyvet import --bulk` of the cached files): use it, copy and remove nothing', false)
        .option('--remove <prefix>', 'only remove what a kept city put in the database, then exit'),
  },
  main,
);
