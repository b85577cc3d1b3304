import fs from 'node:fs';
import path from 'node:path';
import { updateAccount } from '../../engine/accounts/accounts';
import { listAudit } from '../../engine/audit/store';
import { closeDriver } from '../../engine/db/driver';
import { importRunner } from '../../api/import-runner';
import { resumeImports } from '../../api/handlers/imports';
import type { ImportRunner } from '../../api/imports';
import { localPermits } from '../../api/permits';
import { makeAccount, stationsCsv } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { checkpointFiles, committedRows, importFile, storedPassages, tempDir, writeFile } from '../helpers/imports';
import { call, startInProcess, startServeProcess, type TestServer } from '../helpers/server';

/**
 * An upload whose import a stop or a crash cuts off is not lost: its file and checkpoint stay on
 * disk, and the next start resumes it after its last committed batch — the graph then holds
 * each passage of the file exactly once. Both ways a server stops: gracefully (in-process, the
 * start-up step main.ts runs), and SIGKILL of a real `truyvet serve` process.
 */

const run = newRunId('ir');
const dir = tempDir('import-resume');
const ROWS = 40_000;

interface Job {
  id: string;
  state: string;
  error?: string;
  summary?: { read: number; imported: number; duplicates: number; rejected: number; resumedAtLine?: number | null };
}

/** One file per test, its passages at the run's 20 stations, ids unique to the test. */
function passagesCsv(tag: string): string {
  const lines = ['passage_id,person_id,station_id,at,left_at,source'];
  let t = Date.UTC(2021, 7, 2, 0, 0);
  for (let i = 0; i < ROWS; i++) {
    t += 1000 + ((i * 7919) % 3000);
    lines.push(`${run}${tag}x${i},${run}P${(i * 31) % 1500},${run}S${1 + (i % 20)},${new Date(t).toISOString()},,qr`);
  }
  return `${lines.join('\n')}\n`;
}

const uploadOf = (tag: string) => path.join(dir, `up-${tag}`);
const filesIn = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d) : []);

let importer = { username: '', password: '' };

