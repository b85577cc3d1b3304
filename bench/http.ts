/**
 * What the HTTP benchmarks (bench/scan.ts, bench/api.ts) share: the reusable benchmark city, the
 * real server as a child process, and autocannon runs measured per response.
 *
 * The city: `truyvet generate --people 34000 --stations 2000 --seed 1` (913,028 passages over 14
 * days, 2,000 stations, 7,036 declarations) in TRUYVET_BENCH_CITY (default
 * ~/.cache/truyvet/bench-city-34000), imported once with the real commands
 * (`truyvet import stations|people|passages|declarations`). Its ids are the generator's own
 * (ST0001…, CCCD numbers), not prefixed, so it stays in the database between runs and
 * bench:trace can use the same folder. `imported.json` in the folder is the marker; the
 * database is also asked for the city's first station and last passage, so a marker left over
 * from a wiped database triggers a new import (which is idempotent anyway).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon, { type Request as AcRequest } from 'autocannon';
import { readQuery } from '../engine/db/driver';
import { parseInstant } from '../engine/time';
import { BIN, localNeo4jPid, log, peakKb, percentile, procCpu, ROOT, round, truyvet } from './harness';
import { mulberry32 } from './random';

export const CITY = { people: 34_000, stations: 2000, days: 14, seed: 1 } as const;

export function benchCityDir(): string {
  return process.env['TRUYVET_BENCH_CITY'] ?? path.join(os.homedir(), '.cache', 'truyvet', `bench-city-${CITY.people}`);
}

/** `truyvet …` in a child; stdout returned, stderr passed through. */
async function cli(args: readonly string[]): Promise<string> {
  return (await truyvet(args)).out;
}

/** The cells of a generated CSV's rows, past its header (the generator writes no quoted commas). */
async function* csvRows(file: string): AsyncGenerator<string[]> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) header = false;
    else yield line.split(',');
  }
}

async function firstAndLast(file: string): Promise<{ first: string[]; last: string[] }> {
  let first: string[] | undefined;
  let last: string[] = [];
  for await (const cells of csvRows(file)) {
    first ??= cells;
    last = cells;
  }
  return { first: first ?? [], last };
}

/** A city folder whose passages.csv is already in the database (its first and last passage are). */
export async function importedCity(dir: string): Promise<{ dir: string; reused: boolean; passages: number }> {
  const file = path.join(dir, 'passages.csv');
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
  const { first, last } = await firstAndLast(file);
  for (const row of [first, last]) {
    const n = await readQuery('MATCH (r:Passage {id: $id}) RETURN count(r) AS n', { id: row[0] ?? '' }, (r) => Number(r['n']));
    if (n[0] !== 1) throw new Error(`passage ${row[0] ?? '(none)'} of ${file} is not in the database: import the city first`);
  }
  let passages = -1;
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) if (line !== '') passages++;
  return { dir, reused: true, passages };
}

/** Generates and imports the benchmark city unless it is already there; returns its folder. */
export async function ensureCity(dir = benchCityDir()): Promise<{ dir: string; reused: boolean; passages: number }> {
  const file = (name: string) => path.join(dir, name);
  if (!fs.existsSync(file('passages.csv')) || !fs.existsSync(file('declarations.jsonl'))) {
    log(`generating the city in ${dir}`);
    fs.mkdirSync(dir, { recursive: true });
    await cli(['generate', '--out', dir, '--people', String(CITY.people), '--stations', String(CITY.stations), '--days', String(CITY.days), '--seed', String(CITY.seed), '--json']);
  }
  const stations = await firstAndLast(file('stations.csv'));
  const passages = await firstAndLast(file('passages.csv'));
  const marker = file('imported.json');
  const there = async () => {
    const s = await readQuery('MATCH (s:Station {id: $id}) RETURN count(s) AS n', { id: stations.first[0] }, (r) => Number(r['n']));
    const p = await readQuery('MATCH (r:Passage {id: $id}) RETURN count(r) AS n', { id: passages.last[0] }, (r) => Number(r['n']));
    return s[0] === 1 && (p[0] ?? 0) > 0;
  };
  if (fs.existsSync(marker) && (await there())) {
    const m = JSON.parse(fs.readFileSync(marker, 'utf8')) as { passages: number };
    return { dir, reused: true, passages: m.passages };
  }
  log('importing the city (stations, people, passages, declarations); a few minutes');
  const summaries: Record<string, unknown> = {};
  for (const kind of ['stations', 'people', 'passages'] as const) {
    summaries[kind] = JSON.parse(await cli(['import', kind, file(`${kind}.csv`), '--json', '--no-resume'])) as unknown;
  }
  summaries['declarations'] = JSON.parse(await cli(['import', 'declarations', file('declarations.jsonl'), '--json'])) as unknown;
  const read = (summaries['passages'] as { read: number }).read;
  fs.writeFileSync(marker, `${JSON.stringify({ importedAt: new Date().toISOString(), city: CITY, passages: read, summaries }, null, 1)}\n`);
  return { dir, reused: false, passages: read };
}

