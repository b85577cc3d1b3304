/**
 * Reading a stored trace page by page, as the view does (`GET /api/traces/:id` for each page of
 * 1,000 people), run by hand; prints one JSON object:
 *
 *   npm run bench:pages -- [--traces 3] [--days 3] [--page-size 1000] [--rounds 3] [--min-people 5000] [--seed 1]   (`--help`: what each does)
 *
 * On the reusable benchmark city (bench/http.ts), in-process: depth-2 traces of `--days`-day
 * periods around passages drawn (seeded) from the city, kept when they reach at least
 * `--min-people` people (up to the API's cap of 20,000) and under the API's 1,000,000-edge budget,
 * stored as the API stores them (engine/trace-store/store.ts). Then every page of each,
 * `--rounds` times both ways, alternating:
 *
 * - `reread`: the result let go before every page, so each page fetches, unseals, inflates and
 *   parses the whole stored result (the code before results were kept open);
 * - `open`: let go before the first page only (engine/trace-store/opened.ts).
 *
 * Per way: pages read, seconds, pages/s, p50/p95/p99 ms a page, ms per whole trace; the ratio of
 * the two; the first page of the `open` way (opening the stored result) against the second page
 * read right after storing (a trace is kept open from its storing); peak RSS. The stored traces
 * are deleted at the end.
 */
import path from 'node:path';
import { writeQuery } from '../engine/db/driver';
import { pseudonym } from '../engine/identity';
import { forgetOpenedTraces, getTraceRecordPeople, newTraceId, saveTraceRecord } from '../engine/trace-store';
import { isTruyvetError } from '../engine/errors';
import { trace } from '../engine/trace/trace';
import { amountFrom1, countFrom1, defineBench, log, machine, ownPeakRssMB, percentile, printResult, round, timed } from './harness';
import { drawCases, ensureCity } from './http';

interface Args {
  traces: number;
  days: number;
  pageSize: number;
  rounds: number;
  minPeople: number;
  seed: number;
}

const MAX_PEOPLE = 20_000; // TRUYVET_TRACE_MAX_PEOPLE's default: the API keeps no more
const MAX_CONTACTS = 1_000_000; // TRUYVET_TRACE_MAX_CONTACTS's default

interface Stored {
  id: string;
  people: number;
  contacts: number;
  pages: number;
}

async function readAll(t: Stored, pageSize: number, reread: boolean): Promise<number[]> {
  const times: number[] = [];
  forgetOpenedTraces();
  for (let p = 0; p < t.pages; p++) {
    if (reread) forgetOpenedTraces();
    const { value: got, ms } = await timed(() => getTraceRecordPeople(t.id, p * pageSize, (p + 1) * pageSize));
    times.push(ms);
    if (got?.slice?.result.people.length === 0) throw new Error(`trace ${t.id}: page ${p + 1} is empty`);
  }
  return times;
}

function summary(pageMs: number[], traceMs: number[]) {
  const sorted = [...pageMs].sort((x, y) => x - y);
  const seconds = pageMs.reduce((s, x) => s + x, 0) / 1000;
  return {
    rows: pageMs.length,
    seconds: round(seconds, 3),
    rate: round(pageMs.length / seconds),
    p50: round(percentile(sorted, 0.5), 2),
    p95: round(percentile(sorted, 0.95), 2),
    p99: round(percentile(sorted, 0.99), 2),
    msPerTrace: traceMs.map((x) => Math.round(x)),
  };
}

async function main(a: Args): Promise<void> {
  const city = await ensureCity();
  const cases = await drawCases(path.join(city.dir, 'passages.csv'), 40 * a.traces, a.days, a.seed);
  const stored: Stored[] = [];
  /** The second page read right after storing (the trace is open from its storing). */
  const afterStoring: number[] = [];
  /** The first page of the `open` way: opening the stored result. */
  const opening: number[] = [];
  try {
    for (const c of cases) {
      if (stored.length >= a.traces) break;
      let result;
      try {
        result = await trace({ f0: pseudonym(c.f0), from: Date.parse(c.from), to: Date.parse(c.to), depth: 2 }, { maxContacts: MAX_CONTACTS });
      } catch (e) {
        if (isTruyvetError(e) && e.code === 'invalid_input') continue; // too large to answer
        throw e;
      }
      if (result.people.length < a.minPeople || result.people.length > MAX_PEOPLE) continue;
      const id = newTraceId();
      const r = result;
      await saveTraceRecord(
        { id, owner: 'bench-pages', requestRef: 'BENCH-PAGES', purpose: 'page benchmark', createdAt: Date.now(), f0: r.f0, params: r.params, stats: r.stats, peopleFound: r.people.length, truncated: false },
        r,
      );
      afterStoring.push((await timed(() => getTraceRecordPeople(id, a.pageSize, 2 * a.pageSize))).ms);
      stored.push({ id, people: r.people.length, contacts: r.contacts.length, pages: Math.ceil(r.people.length / a.pageSize) });
      log(`stored a trace of ${r.people.length} people, ${r.contacts.length} contact edges`);
    }
    if (stored.length === 0) throw new Error(`no trace of ${a.days} days reached ${a.minPeople} people: lower --min-people`);
    const pages = { reread: [] as number[], open: [] as number[] };
    const traces = { reread: [] as number[], open: [] as number[] };
    for (let i = 0; i < a.rounds; i++) {
      for (const t of stored) {
        for (const way of i % 2 === 0 ? (['reread', 'open'] as const) : (['open', 'reread'] as const)) {
          const times = await readAll(t, a.pageSize, way === 'reread');
          pages[way].push(...times);
          if (way === 'open') opening.push(times[0]!);
          traces[way].push(times.reduce((s, x) => s + x, 0));
        }
      }
      log(`round ${i + 1} of ${a.rounds} done`);
    }
    const reread = summary(pages.reread, traces.reread);
    const open = summary(pages.open, traces.open);
    printResult({
      bench: 'pages',
      machine: machine(),
      settings: a,
      traces: stored.map(({ people, contacts, pages: n }) => ({ people, contacts, pages: n })),
      reread,
      open,
      rereadOverOpen: round(reread.seconds / open.seconds, 2),
      firstPageMs: { opening: opening.map((x) => round(x)), afterStoring: afterStoring.map((x) => round(x)) },
      peakRssMB: ownPeakRssMB(),
    });
  } finally {
    forgetOpenedTraces();
    await writeQuery('UNWIND $ids AS id MATCH (t:TraceRecord {id: id}) DELETE t', { ids: stored.map((t) => t.id) }, () => undefined);
  }
}

export default defineBench<Args>(
  module,
  {
    name: 'pages',
    description: 'reading a stored trace page by page: every page reading the whole result vs kept open',
    options: (c) =>
      c
        .option('--traces <n>', 'stored traces read page by page', countFrom1, 3)
        .option('--days <n>', 'days of each infectious period', amountFrom1, 3)
        .option('--page-size <n>', 'people a page', countFrom1, 1000)
        .option('--rounds <n>', 'times every page is read, both ways alternated', countFrom1, 3)
        .option('--min-people <n>', 'people a trace must reach to be kept', countFrom1, 5000)
        .option('--seed <n>', 'seed of the draw', countFrom1, 1),
  },
  main,
);
