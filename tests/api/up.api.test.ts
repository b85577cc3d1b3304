import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { neo4jJarCache } from '../../engine/config';
import { VIZ_DIST } from '../../viz/build';
import { runCli, startCli } from '../helpers/cli';
import { call } from '../helpers/server';

/**
 * The README's first command, `npm start` (= `truyvet up`), on a machine that has nothing yet:
 * no Neo4j data, no secrets, no accounts, no demo city. It gets a Neo4j home, data and state
 * folders of its own and none of the suite's connection settings or keys, so it starts its own
 * Neo4j and makes everything itself, as on a fresh checkout. Only the jar cache is shared (the
 * jars are fetched once per machine). A second `up` must reuse all of it, and a third, with
 * `--workers 2`, must do its setup once and serve from two workers.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-up-'));
let env: NodeJS.ProcessEnv = {};

interface Up {
  readonly url: string;
  readonly output: () => string;
  readonly stop: () => Promise<number | null>;
}

/** `truyvet up` until it says it is up; `stop` sends Ctrl-C's signal and resolves with the exit code. */
async function up(...args: string[]): Promise<Up> {
  const p = await startCli(['up', '--port', '0', '--people', '300', '--days', '3', ...args], {
    baseEnv: env,
    cwd: dir,
    listening: /truyvet is up: (http:\/\/[0-9.:]+)/,
    timeoutMs: 240_000,
  });
  return {
    url: p.url,
    output: p.output,
    stop: async () => {
      p.child.kill('SIGINT');
      return (await p.exit).code;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function login(url: string, username: string, password: string): Promise<string> {
  const r = await call(url, 'POST', '/api/auth/token', { json: { username, password } });
  expect(r.status).toBe(200);
  return r.body['accessToken'] as string;
}

beforeAll(async () => {
  const inherited = { ...process.env };
  // Nothing of the suite's database or keys: `up` must find or make its own.
  for (const name of Object.keys(inherited)) {
    if (name.startsWith('NEO4J_') || name.startsWith('TRUYVET_') || name.startsWith('XDG_')) delete inherited[name];
  }
  env = {
    ...inherited,
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_STATE_HOME: path.join(dir, 'state'),
    TRUYVET_NEO4J_CACHE: neo4jJarCache(),
    TRUYVET_NEO4J_HOME: path.join(dir, 'neo4j'),
    TRUYVET_NEO4J_BOLT_PORT: String(await freePort()),
    // A second Neo4j beside the suite's: small, the demo city here is 300 people.
    TRUYVET_NEO4J_HEAP: '512m',
    TRUYVET_NEO4J_PAGECACHE: '128m',
    // npm start's own level (jest's children would otherwise be silent): the workers' lines are read below.
    LOG_LEVEL: 'info',
  };
}, 30_000);

afterAll(async () => {
  // The Neo4j `up` started keeps running by design; this test started it, so it stops it.
  try {
    expect((await runCli(['neo4j', 'stop'], { baseEnv: env, timeoutMs: 120_000 })).code).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 150_000);

describe('truyvet up (npm start) on a fresh machine', () => {
  let tracerPassword = '';
  let stationCount = 0;

  test('starts Neo4j, loads the demo city, prints the demo accounts once, serves the API and the view; a trace of the printed F0 finds its contacts', async () => {
    const first = await up();
    try {
      const out = first.output();
      expect(out).toMatch(/Neo4j started \(Neo4j\/5\.26/);
      expect(out).toMatch(/imported passages: [1-9]\d* new, 0 duplicates, 0 rejected/);
      stationCount = Number(/imported stations: (\d+) new, 0 duplicates, 0 rejected/.exec(out)?.[1]);
      expect(stationCount).toBeGreaterThan(0);
      expect(out).toMatch(/imported declarations: [1-9]\d* new, 0 rejected/);
      // The generator's confirmed cases are loaded after people and passages when its city has them; without them, nothing is said.
      if (fs.existsSync(path.join(dir, 'data', 'truyvet', 'demo-city', 'cases.csv'))) {
        expect(out).toMatch(/imported cases: [1-9]\d* new, 0 duplicates, 0 rejected: [1-9]\d* confirmed cases loaded/);
      } else {
        expect(out).not.toMatch(/imported cases/);
      }
      const accounts = /demo-tracer\s+(\S+)\s+role tracer/.exec(out);
      expect(accounts).not.toBeNull();
      tracerPassword = accounts![1]!;
      const kept = path.join(dir, 'data', 'truyvet', 'secrets', 'demo-accounts.txt');
      expect(fs.statSync(kept).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(kept, 'utf8')).toContain(tracerPassword);
      // The generated keys are kept too, readable by the owner only.
      const keys = fs.readdirSync(path.join(dir, 'data', 'truyvet', 'secrets')).filter((f) => f !== 'demo-accounts.txt');
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) expect(fs.statSync(path.join(dir, 'data', 'truyvet', 'secrets', k)).mode & 0o077).toBe(0);

      // Run from elsewhere than the checkout, it names the view's folder in full.
      expect(out).toContain(`view built into ${VIZ_DIST}\n`);

      const hint = /try a trace: F0 (\S+), infectious from (\S+) to (\S+) /.exec(out);
      expect(hint).not.toBeNull();
      const [, f0, from, to] = hint!;

      expect((await call(first.url, 'GET', '/api/health')).body).toEqual({ status: 'ok', database: 'up' });
      const page = await fetch(first.url + '/');
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script[^>]+app\.js/);

      const tracer = await login(first.url, 'demo-tracer', tracerPassword);
      const trace = await call(first.url, 'POST', '/api/traces', {
        token: tracer,
        json: { f0, from, to, depth: 2, requestRef: 'DEMO 1', purpose: 'check the demo outbreak' },
      });
      expect(trace.status).toBe(201);
      const people = trace.body['people'] as { generation: number }[];
      expect(people.filter((p) => p.generation === 1).length).toBeGreaterThan(0);

      // The officer's jurisdiction (79/760) is applied to the demo city's stations.
      const officerPassword = /demo-officer\s+(\S+)\s+role officer/.exec(out)![1]!;
      const officer = await login(first.url, 'demo-officer', officerPassword);
      const stations = await call(first.url, 'GET', '/api/stations', { token: officer });
      expect(stations.status).toBe(200);
      const list = stations.body['stations'] as { district: string }[];
      expect(list.length).toBeGreaterThan(0);
      expect(list.length).toBeLessThan(stationCount);
      expect(list.every((s) => s.district === '760')).toBe(true);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  }, 300_000);

  test('a second start reuses the running Neo4j, the city, the accounts and the keys', async () => {
    expect(tracerPassword).not.toBe('');
    const second = await up();
    try {
      const out = second.output();
      expect(out).toMatch(/Neo4j already running/);
      expect(out).toContain(`the graph already holds ${stationCount} stations: no demo city loaded`);
      expect(out).not.toMatch(/generating the demo city/);
      expect(out).not.toMatch(/Demo accounts \(shown once/);
      expect(out).not.toContain(tracerPassword);
      // The same password still logs in, and the token is signed with the kept key.
      const tracer = await login(second.url, 'demo-tracer', tracerPassword);
      expect((await call(second.url, 'GET', '/api/traces', { token: tracer })).status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 300_000);

  test('with --workers 2, the setup runs once (in the primary) and two workers serve the same port', async () => {
    expect(tracerPassword).not.toBe('');
    const clustered = await up('--workers', '2');
    try {
      const out = clustered.output();
      expect(out).toContain('; 2 workers)');
      // Each setup step is said once: the workers, which run the same command, skip them.
      expect(out.match(/Neo4j already running/g)).toHaveLength(1);
      expect(out.match(/view built into/g)).toHaveLength(1);
      expect(out.match(/demo accounts demo-admin/g)).toHaveLength(1);
      // The workers' log lines share the pipe with the primary's and may arrive just after its own.
      const listening = () => new Set([...clustered.output().matchAll(/"worker":(\d+),"pid":\d+,[^\n]*"msg":"listening"/g)].map((m) => m[1]));
      for (let i = 0; i < 50 && listening().size < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(listening()).toEqual(new Set(['1', '2']));
      const tracer = await login(clustered.url, 'demo-tracer', tracerPassword);
      for (let i = 0; i < 4; i++) expect((await call(clustered.url, 'GET', '/api/traces', { token: tracer })).status).toBe(200);
    } finally {
      expect(await clustered.stop()).toBe(0);
    }
  }, 300_000);
});
