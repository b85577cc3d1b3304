import { listAudit } from '../../engine/audit/store';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { followUpsOfPeople } from '../../engine/db/followups';
import { makeAccount, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';
import { buildCity, TRACE_PERIOD, type City } from './city';

/**
 * The approval step for venue exposures, end to end through HTTP in both modes, as
 * approval.api.test.ts does for traces: with TRUYVET_TRACE_APPROVAL=required a tracer's exposure
 * request is checked, then waits, nothing read, until an approver of the requester's jurisdiction
 * (not the requester) approves it, and then only its tracer reads the people; with `off` (the
 * default) it is read at once and there is nothing to approve.
 */

const run = newRunId('xa');
const inside = runProvince();
let outside = runProvince();
while (outside === inside) outside = runProvince();
let city: City;
let server: TestServer;
let offServer: TestServer;
const tok = { tracer: '', national: '', approver: '', approverElsewhere: '', approverNational: '', admin: '' };

interface Exposure {
  id: string;
  status: string;
  stationId: string;
  params: { stationId: string; from: string; to: string; closeSeconds: number };
  people?: { id: string; class: string }[];
  identities?: Record<string, unknown>;
  decision?: { by: string; at: string; note?: string };
  hasResult?: boolean;
  peopleFound: number;
  requestRef: string;
}
interface Pending {
  id: string;
  requester: string;
  requestRef: string;
  purpose: string;
  stationId: string;
  params: { from: string; to: string };
  followUp: boolean;
  status: string;
}

const purpose = 'market outbreak, no known case';
const request = (s: TestServer, token: string, ref: string, over: Record<string, unknown> = {}) =>
  s.request<Exposure>('POST', '/api/exposures', { token, json: { stationId: city.stations.s1.id, ...TRACE_PERIOD, requestRef: ref, purpose, ...over } });
const pendingList = (token: string) => server.request<{ requests: Pending[] }>('GET', '/api/exposure-approvals', { token });
const decide = (token: string, id: string, json: Record<string, unknown>) => server.request<Exposure>('POST', `/api/exposures/${id}/approval`, { token, json });

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

  it('stores the request as pending (202) and reads no one; the request is audited', async () => {
    const res = await request(server, tok.tracer, 'SYT-2021/2001');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', requestRef: 'SYT-2021/2001', stationId: city.stations.s1.id, hasResult: false, peopleFound: 0 });
    expect(res.body.params).toEqual({ stationId: city.stations.s1.id, from: TRACE_PERIOD.from, to: TRACE_PERIOD.to, closeSeconds: 900 });
    expect(res.body.people).toBeUndefined();
    expect(res.body.identities).toBeUndefined();
    id = res.body.id;
    const stored = await readQuery('MATCH (e:ExposureRecord {id: $id}) RETURN e.result IS NULL AS empty, e.status AS status', { id }, (r): unknown[] => [r['empty'], r['status']]);
    expect(stored).toEqual([[true, 'pending']]);
    const [e] = await listAudit({ chain: run, action: 'exposure.request', requestRef: 'SYT-2021/2001', limit: 5 });
    expect(e).toMatchObject({ actor: `${run}-tracer`, outcome: 'ok', target: id, purpose, details: { stationId: city.stations.s1.id } });
  });

  it('checks the request when it is asked for: a station outside the jurisdiction 403 (audited), an unknown one 404, nothing stored', async () => {
    const out = await request(server, tok.tracer, 'SYT-2021/2002', { stationId: city.stations.s3.id });
    expect(out.status).toBe(403);
    const [e] = await listAudit({ chain: run, action: 'exposure.request', requestRef: 'SYT-2021/2002', limit: 5 });
    expect(e).toMatchObject({ outcome: 'failed', details: { reason: 'forbidden' } });
    expect((await request(server, tok.tracer, 'SYT-2021/2003', { stationId: `${run}-NOWHERE` })).status).toBe(404);
    const n = await readQuery("MATCH (e:ExposureRecord) WHERE e.requestRef IN ['SYT-2021/2002', 'SYT-2021/2003'] AND e.owner = $o RETURN count(e) AS n", { o: `${run}-tracer` }, (r) => Number(r['n']));
    expect(n).toEqual([0]);
  });

  it('shows its tracer the status pending, in the exposure and in their list', async () => {
    const res = await server.request<Exposure>('GET', `/api/exposures/${id}`, { token: tok.tracer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'pending', hasResult: false });
    expect(res.body.people).toBeUndefined();
    const list = await server.request<{ exposures: Exposure[] }>('GET', '/api/exposures', { token: tok.tracer });
    expect(list.body.exposures.find((x) => x.id === id)?.status).toBe('pending');
  });

  it("lists it to an approver of the requester's jurisdiction with metadata only, never the people", async () => {
    const res = await pendingList(tok.approver);
    expect(res.status).toBe(200);
    expect(res.body.requests.find((r) => r.id === id)).toEqual({
      id,
      requester: `${run}-tracer`,
      requestRef: 'SYT-2021/2001',
      purpose,
      createdAt: expect.any(String) as string,
      stationId: city.stations.s1.id,
      params: { stationId: city.stations.s1.id, from: TRACE_PERIOD.from, to: TRACE_PERIOD.to, closeSeconds: 900 },
      followUp: false,
      status: 'pending',
    });
    expect(res.text).not.toContain(city.pid.f0);
    expect((await pendingList(tok.approverNational)).body.requests.map((r) => r.id)).toContain(id);
    // Trace requests and exposure requests are separate queues.
    expect((await server.request<{ requests: { id: string }[] }>('GET', '/api/trace-approvals', { token: tok.approver })).body.requests.map((r) => r.id)).not.toContain(id);
  });

  it('keeps it from an approver of another jurisdiction: not listed, and deciding it is refused (403, audited)', async () => {
    expect((await pendingList(tok.approverElsewhere)).body.requests.map((r) => r.id)).not.toContain(id);
    expect((await decide(tok.approverElsewhere, id, { decision: 'approve' })).status).toBe(403);
    const denied = await listAudit({ chain: run, action: 'access.denied', actor: `${run}-approverElsewhere`, limit: 10 });
    expect(denied.some((e) => e.target === id && e.details?.['reason'] === 'outside jurisdiction' && e.details['route'] === 'exposureApprovalsDecide')).toBe(true);
  });

  it('refuses a rejection without a note (400), and an unknown exposure (404)', async () => {
    expect((await decide(tok.approver, id, { decision: 'reject' })).status).toBe(400);
    expect((await decide(tok.approver, 'ex000000000000000000000000', { decision: 'approve' })).status).toBe(404);
  });

  it('approves: reads and stores the people for the tracer; the approver sees no one; audited with the approver as actor', async () => {
    const res = await decide(tok.approver, id, { decision: 'approve', note: 'QĐ 124/BYT' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, requestRef: 'SYT-2021/2001', status: 'ready', decision: { by: `${run}-approver`, at: expect.any(String) as string, note: 'QĐ 124/BYT' } });
    expect(res.text).not.toContain(city.pid.f0);
    const [e] = await listAudit({ chain: run, action: 'exposure.approve', requestRef: 'SYT-2021/2001', limit: 5 });
    expect(e).toMatchObject({ actor: `${run}-approver`, role: 'approver', outcome: 'ok', target: id, count: 0, details: { requester: `${run}-tracer`, peopleFound: 3 } });
    const page = await server.request<Exposure>('GET', `/api/exposures/${id}`, { token: tok.tracer });
    expect(page.status).toBe(200);
    expect(page.body.status).toBe('ready');
    expect(page.body.people?.map((p) => p.id).sort()).toEqual([city.pid.f0, city.pid.a, city.pid.d].sort());
    expect(page.body.decision).toMatchObject({ by: `${run}-approver`, note: 'QĐ 124/BYT' });
    expect(Object.keys(page.body.identities ?? {})).toContain(city.pid.f0);
  });

  it('gives the approver no way to read the people, and refuses a second decision (409)', async () => {
    expect((await server.request('GET', `/api/exposures/${id}`, { token: tok.approver })).status).toBe(403);
    expect((await decide(tok.approverNational, id, { decision: 'reject', note: 'too late' })).status).toBe(409);
    expect((await pendingList(tok.approver)).body.requests.map((r) => r.id)).not.toContain(id);
  });

  it('rejects with a note: nothing read, the tracer sees status rejected and why; audited', async () => {
    const req = await request(server, tok.tracer, 'SYT-2021/2004');
    const res = await decide(tok.approver, req.body.id, { decision: 'reject', note: 'no outbreak report attached' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('rejected');
    const seen = await server.request<Exposure>('GET', `/api/exposures/${req.body.id}`, { token: tok.tracer });
    expect(seen.body).toMatchObject({ status: 'rejected', hasResult: false, decision: { by: `${run}-approver`, note: 'no outbreak report attached' } });
    expect((await decide(tok.approver, req.body.id, { decision: 'approve' })).status).toBe(409);
    const [e] = await listAudit({ chain: run, action: 'exposure.reject', requestRef: 'SYT-2021/2004', limit: 5 });
    expect(e).toMatchObject({ actor: `${run}-approver`, outcome: 'ok', target: req.body.id });
  });

  it("lists a national tracer's request only to a national approver, and refuses an approver deciding their own", async () => {
    const req = await request(server, tok.national, 'SYT-2021/2005');
    expect(req.status).toBe(202);
    expect((await pendingList(tok.approver)).body.requests.map((r) => r.id)).not.toContain(req.body.id);
    expect((await pendingList(tok.approverNational)).body.requests.map((r) => r.id)).toContain(req.body.id);
    expect((await decide(tok.approver, req.body.id, { decision: 'approve' })).status).toBe(403);

    const a = await makeAccount(run, 'switcher', 'tracer', { province: inside });
    const own = await request(server, await server.login(a.username, a.password), 'SYT-2021/2006');
    expect(own.status).toBe(202);
    expect((await server.request('PATCH', `/api/accounts/${a.username}`, { token: tok.admin, json: { role: 'approver' } })).status).toBe(200);
    const res = await decide(await server.login(a.username, a.password), own.body.id, { decision: 'approve' });
    expect(res.status).toBe(403);
    const denied = await listAudit({ chain: run, action: 'access.denied', actor: a.username, limit: 10 });
    expect(denied.some((e) => e.target === own.body.id && e.details?.['reason'] === 'own request')).toBe(true);
  });

  it('opens the follow-ups asked for only once the request is approved', async () => {
    const req = await request(server, tok.tracer, 'SYT-2021/2007', { followUp: true });
    expect(req.status).toBe(202);
    expect((await pendingList(tok.approver)).body.requests.find((r) => r.id === req.body.id)?.followUp).toBe(true);
    const source = `exposure:${req.body.id}`;
    const sourced = async () => (await followUpsOfPeople([city.pid.f0])).filter((f) => f.sources.includes(source));
    expect(await sourced()).toEqual([]);
    expect((await decide(tok.approver, req.body.id, { decision: 'approve' })).status).toBe(200);
    // F0 stayed 30 minutes (close); A and D only scanned in.
    expect((await sourced()).map((f) => f.personId)).toEqual([city.pid.f0]);
    const [e] = await listAudit({ chain: run, action: 'exposure.approve', requestRef: 'SYT-2021/2007', limit: 5 });
    expect(e?.details).toMatchObject({ followUpsCreated: expect.any(Number) as number });
  });
});

describe('with TRUYVET_TRACE_APPROVAL=off (the default)', () => {
  it('reads at once (201, status ready), and there is nothing for an approver to decide', async () => {
    const tracer = await offServer.login(`${run}-tracer`, 'correct horse 42 battery');
    const res = await request(offServer, tracer, 'SYT-2021/2010');
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('ready');
    expect(res.body.people).toHaveLength(3);
    const approver = await offServer.login(`${run}-approverNational`, 'correct horse 42 battery');
    const list = await offServer.request<{ requests: Pending[] }>('GET', '/api/exposure-approvals', { token: approver });
    expect(list.status).toBe(200);
    expect(list.body.requests.map((r) => r.id)).not.toContain(res.body.id);
    expect((await offServer.request('POST', `/api/exposures/${res.body.id}/approval`, { token: approver, json: { decision: 'approve' } })).status).toBe(409);
  });
});
