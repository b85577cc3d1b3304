import { listAudit } from '../../engine/audit/store';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { upsertPeople, type RegistryRecord } from '../../engine/db/people';
import { upsertStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import type { Station } from '../../engine/types';
import { makeAccount, passage, registryRow, runProvince, station } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';
import { M, T0 } from './city';

/**
 * Lawful access (issue 20, point 1): a tracer's jurisdiction limits whom a trace may start from
 * and whom it names; the period and every instant are bounded; isolation is for the officers of
 * the person's home or the tracer of a trace naming them. Admins and auditors see a trace's
 * metadata without its case.
 *
 * Province P is the tracers' own, Q another. At station SP (in P, district 001) F0 (lives in P)
 * meets A (lives in Q), B (lives in P) and U (not in the registry). V lives in Q, was at SP ten
 * days before and meets W (lives in Q) at SQ (in Q) during the period.
 */

const run = newRunId('la');
const P = runProvince();
let Q = runProvince();
while (Q === P) Q = runProvince();
const DAY = 86_400_000;
const canary = `${run}CANARY`;
const raw = { f0: `${run}F0${canary}`, a: `${run}A${canary}`, b: `${run}B${canary}`, u: `${run}U${canary}`, v: `${run}V${canary}`, w: `${run}W${canary}` };
const pid = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, pseudonym(v)])) as Record<keyof typeof raw, string>;
const PERIOD = { from: new Date(T0 - DAY).toISOString(), to: new Date(T0 + DAY).toISOString() };
const stations: Record<'sp' | 'sq', Station> = { sp: station(`${run}-SP`, { province: P, district: '001', commune: '00001' }), sq: station(`${run}-SQ`, { province: Q, district: '001', commune: '00001' }) };

let server: TestServer;
const tok: Record<'tracerP' | 'tracerPd' | 'tracerQ' | 'national' | 'officerP' | 'officerQ' | 'admin' | 'auditor', string> = {
  tracerP: '', tracerPd: '', tracerQ: '', national: '', officerP: '', officerQ: '', admin: '', auditor: '',
};
const names: Record<string, string> = {};

interface Home {
  registered: boolean;
  province?: string;
  provinceName?: string;
  district?: string;
}
interface Page {
  id: string;
  f0: string;
  people: { id: string; generation: number }[];
  identities: Record<string, { rawKey: string; fullName?: string; registered: boolean }>;
  outside: Record<string, Home>;
  page: { totalPages: number };
  status: string;
}

const person = (key: string, fullName: string, province: string): RegistryRecord =>
  registryRow(key, { fullName, birthDate: '1985-02-03', sex: 'M', phone: '0911000000', province, district: '001', commune: '00001' });

const open = (token: string, json: Record<string, unknown> = {}) =>
  server.request<Page>('POST', '/api/traces', { token, json: { f0: raw.f0, ...PERIOD, requestRef: 'SYT-2021/0900', purpose: 'lawful access test', ...json } });

