/**
 * API benchmark (issue 5, item 11), run by hand; prints one JSON document on stdout, progress on
 * stderr:
 *
 *   npm run bench:api -- [--connections 4,16] [--seconds 20] [--cases 200] [--days 1] [--seed 1] [--workers 1] [--log-level info] [--keep] [--city DIR]
 *   (`--help` says what each option does)
 *
 * On the reusable benchmark city (bench/http.ts: 913,028 passages, 2,000 stations), it starts
 * the real server (`truyvet serve`, real Neo4j), creates a tracer account, and runs autocannon
 * against
 * - POST /api/traces, depth 2, time-respecting, for `--cases` people drawn (seeded) from the
 *   passages file, each with an infectious period of `--days` days starting two days before
 *   one of their passages (default 1 day). On this city a depth-2 trace grows fast with the
 *   period: one day finds some hundreds of people, three days some ten thousand (a third of
 *   the city), and takes seconds;
 * - GET /api/people/:id/timeline through traces opened beforehand (each F0 and the people
 *   on the first page of its trace),
 * at each connection count: requests/s, p50/p95/p99, error rate, the server's peak RSS.
 *
 * `--workers N` serves with `truyvet serve --workers N` (default TRUYVET_WORKERS, else 1); the
 * CPU and RSS columns then add the workers'.
 *
 * `--city DIR` runs on another city already in the database instead: a folder whose passages.csv
 * was imported, such as the design 1M city of bench:trace (~/.cache/truyvet/city-design-1m, run
 * against the store bench:trace imported it into).
 *
 * The per-IP request limit (TRUYVET_REQUESTS_PER_MINUTE, default 600) is raised for the run.
 * The traces the bench opened, its account and its audit chain are removed at the end.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createAccount } from '../engine/accounts/accounts';
import { dropChain } from '../engine/audit/store';
import { runAutoCommit } from '../engine/db/driver';
import { settingsFromEnv } from '../api/settings';
import { amount, countFrom1, defineBench, intList, log, machine, printResult, timed, whole, workersFromEnv } from './harness';
import { drawCases, ensureCity, importedCity, load, login, settle, startServer, type Case, type LoadResult } from './http';

interface Args {
  connections: number[];
  seconds: number;
  cases: number;
  days: number;
  seed: number;
  logLevel: string;
  workers: number;
  keep: boolean;
  city: string | undefined;
}

const traceBody = (c: Case) => JSON.stringify({ f0: c.f0, from: c.from, to: c.to, depth: 2, requestRef: 'BENCH-2021/0001', purpose: 'API benchmark', pageSize: 200 });

async function main(a: Args): Promise<void> {
  const city = a.city === undefined ? await ensureCity() : await importedCity(a.city);
  log(`city: ${city.dir} (${city.passages} passages, ${city.reused ? 'reused' : 'imported now'})`);
  const cases = await drawCases(path.join(city.dir, 'passages.csv'), a.cases, a.days, a.seed);

  const run = `ba${Date.now().toString(36)}`;
  const password = randomBytes(18).toString('base64url');
  const tracer = `${run}-tracer`;
  await createAccount({ username: tracer, password, role: 'tracer' }, Date.now());
  const server = await startServer({
    LOG_LEVEL: a.logLevel,
    TRUYVET_REQUESTS_PER_MINUTE: '100000000',
    TRUYVET_TOKEN_MINUTES: '240',
    TRUYVET_AUDIT_CHAIN: run,
    TRUYVET_PURGE_AT: 'off',
    TRUYVET_WORKERS: String(a.workers),
  });
  const traces: LoadResult[] = [];
  const timelines: LoadResult[] = [];
  const sizes: number[] = [];
  try {
    log(`server ${server.url} (pid ${server.pid})`);
    const token = await login(server.url, tracer, password);

    // Traces to read timelines through, and the sizes of the traces the bench runs.
    const pairs: { trace: string; person: string }[] = [];
    for (const c of cases.slice(0, 10)) {
      const { value: t, ms } = await timed(async () => {
        const r = await fetch(`${server.url}/api/traces`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: traceBody(c) });
        if (r.status !== 201) throw new Error(`trace answered ${r.status}: ${await r.text()}`);
        return (await r.json()) as { id: string; f0: string; people: { id: string }[]; peopleFound: number };
      });
      sizes.push(t.peopleFound);
      log(`  trace of ${t.peopleFound} people in ${Math.round(ms)} ms`);
      for (const p of [t.f0, ...t.people.slice(0, 20).map((x) => x.id)]) pairs.push({ trace: t.id, person: p });
    }

    for (const c of a.connections) {
      log(`POST /api/traces, ${c} connections, ${a.seconds} s`);
      await settle(server.url);
      // A trace may take seconds; the client waits up to a minute (the server's own limit is
      // TRUYVET_TRACE_TIMEOUT_MS, 30 s), so a slow trace counts as latency, not as an abandoned request.
      const r = await load({ url: server.url, method: 'POST', path: () => '/api/traces', body: (i) => traceBody(cases[i % cases.length]!), token, connections: c, seconds: a.seconds, server, timeout: 60 });
      log(`  ${r.rate} traces/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors} ${JSON.stringify(r.statuses)}, server peak RSS ${r.peakRssMB} MB`);
      traces.push(r);
    }
    for (const c of a.connections) {
      log(`GET /api/people/:id/timeline, ${c} connections, ${a.seconds} s`);
      await settle(server.url);
      const r = await load({
        timeout: 60,
        url: server.url,
        method: 'GET',
        path: (i) => {
          const p = pairs[i % pairs.length]!;
          return `/api/people/${p.person}/timeline?trace=${p.trace}`;
        },
        token,
        connections: c,
        seconds: a.seconds,
        server,
      });
      log(`  ${r.rate} timelines/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors} ${JSON.stringify(r.statuses)}, server peak RSS ${r.peakRssMB} MB`);
      timelines.push(r);
    }
  } finally {
    await server.stop();
    if (!a.keep) {
      log('removing the traces the bench opened, its account and its audit chain');
      await runAutoCommit('MATCH (t:TraceRecord {owner: $u}) CALL (t) { DETACH DELETE t } IN TRANSACTIONS OF 1 ROWS', { u: tracer });
      await runAutoCommit('MATCH (a:Account {username: $u}) DELETE a', { u: tracer });
      await dropChain(run);
    }
  }
  sizes.sort((x, y) => x - y);
  const trace16 = traces.find((r) => r.connections === 16);
  printResult({
    bench: 'api',
    machine: machine(),
    city: { dir: city.dir, passages: city.passages },
    settings: {
      logLevel: a.logLevel,
      workers: a.workers,
      seconds: a.seconds,
      cases: cases.length,
      days: a.days,
      depth: 2,
      requestsPerMinute: 100_000_000,
      // The server reads the same environment: what the trace gate (api/trace-gate.ts) ran with, per worker.
      traceConcurrency: settingsFromEnv().traceConcurrency,
      serverNodeArgs: process.env['BENCH_SERVER_NODE_ARGS'] ?? '',
    },
    traceSizes: { traces: sizes.length, peopleFoundP50: sizes[Math.floor(sizes.length / 2)] ?? 0, peopleFoundMax: sizes.at(-1) ?? 0 },
    traces,
    timelines,
    target: { errorRatePercent: 0.1, traceP99MsAt16: 500, met: trace16 === undefined ? null : trace16.errorRate < 0.1 && trace16.p99 < 500 },
  });
}

export default defineBench<Args>(
  module,
  {
    name: 'api',
    description: 'POST /api/traces and timelines through the real server under load',
    migrate: true,
    options: (c) =>
      c
        .option('--connections <list>', 'connection counts, one measured run each', intList, [4, 16])
        .option('--seconds <s>', 'length of each measured run', amount, 20)
        .option('--cases <n>', 'people drawn (seeded) from the passages file to trace', countFrom1, 200)
        .option('--days <n>', 'days of each infectious period, starting two days before one of their passages', amount, 1)
        .option('--seed <n>', 'seed of the draw', whole, 1)
        .option('--log-level <level>', "the server's LOG_LEVEL", 'info')
        .option('--workers <n>', 'serve with `truyvet serve --workers N` (default: TRUYVET_WORKERS, else 1)', countFrom1)
        .option('--keep', "keep the traces the bench opened, its account and its audit chain", false)
        .option('--city <dir>', 'another city already in the database: a folder whose passages.csv was imported'),
    settings: (o) => {
      const opts = o as Args;
      return { ...opts, city: opts.city === undefined ? undefined : path.resolve(opts.city), workers: (o['workers'] as number | undefined) ?? workersFromEnv() };
    },
  },
  main,
);
