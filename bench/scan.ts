/**
 * Checkpoint scan benchmark (issue 6), run by hand; prints one JSON document on stdout, progress
 * on stderr:
 *
 *   npm run bench:scan -- [--connections 10,50,100] [--seconds 15] [--warmup 30] [--codes 20000] [--workers 1] [--log-level info] [--city-only] [--keep]
 *   (`--help` says what each option does)
 *
 * On the reusable benchmark city (bench/http.ts: 913,028 passages, 2,000 stations), it starts
 * the real server (`truyvet serve` in a child process, real Neo4j), creates an officer account
 * for the whole province, signs `--codes` valid QR codes for people of the registry and stores
 * their code records (as POST /api/declarations would, without going through it), and runs autocannon on
 * POST /api/scans with a unique scan id per request, once per connection count: scans/s,
 * p50/p95/p99, errors, the server's peak RSS. `--workers N` serves with `truyvet serve --workers N`
 * (default: TRUYVET_WORKERS, else 1). Each person is always scanned at the same
 * station, so no scan is a "copied code"; every answer is a pass with a passage written.
 *
 * Before the measured runs, `--warmup` seconds of scans at the largest connection count: a Neo4j
 * just started needs about a minute of this load before its JIT settles (the first 15 s ran at
 * a fifth of the steady rate here, with 6 ms of Neo4j CPU per scan instead of 0.3).
 *
 * The per-IP request limit (TRUYVET_REQUESTS_PER_MINUTE, default 600) is raised for the run.
 * The bench's scans, their passages and windows, its account and its audit chain are removed
 * at the end (unless --keep); the city stays.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createAccount } from '../engine/accounts/accounts';
import { dropChain } from '../engine/audit/store';
import { readQuery, runAutoCommit } from '../engine/db/driver';
import { pseudonym } from '../engine/identity';
import { issueQrToken, newQrCodeId } from '../engine/qr/token';
import { amount, countFrom1, defineBench, intList, log, machine, printResult, workersFromEnv } from './harness';
import { ensureCity, load, login, startServer, type LoadResult } from './http';

interface Args {
  connections: number[];
  seconds: number;
  warmup: number;
  codes: number;
  logLevel: string;
  workers: number;
  cityOnly: boolean;
  keep: boolean;
}

async function csvColumn(file: string, column: number, limit: number): Promise<string[]> {
  const out: string[] = [];
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    out.push(line.split(',')[column]!);
    if (out.length >= limit) break;
  }
  lines.close();
  return out;
}

/** Removes what the scans wrote: Scan nodes and their passages (ids `qr-<scan id>`, unique-indexed), and the bench's code records. */
export async function removeScans(run: string, _since: number, _stations: readonly string[]): Promise<void> {
  await runAutoCommit(`MATCH (s:Scan) WHERE s.id STARTS WITH $run CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 5000 ROWS`, { run });
  await runAutoCommit(`MATCH (d:Declaration) WHERE d.id STARTS WITH $run CALL (d) { DETACH DELETE d } IN TRANSACTIONS OF 5000 ROWS`, { run });
  await runAutoCommit(`MATCH (x:Passage) WHERE x.id STARTS WITH $qr CALL (x) { DELETE x } IN TRANSACTIONS OF 5000 ROWS`, { qr: `qr-${run}` });
}