export interface Server {
  readonly url: string;
  readonly pid: number;
  /** Peak resident memory of the server process so far (VmHWM; with workers, theirs added), MB. */
  peakRssMB(): number | null;
  stop(): Promise<void>;
}

/**
 * `truyvet serve --port 0` in a child with these settings; resolves once it listens.
 * BENCH_SERVER_NODE_ARGS passes flags to the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const nodeArgs = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter((x) => x !== '');
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, BIN, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const seek = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      // From here on the server's request log is only drained: kept and searched, it had cost
      // the benchmark process a search of a growing string per chunk.
      child.stdout!.off('data', seek);
      child.stdout!.resume();
      out = '';
      resolve(m[1]!);
    };
    child.stdout!.on('data', seek);
    child.once('exit', (code) => reject(new Error(`the server exited ${code} before listening`)));
  });
  const pid = child.pid!;
  return {
    url,
    pid,
    peakRssMB() {
      const own = peakKb(pid);
      if (own === null) return null;
      // With `serve --workers N`, the workers' peaks added (an upper bound of their peak together).
      let kb = own;
      for (const w of childPids(pid)) kb += peakKb(w) ?? 0;
      return Math.round(kb / 1024);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      // The server lets requests in flight finish (up to 10 s); a trace still running in the
      // database can hold it longer than a benchmark should wait.
      const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(force);
    },
  };
}

export async function login(url: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`login answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

export interface LoadResult {
  connections: number;
  requests: number;
  seconds: number;
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Connection errors, timeouts and answers outside 2xx. */
  errors: number;
  timeouts: number;
  connectionErrors: number;
  errorRate: number;
  statuses: Record<string, number>;
  peakRssMB: number | null;
  /**
   * CPU time per answered request, ms (user + system, from /proc): the server process, the local
   * Neo4j (when this machine runs it: its pid file under the launcher's home) and this process
   * (autocannon). All share the same cores, so their sum bounds the rate.
   */
  cpuMsPerRequest: { server: number | null; neo4j: number | null; bench: number } | null;
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && Number(entry) !== pid && procCpu(Number(entry))?.ppid === pid) out.push(Number(entry));
  }
  return out;
}

/**
 * CPU seconds (user + system) a process and its live children (the workers of `serve
 * --workers N`) have used so far, or null when /proc cannot tell.
 */
function cpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  const own = procCpu(pid);
  if (own === null) return null;
  let total = own.seconds;
  for (const child of childPids(pid)) total += procCpu(child)?.seconds ?? 0;
  return total;
}

/**
 * One autocannon run; latencies are taken from every response (autocannon's own histogram has
 * no p95). `next` makes each request's body, so every request can differ (unique scan ids).
 */