beforeAll(async () => {
  server = await startInProcess(run);
  await upsertStations(Object.values(stations));
  const registry = [
    person(raw.f0, `Nguyễn F0 ${canary}`, P),
    person(raw.a, `Trần A ${canary}`, Q),
    person(raw.b, `Lê B ${canary}`, P),
    person(raw.v, `Phạm V ${canary}`, Q),
    person(raw.w, `Võ W ${canary}`, Q),
  ];
  for (const r of registry) names[pseudonym(r.personId)] = r.fullName;
  await upsertPeople(registry);
  await writePassages([
    passage(raw.f0, stations.sp.id, T0, T0 + 30 * M),
    passage(raw.a, stations.sp.id, T0 + 5 * M),
    passage(raw.b, stations.sp.id, T0 + 10 * M),
    passage(raw.u, stations.sp.id, T0 + 15 * M),
    passage(raw.v, stations.sp.id, T0 - 10 * DAY),
    passage(raw.v, stations.sq.id, T0),
    passage(raw.w, stations.sq.id, T0 + 5 * M),
  ]);
  const accounts = [
    ['tracerP', 'tracer', { province: P }],
    ['tracerPd', 'tracer', { province: P, district: '002' }],
    ['tracerQ', 'tracer', { province: Q }],
    ['national', 'tracer', undefined],
    ['officerP', 'officer', { province: P }],
    ['officerQ', 'officer', { province: Q }],
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
  await removeRun(run, { people: Object.values(raw) });
  await closeDriver();
});

describe('whom a tracer with a jurisdiction may trace', () => {
  it('refuses (403) a case who neither lives in the jurisdiction nor passed its stations in the period, audited as denied, with nothing stored', async () => {
    const res = await open(tok.tracerP, { f0: raw.v, requestRef: 'SYT-2021/0901' });
    expect(res.status).toBe(403);
    const [e] = await listAudit({ chain: run, action: 'access.denied', requestRef: 'SYT-2021/0901', limit: 10 });
    expect(e).toMatchObject({ outcome: 'denied', actor: `${run}-tracerP`, details: { route: 'tracesCreate', reason: 'case outside jurisdiction' } });
    expect(JSON.stringify(e)).not.toContain(pid.v);
    const stored = await readQuery('MATCH (t:TraceRecord {owner: $owner}) WHERE t.requestRef = $ref RETURN count(t) AS n', { owner: `${run}-tracerP`, ref: 'SYT-2021/0901' }, (r) => Number(r['n']));
    expect(stored).toEqual([0]);
  });

  it('answers an unknown case the same 403, so a refusal says nothing about who exists elsewhere', async () => {
    const res = await open(tok.tracerP, { f0: `${run}-nobody` });
    expect(res.status).toBe(403);
  });

  it('lets a case from elsewhere be traced where they passed a station of the jurisdiction in the period, without naming them', async () => {
    const res = await open(tok.tracerP, { f0: raw.v, from: new Date(T0 - 11 * DAY).toISOString() });
    expect(res.status).toBe(201);
    expect(res.body.identities[pid.v]).toBeUndefined();
    expect(res.body.outside[pid.v]).toMatchObject({ registered: true, province: Q, district: '001' });
    expect(res.text).not.toContain(canary);
  });

  it('narrows by district: a district tracer may not trace a case of another district of the same province', async () => {
    expect((await open(tok.tracerPd)).status).toBe(403);
  });

  it('lets a national tracer trace anyone', async () => {
    expect((await open(tok.national, { f0: raw.v })).status).toBe(201);
  });
});

describe('whom a trace names to a tracer with a jurisdiction', () => {
  let id = '';

  it('names in full only the people living inside the jurisdiction; the others come with pseudonym, generation, evidence and home', async () => {
    const res = await open(tok.tracerP);
    expect(res.status).toBe(201);
    id = res.body.id;
    const b = res.body;
    expect(b.status).toBe('ready');
    expect(b.people.map((p) => [p.id, p.generation]).sort()).toEqual([[pid.a, 1], [pid.b, 1], [pid.u, 1]].sort());
    expect(Object.keys(b.identities).sort()).toEqual([pid.f0, pid.b].sort());
    expect(b.identities[pid.b]).toMatchObject({ rawKey: raw.b, fullName: names[pid.b], registered: true });
    expect(b.outside).toEqual({ [pid.a]: { registered: true, province: Q, district: '001', districtName: 'Quận Ba Đình' }, [pid.u]: { registered: false } });
    expect(res.text).not.toContain(names[pid.a]);
    expect(res.text).not.toContain(raw.a);
    expect(res.text).not.toContain(raw.u);
  });

  it('filters every page read later the same way', async () => {
    const seen: Record<string, Home> = {};
    for (let n = 1; n <= 3; n++) {
      const p = await server.request<Page>('GET', `/api/traces/${id}?page=${n}&pageSize=1`, { token: tok.tracerP });
      expect(p.status).toBe(200);
      Object.assign(seen, p.body.outside);
      for (const k of Object.keys(p.body.identities)) expect([pid.f0, pid.b]).toContain(k);
      expect(p.text).not.toContain(names[pid.a]);
    }
    expect(Object.keys(seen).sort()).toEqual([pid.a, pid.u].sort());
  });

  it("gives the timeline of a person living elsewhere without the identity, with the home", async () => {
    const a = await server.request<{ identity?: unknown; home?: Home; passages: unknown[] }>('GET', `/api/people/${pid.a}/timeline?trace=${id}`, { token: tok.tracerP });
    expect(a.status).toBe(200);
    expect(a.body.identity).toBeUndefined();
    expect(a.body.home).toEqual({ registered: true, province: Q, district: '001', districtName: 'Quận Ba Đình' });
    expect(a.body.passages).toHaveLength(1);
    expect(a.text).not.toContain(canary);
    const b = await server.request<{ identity?: { fullName: string } }>('GET', `/api/people/${pid.b}/timeline?trace=${id}`, { token: tok.tracerP });
    expect(b.body.identity?.fullName).toBe(names[pid.b]);
  });

  it('keeps full identities for everyone for a national tracer', async () => {
    const res = await open(tok.national);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.identities).sort()).toEqual([pid.f0, pid.a, pid.b, pid.u].sort());
    expect(res.body.identities[pid.u]).toEqual({ rawKey: raw.u, registered: false });
    expect(res.body.outside).toEqual({});
  });

  it("names to a tracer of the other province only that province's people, F0 included", async () => {
    const res = await open(tok.tracerQ, { from: new Date(T0 - 11 * DAY).toISOString(), f0: raw.v });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.identities).sort()).toEqual([pid.v, pid.w].sort());
  });
});

describe('the period and the instants of a trace request', () => {
  it.each([
    ['body.to', { to: new Date(T0 - DAY + 21 * DAY + 1).toISOString() }, 'longer than 21 days'],
    ['body.until', { until: new Date(T0 + 25 * DAY).toISOString() }, 'more than 21 days after from'],
    ['body.from', { from: '0021-08-01T00:00:00+07:00' }, 'before 2000-01-01'],
    ['body.from', { from: '0021-08-01T00:00' }, 'before 2000-01-01'],
    ['body.to', { to: '9999-08-01T00:00:00Z' }, 'more than a day after now'],
  ])('refuses with 400 naming %s (%o)', async (path, over, reason) => {
    const res = await open(tok.national, over);
    expect(res.status).toBe(400);
    const errors = (res.body as unknown as { errors: { path: string; message: string }[] }).errors;
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(reason) as string })]));
  });

  it('accepts exactly 21 days', async () => {
    expect((await open(tok.national, { to: new Date(T0 - DAY + 21 * DAY).toISOString() })).status).toBe(201);
  });
});

