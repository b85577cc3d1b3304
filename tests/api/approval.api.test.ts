import { listAudit } from '../../engine/audit/store';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { makeAccount, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';
import { buildCity, TRACE_PERIOD, type City } from './city';

/**
 * The approval step (issue 20, point 1), end to end through HTTP in both modes: with
 * TRUYVET_TRACE_APPROVAL=required a tracer's request waits, nothing traced, until an approver
 * of the requester's jurisdiction (not the requester) approves it, and then only its tracer reads
 * the people; with `off` (the default) it runs at once.
 */

const run = newRunId('ap');
const inside = runProvince();
let outside = runProvince();
while (outside === inside) outside = runProvince();
let city: City;
let server: TestServer;
let offServer: TestServer;
const tok = { tracer: '', national: '', approver: '', approverElsewhere: '', approverNational: '', admin: '', auditor: '' };

interface Meta {
  id: string;
  status: string;
  f0?: string;
  people?: unknown[];
  identities?: Record<string, unknown>;
  decision?: { by: string; at: string; note?: string };
  requestRef: string;
}
interface Pending {
  id: string;
  requester: string;
  requestRef: string;
  purpose: string;
  params: { from: string; to: string; depth: number };
}

const request = (s: TestServer, token: string, ref: string) =>
  s.request<Meta>('POST', '/api/traces', { token, json: { f0: city.raw.f0, ...TRACE_PERIOD, depth: 2, requestRef: ref, purpose: 'isolate the contacts of case 42' } });
const pendingList = (token: string) => server.request<{ requests: Pending[] }>('GET', '/api/trace-approvals', { token });
const decide = (token: string, id: string, json: Record<string, unknown>) => server.request<Meta>('POST', `/api/traces/${id}/approval`, { token, json });

beforeAll(async () => {
  server = await startInProcess(run, { settings: { traceApproval: 'required' } });
  offServer = await startInProcess(`${run}off`, { settings: { traceApproval: 'off', auditChain: run } });
  city = await buildCity(run, inside, outside);
  const accounts = [
    ['tracer', 'tracer', { province: inside }],
    ['national', 'tracer', undefined],
    ['approver', 'approver', { province: inside }],
    ['approverElsewhere', 'approver', { province: outside }],
    ['approverNational', 'approver', undefined],
    ['admin', 'admin', undefined],
    ['auditor', 'auditor', undefined],
  ] as const;
  for (const [k, role, j] of accounts) {
    const a = await makeAccount(run, k, role, j);
    tok[k] = await server.login(a.username, a.password);
  }
});
afterAll(async () => {
  await server.close();
  await offServer.close();
  await removeRun(run, { people: city.allRaw });
  await closeDriver();
});

describe('with TRUYVET_TRACE_APPROVAL=required', () => {
  let id = '';

  it('stores the request as pending (202) and traces nothing; the request is audited', async () => {
    const res = await request(server, tok.tracer, 'SYT-2021/1001');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', requestRef: 'SYT-2021/1001', f0: city.pid.f0, hasResult: false, peopleFound: 0 });
    expect(res.body.people).toBeUndefined();
    expect(res.body.identities).toBeUndefined();
    id = res.body.id;
    const stored = await readQuery('MATCH (t:TraceRecord {id: $id}) RETURN t.result IS NULL AS empty, t.members IS NULL AS noMembers', { id }, (r): unknown[] => [r['empty'], r['noMembers']]);
    expect(stored).toEqual([[true, true]]);
    const [e] = await listAudit({ chain: run, action: 'trace.request', requestRef: 'SYT-2021/1001', limit: 5 });
    expect(e).toMatchObject({ actor: `${run}-tracer`, outcome: 'ok', target: id, purpose: 'isolate the contacts of case 42' });
  });

  it('shows its tracer the status pending, and nothing to read through it yet', async () => {
    const res = await server.request<Meta>('GET', `/api/traces/${id}`, { token: tok.tracer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'pending', f0: city.pid.f0 });
    expect(res.body.people).toBeUndefined();
    expect((await server.request('GET', `/api/people/${city.pid.a}/timeline?trace=${id}`, { token: tok.tracer })).status).toBe(409);
    expect((await server.request('GET', `/api/hotspots?trace=${id}`, { token: tok.tracer })).status).toBe(409);
    const list = await server.request<{ traces: Meta[] }>('GET', '/api/traces', { token: tok.tracer });
    expect(list.body.traces.find((t) => t.id === id)?.status).toBe('pending');
  });

  it("lists it to an approver of the requester's jurisdiction with metadata only, never the case", async () => {
    const res = await pendingList(tok.approver);
    expect(res.status).toBe(200);
    const p = res.body.requests.find((r) => r.id === id);
    expect(p).toEqual({
      id,
      requester: `${run}-tracer`,
      requestRef: 'SYT-2021/1001',
      purpose: 'isolate the contacts of case 42',
      createdAt: expect.any(String) as string,
      params: { from: TRACE_PERIOD.from, to: TRACE_PERIOD.to, depth: 2, toleranceSeconds: 900, mode: 'time-respecting', closeSeconds: 900, closeOnly: false },
      status: 'pending',
    });
    expect(res.text).not.toContain(city.pid.f0);
    expect(res.text).not.toContain(city.raw.f0);
    expect((await pendingList(tok.approverNational)).body.requests.map((r) => r.id)).toContain(id);
  });

  it("keeps it from an approver of another jurisdiction: not listed, and deciding it is refused (403, audited)", async () => {
    expect((await pendingList(tok.approverElsewhere)).body.requests.map((r) => r.id)).not.toContain(id);
    const res = await decide(tok.approverElsewhere, id, { decision: 'approve' });
    expect(res.status).toBe(403);
    const denied = await listAudit({ chain: run, action: 'access.denied', actor: `${run}-approverElsewhere`, limit: 10 });
    expect(denied.some((e) => e.target === id && e.details?.['reason'] === 'outside jurisdiction')).toBe(true);
  });

  it('refuses a rejection without a note (400)', async () => {
    const res = await decide(tok.approver, id, { decision: 'reject' });
    expect(res.status).toBe(400);
  });

  it("approves: traces through the gate and stores the result for the tracer; the approver sees no one; audited with the approver as actor", async () => {
    const res = await decide(tok.approver, id, { decision: 'approve', note: 'QĐ 123/BYT' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, requestRef: 'SYT-2021/1001', status: 'ready', decision: { by: `${run}-approver`, at: expect.any(String) as string, note: 'QĐ 123/BYT' } });
    expect(res.text).not.toContain(city.pid.a);
    expect(res.text).not.toContain(city.pid.f0);
    const [e] = await listAudit({ chain: run, action: 'trace.approve', requestRef: 'SYT-2021/1001', limit: 5 });
    expect(e).toMatchObject({ actor: `${run}-approver`, role: 'approver', outcome: 'ok', target: id, count: 0, details: { requester: `${run}-tracer`, peopleFound: 3 } });
    const page = await server.request<Meta>('GET', `/api/traces/${id}`, { token: tok.tracer });
    expect(page.status).toBe(200);
    expect(page.body.status).toBe('ready');
    expect(page.body.people).toHaveLength(3);
    expect(page.body.decision).toMatchObject({ by: `${run}-approver`, note: 'QĐ 123/BYT' });
    expect(Object.keys(page.body.identities ?? {})).toContain(city.pid.a);
    expect((await server.request('GET', `/api/people/${city.pid.a}/timeline?trace=${id}`, { token: tok.tracer })).status).toBe(200);
  });

  it('gives the approver no way to read the result, and refuses a second decision (409)', async () => {
    expect((await server.request('GET', `/api/traces/${id}`, { token: tok.approver })).status).toBe(403);
    expect((await decide(tok.approverNational, id, { decision: 'reject', note: 'too late' })).status).toBe(409);
    expect((await pendingList(tok.approver)).body.requests.map((r) => r.id)).not.toContain(id);
  });

  it('rejects with a note: nothing traced, the tracer sees status rejected and why; audited', async () => {
    const req = await request(server, tok.tracer, 'SYT-2021/1002');
    const res = await decide(tok.approver, req.body.id, { decision: 'reject', note: 'no confirmed test result attached' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('rejected');
    const seen = await server.request<Meta>('GET', `/api/traces/${req.body.id}`, { token: tok.tracer });
    expect(seen.body).toMatchObject({ status: 'rejected', hasResult: false, decision: { by: `${run}-approver`, note: 'no confirmed test result attached' } });
    expect((await decide(tok.approver, req.body.id, { decision: 'approve' })).status).toBe(409);
    const [e] = await listAudit({ chain: run, action: 'trace.reject', requestRef: 'SYT-2021/1002', limit: 5 });
    expect(e).toMatchObject({ actor: `${run}-approver`, outcome: 'ok', target: req.body.id });
  });

  it("lists a national tracer's request only to a national approver", async () => {
    const req = await request(server, tok.national, 'SYT-2021/1003');
    expect(req.status).toBe(202);
    expect((await pendingList(tok.approver)).body.requests.map((r) => r.id)).not.toContain(req.body.id);
    expect((await pendingList(tok.approverNational)).body.requests.map((r) => r.id)).toContain(req.body.id);
    expect((await decide(tok.approver, req.body.id, { decision: 'approve' })).status).toBe(403);
  });

  it("refuses an approver deciding their own request (a tracer who became approver)", async () => {
    const a = await makeAccount(run, 'switcher', 'tracer', { province: inside });
    const asTracer = await server.login(a.username, a.password);
    const req = await request(server, asTracer, 'SYT-2021/1004');
    expect(req.status).toBe(202);
    const patch = await server.request('PATCH', `/api/accounts/${a.username}`, { token: tok.admin, json: { role: 'approver' } });
    expect(patch.status).toBe(200);
    const asApprover = await server.login(a.username, a.password);
    const res = await decide(asApprover, req.body.id, { decision: 'approve' });
    expect(res.status).toBe(403);
    const denied = await listAudit({ chain: run, action: 'access.denied', actor: a.username, limit: 10 });
    expect(denied.some((e) => e.target === req.body.id && e.details?.['reason'] === 'own request')).toBe(true);
    expect((await decide(tok.approver, req.body.id, { decision: 'approve' })).status).toBe(200);
  });

  it("still refuses (403) a case outside the tracer's jurisdiction at request time, before any approver sees it", async () => {
    const res = await server.request('POST', '/api/traces', {
      token: tok.tracer,
      json: { f0: `${run}-somebody-else`, ...TRACE_PERIOD, requestRef: 'SYT-2021/1005', purpose: 'isolate the contacts of case 43' },
    });
    expect(res.status).toBe(403);
  });
});

describe('with TRUYVET_TRACE_APPROVAL=off (the default)', () => {
  it('traces at once (201, status ready), and there is nothing for an approver to decide', async () => {
    const tracer = await offServer.login(`${run}-tracer`, 'correct horse 42 battery');
    const res = await request(offServer, tracer, 'SYT-2021/1010');
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('ready');
    expect(res.body.people).toHaveLength(3);
    const approver = await offServer.login(`${run}-approver`, 'correct horse 42 battery');
    const list = await offServer.request<{ requests: Pending[] }>('GET', '/api/trace-approvals', { token: approver });
    expect(list.body.requests.map((r) => r.id)).not.toContain(res.body.id);
    const national = await offServer.login(`${run}-approverNational`, 'correct horse 42 battery');
    expect((await offServer.request('POST', `/api/traces/${res.body.id}/approval`, { token: national, json: { decision: 'approve' } })).status).toBe(409);
  });
});
