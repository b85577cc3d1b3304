import fs from 'node:fs';
import { listAudit } from '../../engine/audit/store';
import { registerTracedCases } from '../../engine/cases';
import { closeDriver, readQuery, writeQuery } from '../../engine/db/driver';
import { infectiousPeriod } from '../../engine/outbreak';
import { makeAccount, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { tempDir } from '../helpers/imports';
import { startInProcess, type TestServer } from '../helpers/server';
import { loadTinyCity, type TinyCity } from '../helpers/tiny';

/**
 * The outbreak runs of the API over the tiny city (loaded in a province of the run's own):
 * 202 and a run that goes queued → running → done, its pages, scoping by the case person's home,
 * owner-only reads (admins and auditors: the record without case ids), cancel, a failed run's
 * state, the audit (counts, never who), and one case giving exactly the single trace's people.
 */

const run = newRunId('oba');
const province = runProvince();
let other = runProvince();
while (other === province) other = runProvince();
const dir = tempDir('outbreak-api');
let server: TestServer;
let city: TinyCity;
const tok = { tracer: '', other: '', national: '', admin: '', auditor: '' };
const REF = 'SYT-HCM 2021/0822';
const PURPOSE = 'trace the day’s confirmed cases';

interface Run {
  id: string;
  status: string;
  owner: string;
  caseCount: number;
  cases?: string[];
  params: { depth: number; until: string; closeOnly: boolean; mode: string };
  progress: { phase: string; generation: number; people: number; contacts: number; links: number };
  stats?: { people: number; contacts: number; links: number; clusters: number };
  graph?: { state: string; written: number };
  error?: string;
  hasResult: boolean;
  cancelRequested: boolean;
  people?: { id: string; generation: number; exposureAt: string; via: string[]; score: number; cases: { case: string; at: string }[] }[];
  contacts?: { source: string; target: string }[];
  links?: { from: string; to: string; generation: number }[];
  clusters?: { index: string; cases: string[] }[];
  page?: { number: number; size: number; totalPeople: number; totalPages: number };
  identities?: Record<string, { rawKey: string; fullName?: string }>;
  outside?: Record<string, { province?: string }>;
}

const start = (json: Record<string, unknown>, token = tok.tracer, s = server) =>
  s.request<Run>('POST', '/api/outbreaks', { token, json: { requestRef: REF, purpose: PURPOSE, ...json } });
const get = (id: string, q = '', token = tok.tracer, s = server) => s.request<Run>('GET', `/api/outbreaks/${id}${q}`, { token });

/** Polls the run until it has ended (done, failed, cancelled), then waits until its job is over (its end audited). */
async function ended(id: string, s = server): Promise<Run> {
  for (let i = 0; i < 300; i++) {
    const r = await get(id, '', tok.tracer, s);
    if (['done', 'failed', 'cancelled'].includes(r.body.status)) {
      await s.app.truyvet.outbreaks.idle();
      return r.body;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`outbreak run ${id} did not end`);
}

beforeAll(async () => {
  server = await startInProcess(run, { settings: { maxTraceDepth: 3 } });
  city = await loadTinyCity(run, province, dir);
  await registerTracedCases(city.cases, { by: `${run}-setup`, now: Date.now(), source: 'test' });
  for (const [k, role, j] of [
    ['tracer', 'tracer', { province }],
    ['other', 'tracer', { province: other }],
    ['national', 'tracer', undefined],
    ['admin', 'admin', undefined],
    ['auditor', 'auditor', undefined],
  ] as const) {
    const a = await makeAccount(run, k, role, j);
    tok[k] = await server.login(a.username, a.password);
  }
});
afterAll(async () => {
  await server.close();
  await removeRun(run, { people: city.people });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('starting a run', () => {
  it.each([
    ['confirmedSince', {}],
    ['requestRef', { requestRef: 'x' }],
    ['purpose', { purpose: ' ' }],
    ['depth', { confirmedSince: '2021-08-01', depth: 4 }],
    ['tolerance', { confirmedSince: '2021-08-01', tolerance: '2d' }],
    ['mode', { confirmedSince: '2021-08-01', mode: 'sideways' }],
    ['confirmedUntil', { confirmedSince: '2021-08-03', confirmedUntil: '2021-08-01' }],
    ['caseIds', { caseIds: [] }],
    ['', { confirmedSince: '2021-08-01', extra: 1 }],
  ])('refuses a request with a bad or missing %s (400 naming the field)', async (field, over) => {
    const res = await start(over);
    expect(res.status).toBe(400);
    const paths = (res.body as unknown as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths.some((p) => p.startsWith('body') && p.includes(field))).toBe(true);
  });

  it('refuses a run whose cases and horizon span more than TRUYVET_TRACE_MAX_DAYS (400 naming until)', async () => {
    const res = await start({ confirmedSince: '2021-08-01', until: '2021-08-25T00:00+07:00' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('body.until');
    expect(res.text).toContain('more than 21 days');
  });

  it('answers 202 with the queued run at once, which then runs to done with its counts and progress', async () => {
    const res = await start({ confirmedSince: '2021-08-01T00:00+07:00', depth: 2 });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'queued', caseCount: 8, cases: city.cases.map((c) => c.caseId).sort(), params: { depth: 2, mode: 'time-respecting', closeOnly: false }, hasResult: false });
    const done = await ended(res.body.id);
    expect(done).toMatchObject({ status: 'done', hasResult: true, progress: { phase: 'ended', generation: 3 }, stats: { clusters: 1 } });
    expect(done.progress.people).toBe(done.stats!.people);
    expect(done.progress.links).toBe(done.stats!.links);
  });
});

describe('a done run', () => {
  let id = '';
  let first: Run;
  beforeAll(async () => {
    id = (await start({ caseIds: city.cases.map((c) => c.caseId), depth: 2 })).body.id;
    await ended(id);
    first = (await get(id, '?pageSize=10')).body;
  });

  it('gives its owner a page: people with their cases, the contacts into them, links and clusters on page 1, identities of people living in the tracer’s province', () => {
    expect(first.people).toHaveLength(10);
    expect(first.page).toMatchObject({ number: 1, size: 10, totalPeople: first.stats!.people });
    expect(first.people!.every((p) => p.cases.length > 0 && p.cases.every((c) => city.cases.some((k) => k.caseId === c.case)))).toBe(true);
    const ids = new Set(first.people!.map((p) => p.id));
    expect(first.contacts!.every((c) => ids.has(c.target))).toBe(true);
    expect(first.links!.length).toBe(first.stats!.links);
    expect(first.clusters![0]!.index).toBe(city.caseId('C-7-0008'));
    // Everyone of this city lives in the tracer's province: registered people in full.
    const shown = Object.values(first.identities!);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((i) => i.rawKey.startsWith(run))).toBe(true);
  });

  it('pages on without links and clusters', async () => {
    const p2 = await get(id, '?page=2&pageSize=10');
    expect(p2.status).toBe(200);
    expect(p2.body.people!.map((p) => p.id)).not.toEqual(first.people!.map((p) => p.id));
    expect(p2.body.links).toBeUndefined();
    expect(p2.body.clusters).toBeUndefined();
  });

  it('is read only by its owner: another tracer 403 (audited), admins and auditors the record without case ids or people', async () => {
    expect((await get(id, '', tok.other)).status).toBe(403);
    const [denied] = await listAudit({ chain: run, action: 'access.denied', limit: 100 }).then((es) => es.filter((e) => e.target === id));
    expect(denied).toMatchObject({ outcome: 'denied', details: { route: 'outbreaksGet' } });
    for (const t of [tok.admin, tok.auditor]) {
      const r = await get(id, '', t);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id, status: 'done', caseCount: 8 });
      expect(r.body.cases).toBeUndefined();
      expect(r.body.people).toBeUndefined();
    }
    const list = await server.request<{ runs: Run[] }>('GET', '/api/outbreaks', { token: tok.auditor });
    expect(list.body.runs.find((r) => r.id === id)).toMatchObject({ owner: `${run}-tracer` });
    expect(list.text).not.toContain(city.caseId('C-7-0001'));
    const mine = await server.request<{ runs: Run[] }>('GET', '/api/outbreaks', { token: tok.other });
    expect(mine.body.runs.find((r) => r.id === id)).toBeUndefined();
  });

  it('is audited: started and finished with the request, purpose and counts, read page by page; never who', async () => {
    const events = (await listAudit({ chain: run, limit: 500 })).filter((e) => e.target === id);
    expect(events.find((e) => e.action === 'outbreak.create')).toMatchObject({ outcome: 'ok', requestRef: REF, purpose: PURPOSE, details: { cases: 8, depth: 2 } });
    expect(events.find((e) => e.action === 'outbreak.finish')).toMatchObject({ outcome: 'ok', count: first.stats!.people, details: { status: 'done', clusters: 1, links: first.stats!.links } });
    expect(events.find((e) => e.action === 'outbreak.finish')?.details).toHaveProperty('f1');
    expect(events.filter((e) => e.action === 'outbreak.read').length).toBeGreaterThanOrEqual(2);
    const text = JSON.stringify(events);
    for (const k of city.people) expect(text).not.toContain(k);
    expect(text).not.toContain(first.people![0]!.id);
    expect(text).not.toContain('C-7-0008');
  });
});

describe('scoping by the case person’s home', () => {
  it('refuses (403, audited) cases of people living outside the tracer’s jurisdiction, and finds none by confirmation time there', async () => {
    const res = await start({ caseIds: [city.caseId('C-7-0001')], requestRef: `${REF}-X` }, tok.other);
    expect(res.status).toBe(403);
    const [e] = await listAudit({ chain: run, action: 'access.denied', requestRef: `${REF}-X`, limit: 10 });
    expect(e).toMatchObject({ outcome: 'denied', details: { route: 'outbreaksCreate', cases: 1 } });
    const none = await start({ confirmedSince: '2021-08-01' }, tok.other);
    expect(none.status).toBe(400);
    expect(none.text).toContain('no case to trace');
  });

  it('answers a national tracer 404 for a case id the registry does not hold', async () => {
    const res = await start({ caseIds: [`${run}-nope`] }, tok.national);
    expect(res.status).toBe(404);
    expect(res.text).toContain(`${run}-nope`);
  });
});

describe('cancel', () => {
  it('stops a queued run: it ends cancelled, audited, and a second cancel answers it as it is', async () => {
    // Every slot of the trace gate held: the run waits its turn, queued.
    const gate = server.app.truyvet.traceGate;
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    const holders = [1, 2, 3].map(() => gate.run(() => held));
    try {
      const res = await start({ confirmedSince: '2021-08-01' });
      expect(res.status).toBe(202);
      const waiting = await get(res.body.id);
      expect(waiting.body).toMatchObject({ status: 'queued', progress: { phase: 'queued' } });
      expect((await server.request('POST', `/api/outbreaks/${res.body.id}/cancel`, { token: tok.other })).status).toBe(404);
      const c = await server.request<Run>('POST', `/api/outbreaks/${res.body.id}/cancel`, { token: tok.tracer });
      expect(c.status).toBe(200);
      expect(c.body.cancelRequested).toBe(true);
      const done = await ended(res.body.id);
      expect(done).toMatchObject({ status: 'cancelled', hasResult: false, error: 'cancelled by its owner' });
      const again = await server.request<Run>('POST', `/api/outbreaks/${res.body.id}/cancel`, { token: tok.tracer });
      expect(again.body.status).toBe('cancelled');
      const [e] = (await listAudit({ chain: run, action: 'outbreak.cancel', limit: 10 })).filter((x) => x.target === res.body.id);
      expect(e).toMatchObject({ outcome: 'ok', details: { asked: true } });
    } finally {
      release();
      await Promise.all(holders);
    }
  });
});

describe('a done run whose CONTACT relationships were being written by a process now gone', () => {
  /** A done run of this server, then made to look cut off while writing its CONTACT relationships by an earlier server run. */
  async function cutOff(): Promise<string> {
    const res = await start({ confirmedSince: '2021-08-01' });
    await ended(res.body.id);
    expect((await get(res.body.id)).body.graph?.state).toBe('written');
    await writeQuery("MATCH (r:OutbreakRun {id: $id}) SET r.instance = 'an-earlier-server-run.4242', r.graph = 'writing', r.graphWritten = 7", { id: res.body.id }, () => undefined);
    return res.body.id;
  }

  it('reads as done with its graph incomplete, as far as it got', async () => {
    const id = await cutOff();
    const r = await get(id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'done', hasResult: true, graph: { state: 'incomplete', written: 7 } });
  });

  it('is marked incomplete when a server starts', async () => {
    const id = await cutOff();
    await server.app.truyvet.outbreaks.failCutOff();
    const [state] = await readQuery('MATCH (r:OutbreakRun {id: $id}) RETURN r.graph AS g', { id }, (x) => String(x['g']));
    expect(state).toBe('incomplete');
  });
});

