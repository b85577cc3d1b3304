import { followUpsOfPeople } from '../../engine/db/followups';
import { listAudit } from '../../engine/audit/store';
import { closeDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { pseudonym } from '../../engine/identity';
import { makeAccount, passage, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';
import { buildCity, T0, M, TRACE_PERIOD, type City } from './city';

/**
 * POST /api/exposures and GET /api/exposures/:id (issue 22.6): everyone at a station in a window,
 * stored, paged and audited like a trace. The city's S1 (inside the tracers' province): F0 stays
 * 30 minutes, A and D scan in; here V also stays 20 minutes beside F0.
 */

const run = newRunId('xp');
const province = runProvince();
let server: TestServer;
let city: City;
const tok: Record<string, string> = {};
const ref = 'SYT-HCM 2021/0901';
const v = `${run}V`;

interface Page {
  id: string;
  stationId: string;
  params: { stationId: string; from: string; to: string; closeSeconds: number };
  people: { id: string; exposureAt: string; staySeconds: number; passages: number; class: string }[];
  stats: { people: number; closePeople: number };
  page: { number: number; size: number; totalPeople: number; totalPages: number };
  identities: Record<string, { rawKey: string }>;
  outside: Record<string, unknown>;
  peopleFound: number;
  truncated: boolean;
  requestRef: string;
  hasResult?: boolean;
}

const open = (json: Record<string, unknown>, token = tok['tracer']!) =>
  server.request<Page>('POST', '/api/exposures', { token, json: { stationId: city.stations.s1.id, ...TRACE_PERIOD, requestRef: ref, purpose: 'market outbreak, no known case', ...json } });

beforeAll(async () => {
  server = await startInProcess(run, {});
  city = await buildCity(run, province, runProvince());
  await writePassages([passage(v, city.stations.s1.id, T0 + 5 * M, T0 + 25 * M)]);
  for (const [k, role, scope] of [
    ['tracer', 'tracer', { province }],
    ['national', 'tracer', undefined],
    ['other', 'tracer', undefined],
    ['admin', 'admin', undefined],
    ['auditor', 'auditor', undefined],
  ] as const) {
    const a = await makeAccount(run, k, role, scope);
    tok[k] = await server.login(a.username, a.password);
  }
});
afterAll(async () => {
  await server.close();
  await removeRun(run, { people: [...city.allRaw, v] });
  await closeDriver();
});

describe('opening a venue exposure', () => {
  it('lists everyone at the station in the window by arrival, with class, identities and the first page', async () => {
    const res = await open({ pageSize: 2 });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^ex[0-9a-f]{24}$/);
    expect(res.body.params).toEqual({ stationId: city.stations.s1.id, from: TRACE_PERIOD.from, to: TRACE_PERIOD.to, closeSeconds: 900 });
    expect(res.body.stats).toMatchObject({ people: 4, closePeople: 2 });
    expect(res.body.page).toEqual({ number: 1, size: 2, totalPeople: 4, totalPages: 2 });
    expect(res.body.people.map((p) => [p.id, p.class, p.staySeconds])).toEqual([
      [city.pid.f0, 'close', 1800],
      [pseudonym(v), 'close', 1200],
    ]);
    // F0 lives in the tracer's province (registry); V is not registered: only a home, none known.
    expect(res.body.identities[city.pid.f0]?.rawKey).toBe(city.raw.f0);
    expect(Object.keys(res.body.outside)).toEqual([pseudonym(v)]);
    const second = await server.request<Page>('GET', `/api/exposures/${res.body.id}?page=2&pageSize=2`, { token: tok['tracer']! });
    expect(second.status).toBe(200);
    expect(second.body.people.map((p) => [p.id, p.class, p.staySeconds])).toEqual([
      [city.pid.a, 'brief', 0],
      [city.pid.d, 'brief', 0],
    ]);
  });

  it('audits the request: who asked, on which request, how many were found, never who', async () => {
    const res = await open({ requestRef: `${ref}-A` });
    const [e] = await listAudit({ chain: run, action: 'exposure.create', requestRef: `${ref}-A`, limit: 10 });
    expect(e).toMatchObject({ outcome: 'ok', target: res.body.id, count: 4, details: { stationId: city.stations.s1.id, closePeople: 2 } });
    expect(JSON.stringify(e)).not.toContain(city.pid.f0);
  });

  it.each([
    ['stationId', { stationId: undefined }],
    ['from', { from: 'yesterday' }],
    ['from', { from: TRACE_PERIOD.to, to: TRACE_PERIOD.from }],
    ['to', { to: new Date(Date.parse(TRACE_PERIOD.from) + 22 * 86_400_000).toISOString() }],
    ['requestRef', { requestRef: '!' }],
    ['', { extra: 'field' }],
  ])('refuses a request with a bad or missing %s (400 naming the field)', async (field, over) => {
    const res = await open(over);
    expect(res.status).toBe(400);
    if (field !== '') expect(res.text).toContain(field);
  });

  it('refuses a station outside the tracer’s jurisdiction (403, audited) and an unknown one (404)', async () => {
    const out = await open({ stationId: city.stations.s3.id, requestRef: `${ref}-OUT` });
    expect(out.status).toBe(403);
    const [e] = await listAudit({ chain: run, action: 'exposure.create', requestRef: `${ref}-OUT`, limit: 10 });
    expect(e).toMatchObject({ outcome: 'failed', details: { reason: 'forbidden' } });
    expect((await open({ stationId: city.stations.s3.id }, tok['national'])).status).toBe(201);
    expect((await open({ stationId: `${run}-NOWHERE` })).status).toBe(404);
  });
});

describe('an exposure feeding follow-up', () => {
  it('opens follow-ups for its close visitors only when asked, audited with how many', async () => {
    const f0 = pseudonym(city.raw.f0);
    const vid = pseudonym(v);
    const without = await open({ requestRef: `${ref}-NOFU` });
    expect(without.status).toBe(201);
    expect(without.body).not.toHaveProperty('followUps');
    expect(await followUpsOfPeople([f0, vid])).toEqual([]);

    const res = await open({ requestRef: `${ref}-FU`, followUp: true });
    expect(res.status).toBe(201);
    // F0 (30 min) and V (20 min) stayed; A and D only scanned in: brief, not followed up by default.
    expect(res.body).toMatchObject({ followUps: { created: 2, updated: 0 } });
    const rows = await followUpsOfPeople([f0, vid, pseudonym(city.raw.a), pseudonym(city.raw.d)]);
    expect(rows.map((r) => r.personId).sort()).toEqual([f0, vid].sort());
    expect(rows.every((r) => r.sources.includes(`exposure:${res.body.id}`) && r.class === 'close' && r.generation === 1)).toBe(true);
    const [e] = await listAudit({ chain: run, action: 'exposure.create', requestRef: `${ref}-FU`, limit: 10 });
    expect(e?.details).toMatchObject({ followUpsCreated: 2, followUpsUpdated: 0 });
  });
});

describe('who may read a stored exposure', () => {
  it('refuses another tracer (403) and shows admins and auditors the metadata only', async () => {
    const id = (await open({})).body.id;
    expect((await server.request('GET', `/api/exposures/${id}`, { token: tok['other']! })).status).toBe(403);
    for (const k of ['admin', 'auditor']) {
      const m = await server.request<Page>('GET', `/api/exposures/${id}`, { token: tok[k]! });
      expect(m.status).toBe(200);
      expect(m.body).toMatchObject({ id, peopleFound: 4, hasResult: true });
      expect(m.body.people).toBeUndefined();
      expect(m.body.identities).toBeUndefined();
    }
    expect((await server.request('GET', '/api/exposures/ex000000000000000000000000', { token: tok['tracer']! })).status).toBe(404);
    expect((await server.request('GET', '/api/exposures/nope', { token: tok['tracer']! })).status).toBe(400);
  });

  it("lists a tracer's own exposures' metadata, newest first and paged; admins and auditors see everyone's, never the people", async () => {
    const mine = (await open({ requestRef: `${ref}-L1` })).body.id;
    const newer = (await open({ requestRef: `${ref}-L2` })).body.id;
    const theirs = (await open({ requestRef: `${ref}-L3` }, tok['other'])).body.id;
    const list = (token: string, q = '') => server.request<{ exposures: (Page & { status: string; owner: string; createdAt: string })[]; skip: number; limit: number }>('GET', `/api/exposures${q}`, { token });

    const res = await list(tok['tracer']!);
    expect(res.status).toBe(200);
    const ids = res.body.exposures.map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining([mine, newer]));
    expect(ids).not.toContain(theirs);
    expect(res.body.exposures.every((x) => x.owner === `${run}-tracer`)).toBe(true);
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(mine));
    const one = res.body.exposures.find((x) => x.id === mine)!;
    expect(one).toMatchObject({ stationId: city.stations.s1.id, requestRef: `${ref}-L1`, purpose: 'market outbreak, no known case', status: 'ready', peopleFound: 4, hasResult: true, truncated: false });
    expect(one.params).toEqual({ stationId: city.stations.s1.id, from: TRACE_PERIOD.from, to: TRACE_PERIOD.to, closeSeconds: 900 });
    expect(one.stats).toMatchObject({ people: 4, closePeople: 2 });
    expect(res.text).not.toContain(city.pid.f0);
    expect(one.people).toBeUndefined();

    const paged = await list(tok['tracer']!, '?skip=1&limit=1');
    expect(paged.body).toMatchObject({ skip: 1, limit: 1 });
    expect(paged.body.exposures.map((x) => x.id)).toEqual([ids[1]]);
    expect((await list(tok['tracer']!, '?limit=0')).status).toBe(400);

    for (const k of ['admin', 'auditor']) {
      const all = await list(tok[k]!, '?limit=500');
      expect(all.status).toBe(200);
      expect(all.body.exposures.map((x) => x.id)).toEqual(expect.arrayContaining([mine, theirs]));
      expect(all.text).not.toContain(city.pid.f0);
    }
    const [e] = await listAudit({ chain: run, action: 'exposure.list', actor: `${run}-admin`, limit: 5 });
    expect(e).toMatchObject({ outcome: 'ok', count: 0, details: { own: false } });
  });

  it('shows the routes in the OpenAPI document', async () => {
    const doc = (await server.request<{ paths: Record<string, unknown> }>('GET', '/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/exposures', '/api/exposures/{id}', '/api/exposures/{id}/approval', '/api/exposure-approvals']));
  });
});
