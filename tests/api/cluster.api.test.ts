import fs from 'node:fs';
import path from 'node:path';
import { updateAccount } from '../../engine/accounts/accounts';
import { closeDriver } from '../../engine/db/driver';
import { citizen, declarationJson, makeAccount, stationsCsv } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { checkpointFiles, importFile, storedPassages, tempDir, writeFile } from '../helpers/imports';
import { call, startServeProcess, type ServeProcess } from '../helpers/server';

/**
 * `truyvet serve --workers 2`: two server processes on one port. Both answer; the primary
 * prints the address once; only worker 1 runs the daily purge; an account change counts on every
 * worker from its next request; an import running in one worker is followed from the other
 * without being taken for a cut-off one, and when its worker is killed, the worker that replaces
 * it resumes it; login attempts, requests and declarations per document number count against one
 * limit whichever worker takes them; the status shows every worker; SIGTERM stops all.
 */

const run = newRunId('cl');
const dir = tempDir('cluster');
const ROWS = 30_000;
let srv: ServeProcess;
let importer = { username: '', password: '' };

/** Pino lines of the processes, parsed. */
function lines(): Record<string, unknown>[] {
  return srv
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  await importFile('stations', writeFile(dir, 'stations.csv', stationsCsv(run, 20)));
  importer = await makeAccount(run, 'imp', 'importer');
  srv = await startServeProcess(
    { LOG_LEVEL: 'info', TRUYVET_LOGIN_PER_MINUTE: '12', TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR: '4', TRUYVET_PURGE_AT: '03:00', TRUYVET_AUDIT_CHAIN: run, TRUYVET_UPLOAD_DIR: path.join(dir, 'up'), TRUYVET_IMPORT_STATE_DIR: path.join(dir, 'state') },
    ['--workers', '2'],
  );
}, 120_000);
afterAll(async () => {
  if (srv.child.exitCode === null && srv.child.signalCode === null) {
    srv.child.kill('SIGKILL');
    await srv.exit;
  }
  await removeRun(run, { people: declared, passagePeople: true });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

const declared: string[] = [];

const workersOf = (msg: string) => new Set(lines().filter((l) => l['msg'] === msg).map((l) => l['worker']));

/** Waits (up to 10 s) for what the processes write: the primary may print before a worker's line lands. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
}

it('starts two workers on one port, prints the address once, and runs the daily purge in worker 1 only', async () => {
  expect(srv.output().match(/API listening on/g)).toHaveLength(1);
  expect(srv.output()).toContain('2 workers');
  // A worker logs the schedule right after 'listening'; its line may reach the pipe a moment later.
  await until(() => workersOf('listening').size === 2 && workersOf('retention purge scheduled').size > 0);
  expect(workersOf('listening')).toEqual(new Set([1, 2]));
  expect(workersOf('retention purge scheduled')).toEqual(new Set([1]));
  // Each request a connection of its own, dealt to the workers in turn.
  for (let i = 0; i < 6; i++) expect((await call(srv.url, 'GET', '/api/health')).status).toBe(200);
  await until(() => lines().filter((l) => l['route'] === 'health').length >= 6);
  const served = new Set(lines().filter((l) => l['route'] === 'health').map((l) => l['worker']));
  expect(served).toEqual(new Set([1, 2]));
});

it('refuses a disabled account on every worker from its next request', async () => {
  const other = await makeAccount(run, 'tr', 'tracer');
  const login = await call(srv.url, 'POST', '/api/auth/token', { json: other });
  const token = login.body['accessToken'] as string;
  for (let i = 0; i < 4; i++) expect((await call(srv.url, 'GET', '/api/auth/me', { token })).status).toBe(200);
  await updateAccount(other.username, { disabled: true }, Date.now());
  for (let i = 0; i < 4; i++) expect((await call(srv.url, 'GET', '/api/auth/me', { token })).status).toBe(401);
});

it("shows every worker's figures in the status, whichever worker answers", async () => {
  const admin = await makeAccount(run, 'adm', 'admin');
  const token = (await call(srv.url, 'POST', '/api/auth/token', { json: admin })).body['accessToken'] as string;
  const pids = await workerPids(srv.child.pid!);
  const answering = new Set<unknown>();
  for (let i = 0; i < 6; i++) {
    const r = await call(srv.url, 'GET', '/api/status', { token });
    expect(r.status).toBe(200);
    const workers = r.body['workers'] as { index: number; pid: number; answered: boolean; traces: { running: number } }[];
    expect(workers.map((w) => w.index)).toEqual([1, 2]);
    expect(new Set(workers.map((w) => w.pid))).toEqual(new Set(pids));
    expect(workers.every((w) => w.answered && w.traces.running === 0)).toBe(true);
    answering.add(r.body['pid']);
  }
  expect(answering).toEqual(new Set(pids));
});

it('follows an import from either worker, and the worker that replaces a dead one resumes its import', async () => {
  const rows = ['passage_id,person_id,station_id,at,left_at,source'];
  for (let i = 0; i < ROWS; i++) rows.push(`${run}x${i},${run}P${i % 900},${run}S${1 + (i % 20)},${new Date(Date.UTC(2021, 7, 2) + i * 2000).toISOString()},,qr`);
  const token = (await call(srv.url, 'POST', '/api/auth/token', { json: importer })).body['accessToken'] as string;
  const up = await call(srv.url, 'POST', '/api/imports/passages?name=log.csv', { token, body: `${rows.join('\n')}\n` });
  expect(up.status).toBe(202);
  const jobId = up.body['id'] as string;
  await until(() => lines().some((l) => l['route'] === 'importsCreate'));
  const runner = lines().find((l) => l['route'] === 'importsCreate')!['worker'];
  const pid = lines().find((l) => l['msg'] === 'listening' && l['worker'] === runner)!['pid'] as number;
  const before = await workerPids(srv.child.pid!);
  expect(before).toContain(pid);

  // Followed from both workers while it runs: never taken for a cut-off job.
  const states: string[] = [];
  const checkpoints = () => checkpointFiles(path.join(dir, 'state')).length;
  // Polled from an address of their own, so that the other tests' requests and these stay apart
  // under the general request limit (600 a minute per client).
  const from = '127.0.0.4';
  for (let i = 0; i < 400 && checkpoints() === 0; i++) {
    states.push((await call(srv.url, 'GET', `/api/imports/${jobId}`, { token, localAddress: from })).body['state'] as string);
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(checkpoints()).toBeGreaterThan(0);
  process.kill(pid, 'SIGKILL');

  let job: Record<string, unknown> = {};
  let lost = 0;
  for (let i = 0; i < 1200 && job['state'] !== 'done' && job['state'] !== 'failed'; i++) {
    try {
      job = (await call(srv.url, 'GET', `/api/imports/${jobId}`, { token, timeoutMs: 2000, localAddress: from })).body;
      states.push(job['state'] as string);
    } catch {
      // A connection the primary dealt to the killed worker before it saw it die: a client retries.
      lost++;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(lost).toBeLessThanOrEqual(2);
  expect(states).not.toContain('failed');
  expect(job).toMatchObject({ state: 'done', summary: { read: ROWS, rejected: 0 } });
  expect((job['summary'] as { resumedAtLine: number }).resumedAtLine).toBeGreaterThan(1);
  expect(srv.output()).toContain('a worker stopped; starting another');
  const stored = (await storedPassages(`${run}S`)).filter((p) => p.id.startsWith(`${run}x`));
  expect(stored).toHaveLength(ROWS);
  expect(stored.every((p) => p.links === 1)).toBe(true);
  const after = await workerPids(srv.child.pid!);
  expect(after).toHaveLength(2);
  expect(after).not.toContain(pid);
  for (let i = 0; i < 4; i++) expect((await call(srv.url, 'GET', '/api/health')).status).toBe(200);
}, 120_000);

it('runs one import at a time for the whole server: uploads to two workers take turns', async () => {
  const token = (await call(srv.url, 'POST', '/api/auth/token', { json: importer })).body['accessToken'] as string;
  const csv = (tag: string) => {
    const rows = ['passage_id,person_id,station_id,at,left_at,source'];
    for (let i = 0; i < ROWS; i++) rows.push(`${run}${tag}${i},${run}P${i % 900},${run}S${1 + (i % 20)},${new Date(Date.UTC(2021, 7, 5) + i * 2000).toISOString()},,qr`);
    return `${rows.join('\n')}\n`;
  };
  const seen = lines().filter((l) => l['route'] === 'importsCreate').length;
  // Two connections at once: the primary deals them to the two workers.
  const ups = await Promise.all(['ta', 'tb'].map((tag) => call(srv.url, 'POST', `/api/imports/passages?name=${tag}.csv`, { token, body: csv(tag) })));
  expect(ups.map((u) => u.status)).toEqual([202, 202]);
  await until(() => lines().filter((l) => l['route'] === 'importsCreate').length >= seen + 2);
  expect(new Set(lines().filter((l) => l['route'] === 'importsCreate').slice(seen).map((l) => l['worker']))).toEqual(new Set([1, 2]));

  // Polled in turn, a, b, a, b, …: a running, then b running, then a still running would mean
  // both ran at once (each runs once). Per worker, both would run from the start.
  const ids = ups.map((u) => u.body['id'] as string);
  const polls: { job: number; state: string }[] = [];
  const finished = (j: number) => polls.some((p) => p.job === j && (p.state === 'done' || p.state === 'failed'));
  // From an address of their own and 50 ms apart: unpaced, the polls ran into the general request
  // limit (600 a minute per client) within a second, and its 429s hid whole runs of an import.
  const from = '127.0.0.3';
  const deadline = Date.now() + 90_000;
  for (let i = 0; Date.now() < deadline && !(finished(0) && finished(1)); i++) {
    const job = i % 2;
    const r = await call(srv.url, 'GET', `/api/imports/${ids[job]}`, { token, localAddress: from });
    expect(r.status).toBe(200);
    polls.push({ job, state: r.body['state'] as string });
    await new Promise((done) => setTimeout(done, 50));
  }
  const running = polls.map((p) => p.state === 'running');
  const together = running.some((r, i) => r && running[i + 1] === true && running[i + 2] === true);
  expect(together).toBe(false);
  // Each was seen running: the turns were watched, not only the ends.
  expect([0, 1].map((j) => polls.some((p) => p.job === j && p.state === 'running'))).toEqual([true, true]);
  for (const id of ids) expect((await call(srv.url, 'GET', `/api/imports/${id}`, { token, localAddress: from })).body).toMatchObject({ state: 'done', summary: { read: ROWS, imported: ROWS, rejected: 0 } });
}, 120_000);

it('admits traces on every worker through the shared gate', async () => {
  const tracer = await makeAccount(run, 'tr-gate', 'tracer');
  const token = (await call(srv.url, 'POST', '/api/auth/token', { json: tracer })).body['accessToken'] as string;
  const seen = lines().filter((l) => l['route'] === 'tracesCreate').length;
  const body = { f0: `${run}P1`, from: '2021-08-05T00:00:00Z', to: '2021-08-05T06:00:00Z', depth: 1, requestRef: `${run}-gate`, purpose: 'cluster test' };
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await call(srv.url, 'POST', '/api/traces', { token, json: body }));
  expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
  expect((answers[0]!.body['people'] as unknown[]).length).toBeGreaterThan(0);
  await until(() => lines().filter((l) => l['route'] === 'tracesCreate').length >= seen + 4);
  expect(new Set(lines().filter((l) => l['route'] === 'tracesCreate').slice(seen).map((l) => l['worker']))).toEqual(new Set([1, 2]));
  // Every permit went back: nothing runs or waits afterwards.
  const admin = await makeAccount(run, 'adm-gate', 'admin');
  const adminToken = (await call(srv.url, 'POST', '/api/auth/token', { json: admin })).body['accessToken'] as string;
  const workers = (await call(srv.url, 'GET', '/api/status', { token: adminToken })).body['workers'] as { traces: { running: number; waiting: number; refused: number } }[];
  expect(workers.map((w) => w.traces)).toEqual([
    { running: 0, waiting: 0, refused: 0 },
    { running: 0, waiting: 0, refused: 0 },
  ]);
});

it('counts the general request limit of all workers together', async () => {
  // Another loopback address is another client: the other tests' requests do not count here.
  const from = '127.0.0.2';
  const limit = 600; // TRUYVET_REQUESTS_PER_MINUTE's default
  const burst = 50;
  // The limit's windows are the clock's minutes: start with time to spare in one.
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 40_000) await new Promise((r) => setTimeout(r, left + 100));
  const started = Date.now();
  let allowed = 0;
  let refused = 0;
  while (refused < 20 && allowed + refused < 3 * limit) {
    for (let i = 0; i < burst; i++) {
      const r = await call(srv.url, 'GET', '/api/health', { localAddress: from });
      if (r.status === 429) refused++;
      else {
        expect(r.status).toBe(200);
        allowed++;
      }
    }
    // Well past the workers' and the primary's sync periods (100 ms each): each burst is known
    // to both workers before the next starts, so only the last one can overshoot.
    await new Promise((r) => setTimeout(r, 700));
  }
  expect(Math.floor(Date.now() / 60_000)).toBe(Math.floor(started / 60_000));
  // Counted per worker, two workers would let through about twice the limit.
  expect(allowed).toBeGreaterThanOrEqual(limit);
  expect(allowed).toBeLessThanOrEqual(limit + burst);
  await until(() => lines().filter((l) => l['status'] === 429 && l['method'] === 'GET').length >= refused);
  const refusers = new Set(lines().filter((l) => l['status'] === 429 && l['method'] === 'GET').map((l) => l['worker']));
  expect(refusers).toEqual(new Set([1, 2]));
}, 120_000);

it('counts declarations per document number of all workers together', async () => {
  const c = citizen('Hồ Văn Cụm', 1983);
  declared.push(c.number);
  const statuses: number[] = [];
  // Another client address for each try: the per-address limit is not what stops them.
  for (let i = 0; i < 8; i++) {
    const r = await call(srv.url, 'POST', '/api/declarations', { json: declarationJson(c, Date.now() - 60_000, `${run}-doc-${i}`), localAddress: `127.0.1.${i + 1}` });
    statuses.push(r.status);
  }
  // Counted per worker, two workers would have let through up to twice the limit (4).
  expect(statuses).toEqual([201, 201, 201, 201, 429, 429, 429, 429]);
  await until(() => lines().filter((l) => l['route'] === 'declarationsSubmit' && l['status'] === 429).length >= 4);
  const refusers = new Set(lines().filter((l) => l['route'] === 'declarationsSubmit' && l['status'] === 429).map((l) => l['worker']));
  expect(refusers).toEqual(new Set([1, 2]));
  expect(srv.output()).not.toContain(c.number);
});

it('counts login attempts of all workers together', async () => {
  // Last before the stop: it uses up this client's login attempts for a minute.
  const limit = 12;
  let allowed = 0;
  let refused = 0;
  for (let i = 0; i < 3 * limit && refused < 4; i++) {
    const r = await call(srv.url, 'POST', '/api/auth/token', { json: { username: `${run}-nobody-${i}`, password: 'not the password' } });
    if (r.status === 429) refused++;
    else {
      expect(refused).toBe(0);
      expect(r.status).toBe(401);
      allowed++;
    }
  }
  // Counted per worker, two workers would have let through up to twice the limit.
  expect(refused).toBe(4);
  expect(allowed).toBeLessThanOrEqual(limit);
  await until(() => lines().filter((l) => l['status'] === 429).length >= 4);
  const refusers = new Set(lines().filter((l) => l['status'] === 429).map((l) => l['worker']));
  expect(refusers).toEqual(new Set([1, 2]));
});

it('stops every worker gracefully on SIGTERM to the primary', async () => {
  const pids = await workerPids(srv.child.pid!);
  srv.child.kill('SIGTERM');
  const exit = await srv.exit;
  expect(exit).toEqual({ code: 0, signal: null });
  await until(() => lines().filter((l) => l['msg'] === 'stopped').length >= 2);
  expect(lines().filter((l) => l['msg'] === 'stopped').length).toBeGreaterThanOrEqual(2);
  for (const pid of pids) expect(alive(pid)).toBe(false);
}, 60_000);

/** The primary's workers, from /proc. */
async function workerPids(primary: number): Promise<number[]> {
  await new Promise((r) => setTimeout(r, 10));
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const rest = fs.readFileSync(`/proc/${e}/stat`, 'utf8').split(') ').pop()!.split(' ');
      // Workers only: tsx may also have started its esbuild service as a child of the primary.
      if (Number(rest[1]) === primary && fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes('truyvet.js')) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out.sort((a, b) => a - b);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