beforeAll(async () => {
  await importFile('stations', writeFile(dir, 'stations.csv', stationsCsv(run, 20)));
  importer = await makeAccount(run, 'imp', 'importer');
});
afterAll(async () => {
  await removeRun(run, { passagePeople: true });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function waitDone(s: TestServer, id: string, token: string): Promise<Job> {
  for (let i = 0; i < 1200; i++) {
    const r = await s.request<Job>('GET', `/api/imports/${id}`, { token });
    if (r.body.state === 'done' || r.body.state === 'failed') return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('the import did not finish');
}

/** The importer's runner, pausing its server (a graceful stop) once a batch is committed. */
function pausingOnce(server: () => TestServer): ImportRunner {
  let paused = false;
  return (file, label, onProgress, scope, signal) =>
    importRunner(
      file,
      label,
      (p) => {
        onProgress(p);
        if (!paused && p.imported > 0) {
          paused = true;
          void server().app.truyvet.imports.pause();
        }
      },
      scope,
      signal,
    );
}

async function pausedUpload(tag: string): Promise<{ first: TestServer; jobId: string; token: string; storedBefore: number }> {
  const box: { server?: TestServer } = {};
  const first = await startInProcess(run, { importRunner: pausingOnce(() => box.server!), settings: { uploadDir: uploadOf(tag), importLimitBytes: 64 << 20 } });
  box.server = first;
  const token = await first.login(importer.username, importer.password);
  const r = await first.request<Job>('POST', '/api/imports/passages?name=log.csv', { token, body: passagesCsv(tag), headers: { 'content-type': 'text/csv' } });
  expect(r.status).toBe(202);
  await first.app.truyvet.imports.idle();
  const kept = await first.request<Job>('GET', `/api/imports/${r.body.id}`, { token });
  expect(kept.body.state).toBe('running');
  const storedBefore = (await storedPassages(`${run}S`)).filter((p) => p.id.startsWith(`${run}${tag}x`)).length;
  return { first, jobId: r.body.id, token, storedBefore };
}

it('a graceful stop pauses an import, and the next start resumes it after its last committed batch', async () => {
  const { first, jobId, token, storedBefore } = await pausedUpload('g');
  expect(storedBefore).toBeGreaterThan(0);
  expect(storedBefore).toBeLessThan(ROWS);
  expect(filesIn(uploadOf('g'))).toEqual([`${jobId}.csv`]);

  const second = await startInProcess(run, { importRunner, settings: { uploadDir: uploadOf('g'), importLimitBytes: 64 << 20 } });
  try {
    expect(await resumeImports(second.app.truyvet)).toEqual({ resumed: 1, refused: 0, swept: 0 });
    const job = await waitDone(second, jobId, token);
    expect(job.state).toBe('done');
    expect(job.summary).toMatchObject({ read: ROWS, rejected: 0 });
    expect(job.summary!.imported + job.summary!.duplicates).toBe(ROWS);
    expect(job.summary!.resumedAtLine).toBeGreaterThan(1);
    const stored = (await storedPassages(`${run}S`)).filter((p) => p.id.startsWith(`${run}gx`));
    expect(stored).toHaveLength(ROWS);
    expect(stored.every((p) => p.links === 1)).toBe(true);
    expect(filesIn(uploadOf('g'))).toEqual([]);
    const events = (await listAudit({ chain: run, limit: 1000 })).filter((e) => e.target === jobId).map((e) => [e.action, e.outcome, e.actor]);
    expect(events).toEqual(expect.arrayContaining([['import.resume', 'ok', importer.username], ['import.finish', 'ok', importer.username]]));
  } finally {
    await second.close();
    await first.close();
  }
}, 120_000);

it('an import waiting for the server-wide permit stays queued through a graceful stop, and the next start runs it', async () => {
  // Another worker holds the only import permit for as long as this server lives.
  const first = await startInProcess(run, { importRunner, sharedPermits: () => localPermits(0), settings: { uploadDir: uploadOf('w'), importLimitBytes: 64 << 20 } });
  let second: TestServer | undefined;
  try {
    const token = await first.login(importer.username, importer.password);
    const r = await first.request<Job>('POST', '/api/imports/passages?name=log.csv', { token, body: passagesCsv('w'), headers: { 'content-type': 'text/csv' } });
    expect(r.status).toBe(202);
    await new Promise((res) => setTimeout(res, 300));
    expect((await first.request<Job>('GET', `/api/imports/${r.body.id}`, { token })).body.state).toBe('queued');
    // The stop does not wait for a permit that never comes.
    await first.app.truyvet.imports.pause();
    expect((await storedPassages(`${run}S`)).filter((p) => p.id.startsWith(`${run}wx`))).toHaveLength(0);
    expect(filesIn(uploadOf('w'))).toEqual([`${r.body.id}.csv`]);

    second = await startInProcess(run, { importRunner, settings: { uploadDir: uploadOf('w'), importLimitBytes: 64 << 20 } });
    expect(await resumeImports(second.app.truyvet)).toEqual({ resumed: 1, refused: 0, swept: 0 });
    const job = await waitDone(second, r.body.id, token);
    expect(job).toMatchObject({ state: 'done', summary: { read: ROWS, imported: ROWS, rejected: 0 } });
  } finally {
    await second?.close();
    await first.close();
  }
}, 120_000);

it("does not resume for an importer whose account was disabled meanwhile: the job ends failed, its upload deleted", async () => {
  const { first, jobId } = await pausedUpload('d');
  const admin = await makeAccount(run, 'admin-d', 'admin');
  await updateAccount(importer.username, { disabled: true }, Date.now());
  const second = await startInProcess(run, { importRunner, settings: { uploadDir: uploadOf('d') } });
  try {
    expect(await resumeImports(second.app.truyvet)).toEqual({ resumed: 0, refused: 1, swept: 0 });
    const job = await second.request<Job>('GET', `/api/imports/${jobId}`, { token: await second.login(admin.username, admin.password) });
    expect(job.body.state).toBe('failed');
    expect(job.body.error).toMatch(/may no longer import.*send the file again/);
    expect(filesIn(uploadOf('d'))).toEqual([]);
    const denied = (await listAudit({ chain: run, limit: 1000 })).filter((e) => e.target === jobId && e.action === 'import.resume');
    expect(denied.map((e) => [e.outcome, e.actor])).toEqual([['denied', importer.username]]);
  } finally {
    await updateAccount(importer.username, { disabled: false }, Date.now());
    await second.close();
    await first.close();
  }
}, 120_000);

it('deletes at start the uploads of no job that were left for an hour (cut off while received), and only those', async () => {
  const up = uploadOf('s');
  fs.mkdirSync(up, { recursive: true });
  const old = path.join(up, `im${'a'.repeat(24)}.csv`);
  const fresh = path.join(up, `im${'b'.repeat(24)}.csv`);
  const other = path.join(up, 'notes.txt');
  for (const f of [old, fresh, other]) fs.writeFileSync(f, 'passage_id,person_id\n');
  const hourAgo = (Date.now() - 3_700_000) / 1000;
  fs.utimesSync(old, hourAgo, hourAgo);
  fs.utimesSync(other, hourAgo, hourAgo);
  const s = await startInProcess(run, { importRunner, settings: { uploadDir: up } });
  try {
    expect(await resumeImports(s.app.truyvet)).toEqual({ resumed: 0, refused: 0, swept: 1 });
    expect(filesIn(up).sort()).toEqual([path.basename(fresh), 'notes.txt']);
  } finally {
    await s.close();
  }
});

it('after a SIGKILL of the server mid-import, the next `truyvet serve` finishes the file: every passage once', async () => {
  const state = path.join(dir, 'state-k');
  const env = {
    TRUYVET_UPLOAD_DIR: uploadOf('k'),
    TRUYVET_IMPORT_STATE_DIR: state,
    TRUYVET_PURGE_AT: 'off',
    TRUYVET_AUDIT_CHAIN: run,
    LOG_LEVEL: 'info',
  };
  const one = await startServeProcess(env);
  const login = await call(one.url, 'POST', '/api/auth/token', { json: importer });
  const token = login.body['accessToken'] as string;
  const up = await call(one.url, 'POST', '/api/imports/passages?name=log.csv', { token, body: passagesCsv('k') });
  expect(up.status).toBe(202);
  const jobId = up.body['id'] as string;
  let seen = 0;
  for (let i = 0; i < 3000 && seen === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    seen = committedRows(state);
  }
  one.child.kill('SIGKILL');
  await one.exit;
  expect(seen).toBeGreaterThan(0);
  expect(seen).toBeLessThan(ROWS);
  expect(filesIn(uploadOf('k'))).toEqual([`${jobId}.csv`]);

  const two = await startServeProcess(env);
  try {
    expect(two.output()).toMatch(/"resumed":1/);
    let job: Job = { id: jobId, state: 'queued' };
    for (let i = 0; i < 1200 && job.state !== 'done' && job.state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await call(two.url, 'GET', `/api/imports/${jobId}`, { token })).body as unknown as Job;
    }
    expect(job.state).toBe('done');
    expect(job.summary).toMatchObject({ read: ROWS, rejected: 0 });
    expect(job.summary!.resumedAtLine).toBeGreaterThan(1);
    const stored = (await storedPassages(`${run}S`)).filter((p) => p.id.startsWith(`${run}kx`));
    expect(stored).toHaveLength(ROWS);
    expect(stored.every((p) => p.links === 1)).toBe(true);
    expect(filesIn(uploadOf('k'))).toEqual([]);
    expect(checkpointFiles(state)).toEqual([]);
  } finally {
    two.child.kill('SIGTERM');
    await two.exit;
  }
}, 240_000);