describe('isolation by the officers of the home jurisdiction, or through a trace', () => {
  const body = { isolated: true, classification: 'F1', since: new Date(T0).toISOString() };

  it("lets an officer set and read the isolation of a person living in the officer's jurisdiction, without a trace", async () => {
    const put = await server.request('PUT', `/api/people/${pid.b}/isolation`, { token: tok.officerP, json: body });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ personId: pid.b, isolated: true, setBy: `${run}-officerP` });
    const get = await server.request('GET', `/api/people/${pid.b}/isolation`, { token: tok.officerP });
    expect(get.status).toBe(200);
    const [e] = await listAudit({ chain: run, action: 'isolation.set', actor: `${run}-officerP`, limit: 10 });
    expect(e).toMatchObject({ outcome: 'ok', target: pid.b, details: { byJurisdiction: true } });
  });

  it.each([
    ['an officer of another province', 'officerQ', 'b'],
    ['a person living in another province', 'officerP', 'a'],
    ['a person not in the registry', 'officerP', 'u'],
  ] as const)('refuses (403, audited) %s', async (_what, who, p) => {
    const put = await server.request('PUT', `/api/people/${pid[p]}/isolation`, { token: tok[who], json: body });
    expect(put.status).toBe(403);
    const get = await server.request('GET', `/api/people/${pid[p]}/isolation`, { token: tok[who] });
    expect(get.status).toBe(403);
    const denied = await listAudit({ chain: run, action: 'access.denied', actor: `${run}-${who}`, limit: 100 });
    expect(denied.some((e) => e.target === pid[p] && e.details?.['route'] === 'isolationSet' && e.details['reason'] === 'outside jurisdiction')).toBe(true);
  });

  it('wants a trace from a tracer (400), and refuses an officer acting through a trace (403: only its tracer may)', async () => {
    const t = await server.request<{ errors: { path: string }[] }>('PUT', `/api/people/${pid.b}/isolation`, { token: tok.tracerP, json: body });
    expect(t.status).toBe(400);
    expect(t.body.errors[0]?.path).toBe('body.trace');
    const trace = await open(tok.tracerP);
    const o = await server.request('PUT', `/api/people/${pid.b}/isolation`, { token: tok.officerP, json: { ...body, trace: trace.body.id } });
    expect(o.status).toBe(403);
  });

  it('lets an officer set an isolation until a planned end weeks ahead', async () => {
    const until = new Date(Date.now() + 14 * DAY).toISOString();
    const put = await server.request('PUT', `/api/people/${pid.b}/isolation`, { token: tok.officerP, json: { ...body, until } });
    expect(put.status).toBe(200);
    const far = await server.request('PUT', `/api/people/${pid.b}/isolation`, { token: tok.officerP, json: { ...body, until: '9999-01-01T00:00:00Z' } });
    expect(far.status).toBe(400);
  });

  it('still lets a tracer isolate a person named by their own trace, wherever the person lives', async () => {
    const trace = await open(tok.tracerP);
    const put = await server.request('PUT', `/api/people/${pid.a}/isolation`, { token: tok.tracerP, json: { ...body, trace: trace.body.id } });
    expect(put.status).toBe(200);
    const other = await server.request('PUT', `/api/people/${pid.a}/isolation`, { token: tok.tracerQ, json: { ...body, trace: trace.body.id } });
    expect(other.status).toBe(403);
  });
});

describe("admins' and auditors' metadata view of a trace", () => {
  it("carries no case pseudonym, in the trace and in the list; its tracer still sees it", async () => {
    const t = await open(tok.tracerP, { requestRef: 'SYT-2021/0950' });
    expect(t.status).toBe(201);
    for (const who of ['admin', 'auditor'] as const) {
      const one = await server.request<Record<string, unknown>>('GET', `/api/traces/${t.body.id}`, { token: tok[who] });
      expect(one.status).toBe(200);
      expect(one.body['requestRef']).toBe('SYT-2021/0950');
      expect(one.body).not.toHaveProperty('f0');
      expect(one.text).not.toContain(pid.f0);
      const list = await server.request<{ traces: Record<string, unknown>[] }>('GET', '/api/traces?limit=500', { token: tok[who] });
      const mine = list.body.traces.find((x) => x['id'] === t.body.id);
      expect(mine).toBeDefined();
      expect(mine).not.toHaveProperty('f0');
      expect(list.text).not.toContain(pid.f0);
    }
    const own = await server.request<{ traces: Record<string, unknown>[] }>('GET', '/api/traces', { token: tok.tracerP });
    expect(own.body.traces.find((x) => x['id'] === t.body.id)?.['f0']).toBe(pid.f0);
  });
});
