import fs from 'node:fs';
import { num } from '../../engine/db/convert';
import { listAudit } from '../../engine/audit/store';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { passagesOfPerson } from '../../engine/db/passages';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { importRunner } from '../../api/import-runner';
import { makeAccount, runProvince, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';

const run = newRunId('im');
const people = [`${run}-P1`, `${run}-P2`];
let server: TestServer;
let importer = '';
let other = '';
let admin = '';

const HEADER = 'passage_id,person_id,station_id,at,left_at,source';
const csv = [
  HEADER,
  `${run}-x1,${people[0]},${run}-S1,2021-08-02T07:30:00+07:00,,qr`,
  `${run}-x2,${people[1]},${run}-S1,2021-08-02T07:35:00,2021-08-02T08:00:00,market`,
  `${run}-x3,${people[1]},${run}-NOPE,2021-08-02T07:35:00,,qr`,
  `${run}-x4,${people[0]},${run}-S1,not a time,,qr`,
].join('\n');

interface Job {
  id: string;
  state: string;
  progress: { read: number };
  summary?: { file: string; read: number; imported: number; duplicates: number; rejected: number; rejects: { line: number; field: string; reason: string }[] };
}

async function upload(body: string, token = importer, type = 'text/csv') {
  return server.request<Job>('POST', '/api/imports/passages?name=checkpoint-log.csv', { token, body, headers: { 'content-type': type } });
}

async function waitDone(id: string, token = importer): Promise<Job> {
  for (let i = 0; i < 200; i++) {
    const r = await server.request<Job>('GET', `/api/imports/${id}`, { token });
    if (r.body.state === 'done' || r.body.state === 'failed') return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('the import did not finish');
}

const p1 = runProvince();
let p2 = runProvince();
while (p2 === p1) p2 = runProvince();
let local = '';

beforeAll(async () => {
  server = await startInProcess(run, { importRunner, settings: { importLimitBytes: 4096 } });
  await upsertStations([station(`${run}-S1`, { province: p1, district: '001', commune: '00001' }), station(`${run}-S2`, { province: p2, district: '001', commune: '00001' })]);
  const accounts = await Promise.all([
    makeAccount(run, 'imp', 'importer'),
    makeAccount(run, 'imp2', 'importer'),
    makeAccount(run, 'admin', 'admin'),
    makeAccount(run, 'imp-p1', 'importer', { province: p1 }),
  ]);
  [importer, other, admin, local] = (await Promise.all(accounts.map((a) => server.login(a.username, a.password)))) as [string, string, string, string];
});
afterAll(async () => {
  await server.close();
  await removeRun(run, { people });
  await closeDriver();
});

describe('passage upload', () => {
  it('answers 202 with a job, imports through the engine pipeline, and reports line-numbered rejects', async () => {
    const r = await upload(csv);
    expect(r.status).toBe(202);
    expect(r.body.id).toMatch(/^im[0-9a-f]{24}$/);
    const job = await waitDone(r.body.id);
    expect(job.state).toBe('done');
    expect(job.summary).toMatchObject({ file: 'checkpoint-log.csv', read: 4, imported: 2, duplicates: 0, rejected: 2 });
    expect(job.summary?.rejects.map((x) => [x.line, x.field])).toEqual([
      [4, 'station_id'],
      [5, 'at'],
    ]);
    const stored = await passagesOfPerson(pseudonym(people[1]!), Date.UTC(2021, 7, 2), Date.UTC(2021, 7, 3));
    expect(stored.map((p) => [p.id, p.leftAt - p.at])).toEqual([[`${run}-x2`, 25 * 60_000]]);
    const events = await listAudit({ chain: run, limit: 100 });
    expect(events.filter((e) => e.target === r.body.id).map((e) => e.action)).toEqual(['import.start', 'import.finish']);
  });

  it('counts every known row as a duplicate when the same file comes again', async () => {
    const job = await waitDone((await upload(csv)).body.id);
    expect(job.summary).toMatchObject({ read: 4, imported: 0, duplicates: 2, rejected: 2 });
  });

  it('shows a job to its importer and to admins, not to another importer', async () => {
    const id = (await upload(csv)).body.id;
    await waitDone(id);
    expect((await server.request('GET', `/api/imports/${id}`, { token: admin })).status).toBe(200);
    expect((await server.request('GET', `/api/imports/${id}`, { token: other })).status).toBe(404);
  });

  it('refuses an upload over the byte limit (413) and a body that is not CSV (415)', async () => {
    const big = `${HEADER}\n${`${run}-y,${people[0]},${run}-S1,2021-08-02T07:30:00Z,,qr\n`.repeat(200)}`;
    const r = await upload(big);
    expect(r.status).toBe(413);
    expect((await upload('{"a":1}', importer, 'application/json')).status).toBe(415);
  });

  it('imports for an importer with a jurisdiction only at its own stations; the others are rejects with the reason', async () => {
    const rows = [
      HEADER,
      `${run}-j1,${people[0]},${run}-S1,2021-08-03T07:30:00Z,,qr`,
      `${run}-j2,${people[0]},${run}-S2,2021-08-03T09:30:00Z,,qr`,
      `${run}-j3,${people[1]},${run}-NOPE,2021-08-03T09:30:00Z,,qr`,
    ].join('\n');
    const job = await waitDone((await upload(rows, local)).body.id, local);
    expect(job.summary).toMatchObject({ read: 3, imported: 1, rejected: 2 });
    expect(job.summary?.rejects.map((x) => [x.line, x.field, x.reason])).toEqual([
      [3, 'station_id', `station '${run}-S2' is outside your jurisdiction`],
      [4, 'station_id', `unknown station '${run}-NOPE' (import its stations file first)`],
    ]);
    const stored = await passagesOfPerson(pseudonym(people[0]!), Date.UTC(2021, 7, 3), Date.UTC(2021, 7, 4));
    expect(stored.map((p) => p.id)).toEqual([`${run}-j1`]);
    // The same row from an importer without a jurisdiction is stored.
    const all = await waitDone((await upload([HEADER, `${run}-j2,${people[0]},${run}-S2,2021-08-03T09:30:00Z,,qr`].join('\n'))).body.id);
    expect(all.summary).toMatchObject({ imported: 1, rejected: 0 });
  });

  it('keeps a job in the graph: a server started later answers it with its summary', async () => {
    const id = (await upload(csv)).body.id;
    const first = await waitDone(id);
    const later = await startInProcess(run, { importRunner });
    try {
      const again = await later.request<Job>('GET', `/api/imports/${id}`, { token: importer });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first);
      expect((await later.request('GET', `/api/imports/${id}`, { token: other })).status).toBe(404);
    } finally {
      await later.close();
    }
  });

  it('answers a job that a stopped server did not finish, and whose upload is gone, as failed, with what to do', async () => {
    let release: (e: Error) => void = () => undefined;
    const stuck = await startInProcess(run, {
      importRunner: (_file, _label, onProgress) =>
        new Promise((_resolve, reject) => {
          onProgress({ read: 7, imported: 5, duplicates: 1, rejected: 1 });
          release = reject;
        }),
    });
    // Another upload folder: the cut-off job's file is not there (tests/api/import-resume.api.test.ts resumes one that is).
    const later = await startInProcess(run, { importRunner, settings: { uploadDir: `${stuck.app.truyvet.settings.uploadDir}-later` } });
    try {
      const r = await stuck.request<Job>('POST', '/api/imports/passages?name=cut.csv', { token: importer, body: csv, headers: { 'content-type': 'text/csv' } });
      expect(r.status).toBe(202);
      for (let i = 0; i < 100 && (await stuck.request<Job>('GET', `/api/imports/${r.body.id}`, { token: importer })).body.state !== 'running'; i++) await new Promise((res) => setTimeout(res, 20));
      // The process running it answers it live; another one (as after a crash) knows it was cut off.
      expect((await stuck.request<Job>('GET', `/api/imports/${r.body.id}`, { token: importer })).body).toMatchObject({ state: 'running', progress: { read: 7 } });
      const cut = await later.request<Job & { error: string }>('GET', `/api/imports/${r.body.id}`, { token: importer });
      expect(cut.body).toMatchObject({ state: 'failed', error: expect.stringMatching(/^the server stopped before this import finished and its upload is gone; send the file again/) as unknown });
    } finally {
      release(new Error('stopped'));
      await stuck.close();
      await later.close();
    }
  });

  describe('an upload whose header is unusable is a 400 at upload, not a job', () => {
    const jobsOf = (owner: string) => readQuery('MATCH (j:ImportJob {owner: $owner}) RETURN count(j) AS n', { owner }, (x) => num(x['n'])).then((r) => r[0]);
    const uploads = () => (fs.existsSync(server.app.truyvet.settings.uploadDir) ? fs.readdirSync(server.app.truyvet.settings.uploadDir) : []);
    const cases: [string, string | Buffer, RegExp][] = [
      ['an empty body', '', /empty: a header row is required/],
      ['a header without the required columns', `passage_id,person,station,when\n${run}-h1,P,S,2021-08-02T07:30:00Z\n`, /no person_id, station_id, at columns/],
      ['a header that names a column twice', `person_id,station_id,at,AT\nP,S,2021-08-02T07:30:00Z,x\n`, /gives at twice/],
      ['JSON sent as CSV', '{"person_id": "P", "station_id": "S"}', /no person_id, station_id, at columns/],
      ['bytes that are not text', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), /not CSV text/],
      ['a header that is not UTF-8', Buffer.concat([Buffer.from('person_id,station_id,at,ghi ch'), Buffer.from([0xfa]), Buffer.from('\nP,S,2021-08-02T07:30:00Z,x\n')]), /not UTF-8/],
    ];
    it.each(cases)('%s', async (_what, body, reason) => {
      const owner = `${run}-imp`;
      const before = await jobsOf(owner);
      const r = await server.request<{ status: number; code: string; detail: string; errors?: { path: string; message: string }[] }>('POST', '/api/imports/passages?name=bad.csv', {
        token: importer,
        body,
        headers: { 'content-type': 'text/csv' },
      });
      expect([r.status, r.body.code]).toEqual([400, 'invalid_header']);
      expect(r.body.detail).toMatch(reason);
      expect(r.body.errors?.[0]?.path).toBe('line 1');
      expect(JSON.stringify(r.body)).not.toMatch(/truyvet-test-uploads|\/tmp\//);
      expect(await jobsOf(owner)).toBe(before);
      expect(uploads().filter((f) => f.endsWith('.csv'))).toEqual([]);
    });

    it('takes a header with a BOM, CRLF, extra columns and columns in another order', async () => {
      const body = `\uFEFFat,station_id,extra,person_id\r\n2021-08-04T07:30:00Z,${run}-S1,x,${people[0]}\r\n`;
      const r = await upload(body);
      expect(r.status).toBe(202);
      expect((await waitDone(r.body.id)).summary).toMatchObject({ read: 1, rejected: 0 });
    });
  });
});