export async function load(o: {
  url: string;
  method: 'GET' | 'POST';
  path: (i: number) => string;
  body?: (i: number) => string;
  token: string;
  connections: number;
  seconds: number;
  server: Server;
  /** Seconds before autocannon gives a request up (counted as an error); default 10. */
  timeout?: number;
}): Promise<LoadResult> {
  let i = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const request: AcRequest = {
    method: o.method,
    path: o.path(0),
    headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
    setupRequest: (req) => {
      const k = i++;
      return { ...req, path: o.path(k), ...(o.body ? { body: o.body(k) } : {}) };
    },
  };
  // A NEO4J_URI elsewhere: the local pid file, if any, is not that server's.
  const neo4jPid = process.env['NEO4J_URI'] !== undefined ? null : localNeo4jPid();
  const cpu0 = { server: cpuSeconds(o.server.pid), neo4j: cpuSeconds(neo4jPid), bench: process.cpuUsage() };
  const started = performance.now();
  const res = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: o.url, connections: o.connections, duration: o.seconds, requests: [request], timeout: o.timeout ?? 10 }, (err, result) =>
      err ? reject(err as Error) : resolve(result),
    );
    // The instance passes the client first (autocannon's typings leave it out).
    (instance as unknown as { on(e: 'response', f: (client: unknown, status: number, bytes: number, ms: number) => void): void }).on('response', (_c, status, _b, ms) => {
      latencies.push(ms);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const spent = (before: number | null, after: number | null) => (before === null || after === null ? null : round(((after - before) * 1000) / latencies.length, 3));
  const benchCpu = process.cpuUsage(cpu0.bench);
  const cpuMsPerRequest =
    latencies.length === 0
      ? null
      : {
          server: spent(cpu0.server, cpuSeconds(o.server.pid)),
          neo4j: spent(cpu0.neo4j, cpuSeconds(neo4jPid)),
          bench: round((benchCpu.user + benchCpu.system) / 1000 / latencies.length, 3),
        };
  latencies.sort((a, b) => a - b);
  const non2xx = Object.entries(statuses).reduce((n, [s, c]) => (s.startsWith('2') ? n : n + c), 0);
  // autocannon's `errors` already counts its timeouts.
  const errors = non2xx + res.errors;
  const requests = latencies.length + res.errors;
  return {
    connections: o.connections,
    requests,
    seconds: round(seconds, 2),
    rate: round(latencies.length / seconds),
    p50: round(percentile(latencies, 0.5)),
    p95: round(percentile(latencies, 0.95)),
    p99: round(percentile(latencies, 0.99)),
    max: round(latencies.at(-1) ?? 0),
    errors,
    timeouts: res.timeouts,
    connectionErrors: res.errors - res.timeouts,
    errorRate: requests === 0 ? 0 : round((errors / requests) * 100, 3),
    statuses,
    peakRssMB: o.server.peakRssMB(),
    cpuMsPerRequest,
  };
}

/** Sleeps until the server answers quickly again (work from the previous run drained), at most `maxMs`. */
export async function settle(url: string, maxMs = 60_000): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    const t = performance.now();
    await fetch(`${url}/api/health`).catch(() => undefined);
    if (performance.now() - t < 50) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const DAY = 86_400_000;

export interface Case {
  f0: string;
  from: string;
  to: string;
}

/** `n` passages drawn by reservoir sampling; each gives a case around its instant. */
export async function drawCases(file: string, n: number, days: number, seed: number): Promise<Case[]> {
  const random = mulberry32(seed);
  const picked: { person: string; at: string }[] = [];
  let seen = 0;
  for await (const cells of csvRows(file)) {
    const row = { person: cells[1]!, at: cells[3]! };
    seen++;
    if (picked.length < n) picked.push(row);
    else {
      const j = Math.floor(random() * seen);
      if (j < n) picked[j] = row;
    }
  }
  return picked.map((p) => {
    const r = parseInstant(p.at);
    if (!r.ok) throw new Error(`bad instant ${p.at}`);
    const from = r.ms - 2 * DAY;
    return { f0: p.person, from: new Date(from).toISOString(), to: new Date(from + days * DAY).toISOString() };
  });
}