async function main(a: Args): Promise<void> {
  const city = await ensureCity();
  log(`city: ${city.dir} (${city.passages} passages, ${city.reused ? 'reused' : 'imported now'})`);
  if (a.cityOnly) return;

  const run = `bs${Date.now().toString(36)}`;
  const since = Date.now();
  const password = randomBytes(18).toString('base64url');
  const officer = `${run}-officer`;
  await createAccount({ username: officer, password, role: 'officer', jurisdiction: { province: '79' } }, Date.now());

  const people = await csvColumn(path.join(city.dir, 'people.csv'), 0, a.codes);
  const stations = await csvColumn(path.join(city.dir, 'stations.csv'), 0, 10_000);
  log(`signing ${people.length} QR codes`);
  const codes: string[] = [];
  const records: { id: string; pid: string; code: string; iat: number; exp: number }[] = [];
  for (const raw of people) {
    const issued = await issueQrToken({ codeId: newQrCodeId(), issuedAt: Date.now() });
    codes.push(issued.token);
    records.push({ id: `${run}-d${records.length}`, pid: pseudonym(raw), code: issued.claims.codeId, iat: issued.claims.issuedAt, exp: issued.claims.validUntil });
  }
  // A code names only its id: the server resolves it through the declaration's record (engine/db/scans.ts).
  await runAutoCommit(
    `UNWIND $records AS r CALL (r) {
       CREATE (:Declaration {id: r.id, pid: r.pid, status: 'accepted', province: '79', district: '', commune: '', qrCodeId: r.code, qrIssuedAt: r.iat, qrValidUntil: r.exp})
     } IN TRANSACTIONS OF 5000 ROWS`,
    { records },
  );

  const server = await startServer({
    LOG_LEVEL: a.logLevel,
    TRUYVET_REQUESTS_PER_MINUTE: '100000000',
    TRUYVET_TOKEN_MINUTES: '240',
    TRUYVET_AUDIT_CHAIN: run,
    TRUYVET_PURGE_AT: 'off',
    TRUYVET_WORKERS: String(a.workers),
  });
  const runs: LoadResult[] = [];
  let decisions: Record<string, number> | undefined;
  try {
    log(`server ${server.url} (pid ${server.pid})`);
    const token = await login(server.url, officer, password);
    let n = 0;
    const body = () => {
      const k = n++;
      const person = k % codes.length;
      return JSON.stringify({ qrText: codes[person], scanId: `${run}-${k}`, stationId: stations[person % stations.length] });
    };
    // Warm-up: both JITs, connection pools, plans.
    if (a.warmup > 0) {
      log(`warm-up: ${Math.max(...a.connections)} connections, ${a.warmup} s`);
      await load({ url: server.url, method: 'POST', path: () => '/api/scans', body, token, connections: Math.max(...a.connections), seconds: a.warmup, server });
    }
    for (const c of a.connections) {
      log(`${c} connections, ${a.seconds} s`);
      const r = await load({ url: server.url, method: 'POST', path: () => '/api/scans', body, token, connections: c, seconds: a.seconds, server });
      log(`  ${r.rate} scans/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors} ${JSON.stringify(r.statuses)}, server peak RSS ${r.peakRssMB} MB`);
      runs.push(r);
    }
    decisions = Object.fromEntries(
      await readQuery('MATCH (s:Scan) WHERE s.id STARTS WITH $run RETURN s.decision + ":" + s.reason AS d, count(*) AS n', { run }, (r) => [String(r['d']), Number(r['n'])] as const),
    );
  } finally {
    await server.stop();
    if (!a.keep) {
      log('removing the bench scans, their passages, the account and the audit chain');
      await removeScans(run, since, stations);
      await runAutoCommit('MATCH (a:Account {username: $u}) DELETE a', { u: officer });
      await dropChain(run);
    }
  }
  const best = runs.reduce<LoadResult | undefined>((b, r) => (b === undefined || r.rate > b.rate ? r : b), undefined);
  printResult({
    bench: 'scan',
    machine: machine(),
    city: { dir: city.dir, passages: city.passages },
    settings: { logLevel: a.logLevel, workers: a.workers, seconds: a.seconds, warmupSeconds: a.warmup, codes: codes.length, requestsPerMinute: 100_000_000 },
    runs,
    decisions,
    best: best && { connections: best.connections, scansPerSecond: best.rate, p50: best.p50, p99: best.p99 },
    target: { scansPerSecond: 2000, p99Ms: 50 },
  });
}

export default defineBench<Args>(
  module,
  {
    name: 'scan',
    description: 'POST /api/scans through the real server under load',
    migrate: true,
    options: (c) =>
      c
        .option('--connections <list>', 'connection counts, one measured run each', intList, [10, 50, 100])
        .option('--seconds <s>', 'length of each measured run', amount, 15)
        .option('--warmup <s>', 'seconds of scans at the largest connection count before the measured runs (0 skips)', amount, 30)
        .option('--codes <n>', 'QR codes signed for people of the registry', countFrom1, 20_000)
        .option('--log-level <level>', "the server's LOG_LEVEL", 'info')
        .option('--workers <n>', 'serve with `truyvet serve --workers N` (default: TRUYVET_WORKERS, else 1)', countFrom1)
        .option('--city-only', 'only make sure the benchmark city is imported, then exit', false)
        .option('--keep', "keep the bench's scans, account and audit chain", false),
    settings: (o) => ({ ...(o as Args), workers: (o['workers'] as number | undefined) ?? workersFromEnv() }),
  },
  main,
);
