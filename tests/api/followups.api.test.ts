import { listAudit } from '../../engine/audit/store';
import { registerTracedCases } from '../../engine/cases';
import { closeDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { makeAccount, passage, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';
import { buildCity, M, T0, type City } from './city';

/**
 * The follow-up routes through HTTP: a run's F1s become the list of the officers of the commune
 * they live in, with name and phone, each read audited; an officer of another commune sees
 * nothing and may change nothing; a change the status machine refuses is a 409 saying why; the
 * call list keeps a phone's leading zero as text; a tracer promotes a person of their run.
 */

const run = newRunId('fua');
const inside = runProvince();
let outside = runProvince();
while (outside === inside) outside = runProvince();
const DAY = 86_400_000;
let server: TestServer;
let city: City;
const tokens = { officer: '', stranger: '', tracer: '' };
let runId = '';

interface ListBody {
  followUps: { id: string; personId: string; status: string; generation: number; class: string; quarantineUntil: string }[];
  identities: Record<string, { phone?: string; fullName?: string }>;
}

beforeAll(async () => {
  server = await startInProcess(run, { settings: { checkUnits: false } });
  city = await buildCity(run, inside, outside);
  // A and D also stay 20 minutes with F0 at S1: close F1s, followed up by default (B, their F2, stays brief).
  await writePassages([passage(city.raw.a, city.stations.s1.id, T0 + 5 * M, T0 + 25 * M), passage(city.raw.d, city.stations.s1.id, T0 + 10 * M, T0 + 30 * M)]);
  await registerTracedCases([{ caseId: `${run}-f0`, personId: city.pid.f0, confirmedAt: T0 + DAY }], { by: `${run}-setup`, now: Date.now(), source: 'test' });
  const officer = await makeAccount(run, 'officer', 'officer', { province: inside, district: '001', commune: '00001' });
  const stranger = await makeAccount(run, 'stranger', 'officer', { province: inside, district: '001', commune: '00009' });
  const tracer = await makeAccount(run, 'tracer', 'tracer');
  tokens.officer = await server.login(officer.username, officer.password);
  tokens.stranger = await server.login(stranger.username, stranger.password);
  tokens.tracer = await server.login(tracer.username, tracer.password);
  const ob = await server.request<{ id: string }>('POST', '/api/outbreaks', { token: tokens.tracer, json: { caseIds: [`${run}-f0`], depth: 2, requestRef: 'SYT-2021/0815', purpose: 'follow-up test' } });
  expect(ob.status).toBe(202);
  runId = ob.body.id;
  await server.app.truyvet.outbreaks.idle();
});

afterAll(async () => {
  await server.close();
  await removeRun(run, { people: city.allRaw });
  await closeDriver();
});

const list = (token: string, q = '') => server.request<ListBody>('GET', `/api/followups${q}`, { token });
const mine = (b: ListBody) => b.followUps.filter((f) => Object.values(city.pid).includes(f.personId));

describe('the officers of the commune', () => {
  it("see the run's F1 living there with name and phone, its read audited with a count and no name", async () => {
    const res = await list(tokens.officer);
    expect(res.status).toBe(200);
    expect(mine(res.body).map((f) => [f.personId, f.status, f.generation, f.class])).toEqual([[city.pid.a, 'to_contact', 1, 'close']]);
    expect(res.body.identities[city.pid.a]).toMatchObject({ phone: '0900000002' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const events = await listAudit({ chain: run, action: 'followups.read', limit: 10 });
    expect(events.at(-1)).toMatchObject({ actor: `${run}-officer`, count: 1, details: { followUps: 1, status: 'to_contact,reached,unreachable,quarantined' } });
    expect(JSON.stringify(events)).not.toContain('CANARY');
  });

  it('of another commune see nothing, export nothing, and are refused a change (audited)', async () => {
    const res = await list(tokens.stranger, '?status=all');
    expect(res.status).toBe(200);
    expect(mine(res.body)).toEqual([]);
    expect(Object.keys(res.body.identities)).toEqual([]);
    const csv = await server.request('GET', '/api/followups/export?status=all', { token: tokens.stranger });
    expect(csv.text).not.toContain('0900000002');
    const id = mine((await list(tokens.officer)).body)[0]!.id;
    const patch = await server.request('PATCH', `/api/followups/${id}`, { token: tokens.stranger, json: { status: 'reached' } });
    expect(patch.status).toBe(403);
    const denied = await listAudit({ chain: run, action: 'access.denied', limit: 20 });
    expect(denied.filter((e) => e.details?.['route'] === 'followupsUpdate' && e.target === id)).toHaveLength(1);
  });

  it('export a call list that keeps the leading zero of a phone as text, audited', async () => {
    const res = await server.request('GET', '/api/followups/export', { token: tokens.officer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    // (fetch's text() drops the BOM; engine/followups/export.test.ts checks it is written)
    expect(res.text.replace(/^\uFEFF/, '').startsWith('follow_up_id,status,person_key,full_name,phone,')).toBe(true);
    const row = res.text.split('\r\n').find((l) => l.includes('0900000002'))!;
    expect(row).toContain(',"=""0900000002""",');
    expect(row).toContain('Trần Văn');
    const events = await listAudit({ chain: run, action: 'followups.export', limit: 10 });
    expect(events.at(-1)).toMatchObject({ count: 1, details: { followUps: 1, format: 'csv' } });
  });

  it('move a follow-up through its statuses; a refused change is a 409 saying what may follow, a bad status a 400 naming the field', async () => {
    const id = mine((await list(tokens.officer)).body)[0]!.id;
    const wrong = await server.request<{ detail: string }>('PATCH', `/api/followups/${id}`, { token: tokens.officer, json: { status: 'released' } });
    expect(wrong.status).toBe(409);
    expect(wrong.body.detail).toContain('from to_contact it may become reached, unreachable, tested_positive');
    const bad = await server.request('PATCH', `/api/followups/${id}`, { token: tokens.officer, json: { status: 'gone' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('status');
    const ok = await server.request<{ followUp: { status: string }; previousStatus: string; changed: boolean }>('PATCH', `/api/followups/${id}`, { token: tokens.officer, json: { status: 'reached', note: 'gọi được' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ followUp: { status: 'reached' }, previousStatus: 'to_contact', changed: true });
    const events = await listAudit({ chain: run, action: 'followups.status', limit: 10 });
    expect(events.at(-1)).toMatchObject({ target: id, details: { from: 'to_contact', to: 'reached', changed: true, note: true } });
    expect(JSON.stringify(events)).not.toContain('gọi được');
  });
});

describe('a tracer', () => {
  it("promotes an F2 of their run to the commune's list, audited", async () => {
    const res = await server.request<{ id: string; outcome: string; generation: number }>('POST', `/api/outbreaks/${runId}/followups`, { token: tokens.tracer, json: { personId: city.pid.b } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'created', generation: 2 });
    const listed = mine((await list(tokens.officer)).body);
    expect(listed.find((f) => f.personId === city.pid.b)).toMatchObject({ id: res.body.id, class: 'brief', generation: 2 });
    const events = await listAudit({ chain: run, action: 'followups.promote', limit: 10 });
    expect(events.at(-1)).toMatchObject({ actor: `${run}-tracer`, target: runId, outcome: 'ok', details: { followUp: res.body.id, outcome: 'created', generation: 2 } });
  });

  it('is told when the person is not in the run (404)', async () => {
    const res = await server.request('POST', `/api/outbreaks/${runId}/followups`, { token: tokens.tracer, json: { personId: city.pid.c } });
    expect(res.status).toBe(404);
  });
});

describe('daily counts', () => {
  it("give the commune's cases by confirmation day and F1s by exposure day (Ho Chi Minh City days); another commune's officer zeros", async () => {
    const q = `?from=2021-08-01T17:00:00Z&to=2021-08-03T17:00:00Z`;
    const res = await server.request<{ days: { day: string; cases: number; f1s: number }[]; followUps: Record<string, number> }>('GET', `/api/stats/daily${q}`, { token: tokens.officer });
    expect(res.status).toBe(200);
    expect(res.body.days).toEqual([
      { day: '2021-08-02', cases: 0, f1s: 1 },
      { day: '2021-08-03', cases: 1, f1s: 0 },
    ]);
    expect(res.body.followUps['reached']).toBeGreaterThanOrEqual(1);
    const other = await server.request<{ days: { cases: number; f1s: number }[] }>('GET', `/api/stats/daily${q}`, { token: tokens.stranger });
    expect(other.body.days.every((d) => d.cases === 0 && d.f1s === 0)).toBe(true);
    const bad = await server.request('GET', '/api/stats/daily?from=2021-08-03T00:00:00Z&to=2021-08-01T00:00:00Z', { token: tokens.officer });
    expect(bad.status).toBe(400);
  });
});