describe('a failed run', () => {
  it('ends failed with the reason, audited as failed, when it passes the contact budget', async () => {
    const small = await startInProcess(`${run}s`, { settings: { maxOutbreakContacts: 5, auditChain: run } });
    try {
      const res = await start({ confirmedSince: '2021-08-01' }, tok.tracer, small);
      expect(res.status).toBe(202);
      const done = await ended(res.body.id, small);
      expect(done).toMatchObject({ status: 'failed', hasResult: false });
      expect(done.error).toMatch(/contact/);
      const [e] = (await listAudit({ chain: run, action: 'outbreak.finish', limit: 100 })).filter((x) => x.target === res.body.id);
      expect(e).toMatchObject({ outcome: 'failed', details: { status: 'failed', reason: 'invalid_input' } });
    } finally {
      await small.close();
    }
  });
});

describe('the contact budget of a run', () => {
  it('is its own (TRUYVET_OUTBREAK_MAX_CONTACTS), not a single trace’s: a day of cases is many traces’ worth', async () => {
    const own = await startInProcess(`${run}b`, { settings: { maxTraceContacts: 5, maxOutbreakContacts: 5_000_000, auditChain: run } });
    try {
      const res = await start({ confirmedSince: '2021-08-01' }, tok.tracer, own);
      expect(res.status).toBe(202);
      const done = await ended(res.body.id, own);
      expect(done.error).toBeUndefined();
      expect(done).toMatchObject({ status: 'done', hasResult: true });
      expect(done.stats!.contacts).toBeGreaterThan(5);
    } finally {
      await own.close();
    }
  });
});

describe('one case', () => {
  it('lists exactly the people of that case’s single trace', async () => {
    const c = city.cases.find((x) => x.caseId === city.caseId('C-7-0008'))!;
    const period = infectiousPeriod(c);
    const res = await start({ caseIds: [c.caseId], depth: 2 });
    const done = await ended(res.body.id);
    expect(done.status).toBe('done');
    const page = await get(res.body.id, '?pageSize=1000');
    const trace = await server.request<{ people: { id: string; generation: number; exposureAt: string; via: string[]; score: number }[] }>('POST', '/api/traces', {
      token: tok.tracer,
      json: { f0: city.key('079090781922'), from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString(), depth: 2, requestRef: REF, purpose: PURPOSE, pageSize: 1000 },
    });
    expect(trace.status).toBe(201);
    expect(page.body.people!.map(({ cases: _c, ...p }) => p)).toEqual(trace.body.people);
    expect(page.body.people!.every((p) => p.cases.length === 1 && p.cases[0]!.case === c.caseId)).toBe(true);
  });
});
