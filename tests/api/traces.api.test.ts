import { listAudit } from '../../engine/audit/store';
import { closeDriver } from '../../engine/db/driver';
import { writePassages } from '../../engine/db/passages';
import { pseudonym } from '../../engine/identity';
import { makeAccount, passage, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';
import { buildCity, T0, M, TRACE_PERIOD, type City } from './city';

const run = newRunId('tr');
const province = runProvince();
let server: TestServer;
let city: City;
const tok = { tracer: '', other: '', admin: '', auditor: '' };
const ref = 'SYT-HCM 2021/0815';

interface Page {
  id: string;
  f0: string;
  params: { depth: number; toleranceSeconds: number; mode: string; closeSeconds: number; closeOnly: boolean };
  people: { id: string; generation: number; class: string }[];
  contacts: { source: string; target: string; passages: string[]; overlapSeconds: number; class: string }[];
  stats: { people: number; contacts: number; closePeople: number };
  page: { number: number; size: number; totalPeople: number; totalPages: number };
  identities: Record<string, { rawKey: string; fullName?: string; phone?: string; registered: boolean }>;
  truncated: boolean;
  peopleFound: number;
  requestRef: string;
  sensitivity?: { toleranceSeconds: number; counts: Record<string, number>; closeCounts: Record<string, number> }[];
}

/**
 * Apart from the city's people (two hours after anyone else at S2): G stays an hour, H 30 minutes
 * beside G (close), K scans in 10 minutes after G left (brief, and only within a 15-minute tolerance).
 */
const stay = { g: '', h: '', k: '' };

const open = (json: Record<string, unknown>, token = tok.tracer, s = server) =>
  s.request<Page>('POST', '/api/traces', { token, json: { f0: city.raw.f0, ...TRACE_PERIOD, requestRef: ref, purpose: 'isolate contacts of a confirmed case', ...json } });

beforeAll(async () => {
  server = await startInProcess(run, { settings: { maxTraceDepth: 3 } });
  city = await buildCity(run, province, runProvince());
  Object.assign(stay, { g: `${run}G`, h: `${run}H`, k: `${run}K` });
  await writePassages([
    passage(stay.g, city.stations.s2.id, T0 + 300 * M, T0 + 360 * M),
    passage(stay.h, city.stations.s2.id, T0 + 310 * M, T0 + 340 * M),
    passage(stay.k, city.stations.s2.id, T0 + 370 * M),
  ]);
  for (const [k, role] of [['tracer', 'tracer'], ['other', 'tracer'], ['admin', 'admin'], ['auditor', 'auditor']] as const) {
    const a = await makeAccount(run, k, role);
    tok[k] = await server.login(a.username, a.password);
  }
});
afterAll(async () => {
  await server.close();
  await removeRun(run, { people: [...city.allRaw, stay.g, stay.h, stay.k] });
  await closeDriver();
});

describe('opening a trace', () => {
  it.each([
    ['requestRef', { requestRef: undefined }],
    ['purpose', { purpose: undefined }],
    ['purpose', { purpose: '  ' }],
    ['requestRef', { requestRef: 'x' }],
    ['depth', { depth: 7 }],
    ['depth', { depth: 4 }],
    ['from', { from: 'yesterday' }],
    ['from', { from: TRACE_PERIOD.to, to: TRACE_PERIOD.from }],
    ['closeOnly', { closeOnly: 'yes' }],
    ['', { extra: 'field' }],
  ])('refuses a request with a bad or missing %s (400 with the field path)', async (field, over) => {
    const res = await open(over);
    expect(res.status).toBe(400);
    const paths = (res.body as unknown as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths.some((p) => p.startsWith('body') && p.includes(field))).toBe(true);
  });

  it('finds F1 and F2 with evidence, keeps the TraceResult shape, and names the people only to its tracer', async () => {
    const res = await open({});
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const b = res.body;
    expect(Object.keys(b)).toEqual(expect.arrayContaining(['f0', 'params', 'people', 'contacts', 'stats', 'id', 'page', 'identities']));
    expect(b.f0).toBe(city.pid.f0);
    expect(b.people.map((p) => [p.id, p.generation]).sort()).toEqual([[city.pid.a, 1], [city.pid.b, 2], [city.pid.d, 1]].sort());
    expect(b.contacts.every((c) => c.passages.length === 2)).toBe(true);
    expect(b.identities[city.pid.f0]).toMatchObject({ rawKey: city.raw.f0, fullName: city.registry[0]!.fullName, phone: '0900000001', registered: true });
    expect(b.identities[city.pid.d]).toEqual({ rawKey: city.raw.d, registered: false });
    expect(b.identities[city.pid.c]).toBeUndefined();
  });

  it('records the request number, purpose and counts in the audit, never who', async () => {
    const res = await open({ requestRef: `${ref}-A` });
    const [e] = await listAudit({ chain: run, action: 'trace.create', requestRef: `${ref}-A`, limit: 10 });
    expect(e).toMatchObject({ target: res.body.id, outcome: 'ok', purpose: 'isolate contacts of a confirmed case', count: 3, role: 'tracer' });
    expect(e?.details).toMatchObject({ f1: 2, f2: 1, identities: 4 });
    const text = JSON.stringify(e);
    for (const raw of city.allRaw) expect(text).not.toContain(raw);
    expect(text).not.toContain('CANARY');
    expect(text).not.toContain(city.pid.a);
  });

  it('answers 404 for an F0 the graph does not know, and audits the failed attempt', async () => {
    const res = await open({ f0: `${run}-nobody`, requestRef: `${ref}-404` });
    expect(res.status).toBe(404);
    const [e] = await listAudit({ chain: run, action: 'trace.create', requestRef: `${ref}-404`, limit: 10 });
    expect(e).toMatchObject({ outcome: 'failed', details: { reason: 'not_found' } });
  });

  it('adds the sensitivity counts when asked for more tolerances, with the close people among them', async () => {
    const res = await open({ tolerance: '15m', sensitivity: ['1m', 3600] });
    expect(res.status).toBe(201);
    expect(res.body.sensitivity?.map((r) => r.toleranceSeconds)).toEqual([900, 60, 3600]);
    expect(res.body.sensitivity?.[0]?.counts).toEqual({ '1': 2, '2': 1 });
    // Everyone in the city passed a checkpoint: nobody close.
    expect(res.body.sensitivity?.[0]?.closeCounts).toEqual({ '1': 0, '2': 0 });
    const g = await open({ f0: stay.g, tolerance: '15m', sensitivity: ['1m'] });
    expect(g.body.sensitivity).toEqual([
      { toleranceSeconds: 900, counts: { '1': 2, '2': 0 }, closeCounts: { '1': 1, '2': 0 } },
      { toleranceSeconds: 60, counts: { '1': 1, '2': 0 }, closeCounts: { '1': 1, '2': 0 } },
    ]);
  });
});

describe('close contacts', () => {
  it('gives every person and contact its class, and the close people in the stats', async () => {
    const res = await open({ f0: stay.g });
    expect(res.status).toBe(201);
    expect(res.body.params).toMatchObject({ closeSeconds: 900, closeOnly: false });
    expect(res.body.people.map((p) => [p.id, p.class])).toEqual([
      [pseudonym(stay.h), 'close'],
      [pseudonym(stay.k), 'brief'],
    ]);
    expect(res.body.contacts.map((c) => [c.target, c.overlapSeconds, c.class])).toEqual([
      [pseudonym(stay.h), 1800, 'close'],
      [pseudonym(stay.k), 0, 'brief'],
    ]);
    expect(res.body.stats).toMatchObject({ people: 2, contacts: 2, closePeople: 1 });
  });

  it('accepts closeOnly and lists only close contacts, in the first page and the stored ones', async () => {
    const res = await open({ f0: stay.g, closeOnly: true, pageSize: 1, requestRef: `${ref}-CLOSE` });
    expect(res.status).toBe(201);
    expect(res.body.params).toMatchObject({ closeSeconds: 900, closeOnly: true });
    expect(res.body.people).toEqual([expect.objectContaining({ id: pseudonym(stay.h), class: 'close' })]);
    expect(res.body.stats).toMatchObject({ people: 1, closePeople: 1 });
    const again = await server.request<Page>('GET', `/api/traces/${res.body.id}?page=1&pageSize=1`, { token: tok.tracer });
    expect(again.status).toBe(200);
    expect(again.body.params).toMatchObject({ closeOnly: true, closeSeconds: 900 });
    expect(again.body.people).toEqual(res.body.people);
    expect(again.body.contacts).toEqual([expect.objectContaining({ target: pseudonym(stay.h), overlapSeconds: 1800, class: 'close' })]);
    const [e] = await listAudit({ chain: run, action: 'trace.create', requestRef: `${ref}-CLOSE`, limit: 10 });
    expect(e?.details).toMatchObject({ closeOnly: true });
  });

  it('pages a full trace with the class of each page’s people and contacts', async () => {
    const first = await open({ f0: stay.g, pageSize: 1 });
    const second = await server.request<Page>('GET', `/api/traces/${first.body.id}?page=2&pageSize=1`, { token: tok.tracer });
    expect(second.body.people).toEqual([expect.objectContaining({ id: pseudonym(stay.k), class: 'brief' })]);
    expect(second.body.contacts).toEqual([expect.objectContaining({ target: pseudonym(stay.k), class: 'brief' })]);
    expect(second.body.stats).toMatchObject({ people: 2, closePeople: 1 });
  });

  it('ranks hotspots of close-able stays only when asked (closeOnly=true), and refuses another value', async () => {
    const id = (await open({ f0: stay.g })).body.id;
    type Hot = { closeOnly: boolean; hotspots: { people: string[] }[] };
    const full = await server.request<Hot>('GET', `/api/hotspots?trace=${id}`, { token: tok.tracer });
    const close = await server.request<Hot>('GET', `/api/hotspots?trace=${id}&closeOnly=true`, { token: tok.tracer });
    expect(full.body.closeOnly).toBe(false);
    expect(full.body.hotspots.some((h) => h.people.includes(pseudonym(stay.k)))).toBe(true);
    expect(close.status).toBe(200);
    expect(close.body.closeOnly).toBe(true);
    expect(close.body.hotspots.length).toBeGreaterThan(0);
    expect(close.body.hotspots.some((h) => h.people.includes(pseudonym(stay.k)))).toBe(false);
    // A close-only trace ranks close-only unless told otherwise.
    const onlyId = (await open({ f0: stay.g, closeOnly: true })).body.id;
    expect((await server.request<Hot>('GET', `/api/hotspots?trace=${onlyId}`, { token: tok.tracer })).body.closeOnly).toBe(true);
    expect((await server.request<Hot>('GET', `/api/hotspots?trace=${onlyId}&closeOnly=false`, { token: tok.tracer })).body.closeOnly).toBe(false);
    expect((await server.request('GET', `/api/hotspots?trace=${id}&closeOnly=yes`, { token: tok.tracer })).status).toBe(400);
  });

  it('shows the new fields in the OpenAPI document', async () => {
    const doc = (await server.request<{ components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } }>('GET', '/api/openapi.json')).body;
    const s = doc.components.schemas;
    expect(Object.keys(s['TraceCreate']!.properties!)).toContain('closeOnly');
    expect(s['TracePerson']!.required).toContain('class');
    expect(s['TraceContact']!.required).toContain('class');
    expect(s['TraceParams']!.required).toEqual(expect.arrayContaining(['closeSeconds', 'closeOnly']));
    expect(JSON.stringify(s['TracePage'])).toContain('closeCounts');
    expect(JSON.stringify(s['TracePage'])).toContain('closePeople');
    expect(JSON.stringify(doc)).toContain('"closeOnly"');
  });
});

describe('pages and the result cap', () => {
  it('pages the people, each page with the contacts that reached its people', async () => {
    const first = await open({ pageSize: 1 });
    expect(first.body.page).toEqual({ number: 1, size: 1, totalPeople: 3, totalPages: 3 });
    const seen = [...first.body.people];
    for (const n of [2, 3]) {
      const p = await server.request<Page>('GET', `/api/traces/${first.body.id}?page=${n}&pageSize=1`, { token: tok.tracer });
      expect(p.status).toBe(200);
      expect(p.body.people).toHaveLength(1);
      expect(p.body.contacts.every((c) => c.target === p.body.people[0]!.id)).toBe(true);
      expect(p.body.contacts.length).toBeGreaterThan(0);
      expect(Object.keys(p.body.identities).sort()).toEqual([city.pid.f0, p.body.people[0]!.id].sort());
      seen.push(...p.body.people);
    }
    expect(seen.map((p) => p.generation)).toEqual([1, 1, 2]);
    const beyond = await server.request<Page>('GET', `/api/traces/${first.body.id}?page=4&pageSize=1`, { token: tok.tracer });
    expect(beyond.body.people).toEqual([]);
  });

  it('keeps at most the capped number of people and says so', async () => {
    const capped = await startInProcess(run, { settings: { maxTracePeople: 1 } });
    try {
      const res = await open({}, tok.tracer, capped);
      expect(res.status).toBe(201);
      expect(res.body.truncated).toBe(true);
      expect(res.body.peopleFound).toBe(3);
      expect(res.body.page.totalPeople).toBe(1);
      expect(res.body.people[0]?.generation).toBe(1);
    } finally {
      await capped.close();
    }
  });

  it('refuses a trace past the contact budget with 422, saying why', async () => {
    const small = await startInProcess(run, { settings: { maxTraceContacts: 1 } });
    try {
      const res = await open({ requestRef: `${ref}-BIG` }, tok.tracer, small);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.text).toContain('too large');
    } finally {
      await small.close();
    }
  });
});

describe('who may read a stored trace', () => {
  let id = '';
  beforeAll(async () => {
    id = (await open({ requestRef: `${ref}-R` })).body.id;
  });

  it('refuses another tracer (403) and audits the attempt', async () => {
    const res = await server.request('GET', `/api/traces/${id}`, { token: tok.other });
    expect(res.status).toBe(403);
    const denied = await listAudit({ chain: run, action: 'access.denied', requestRef: `${ref}-R`, limit: 10 });
    expect(denied.length).toBeGreaterThan(0);
  });

  it.each(['admin', 'auditor'] as const)('shows an %s the metadata only: no people, no identities', async (who) => {
    const res = await server.request<Record<string, unknown>>('GET', `/api/traces/${id}`, { token: tok[who] });
    expect(res.status).toBe(200);
    expect(res.body['requestRef']).toBe(`${ref}-R`);
    expect(res.body['peopleFound']).toBe(3);
    expect(res.body['people']).toBeUndefined();
    expect(res.body['identities']).toBeUndefined();
    for (const raw of city.allRaw) expect(res.text).not.toContain(raw);
    expect(res.text).not.toContain(city.pid.a);
  });

  it('lists a tracer only its own traces', async () => {
    const mine = await server.request<{ traces: { owner: string }[] }>('GET', '/api/traces', { token: tok.tracer });
    const theirs = await server.request<{ traces: { owner: string }[] }>('GET', '/api/traces', { token: tok.other });
    expect(mine.body.traces.length).toBeGreaterThan(0);
    expect(mine.body.traces.every((t) => t.owner === `${run}-tracer`)).toBe(true);
    expect(theirs.body.traces).toEqual([]);
  });
});

describe('timelines and hotspots, through a trace', () => {
  let id = '';
  beforeAll(async () => {
    id = (await open({ requestRef: `${ref}-T` })).body.id;
  });

  it("gives the trace's tracer a person's passages in the trace period, with the identity, audited", async () => {
    const res = await server.request<{ passages: { stationId: string; stationName: string; at: string }[]; identity: { rawKey: string } }>(
      'GET',
      `/api/people/${city.pid.a}/timeline?trace=${id}`,
      { token: tok.tracer },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.passages.map((p) => p.stationId)).toEqual([city.stations.s1.id, city.stations.s2.id]);
    expect(res.body.passages[0]?.stationName).toBe(city.stations.s1.name);
    expect(res.body.identity.rawKey).toBe(city.raw.a);
    const [e] = await listAudit({ chain: run, action: 'timeline.read', requestRef: `${ref}-T`, limit: 10 });
    expect(e).toMatchObject({ target: city.pid.a, count: 1, details: { trace: id, passages: 2 } });
  });

  it('narrows the timeline to the asked period inside the trace period', async () => {
    const res = await server.request<{ passages: unknown[]; from: string }>(
      'GET',
      // `to` past the trace period (instants more than a day after now are refused, so not 2030 any more)
      `/api/people/${city.pid.a}/timeline?trace=${id}&from=${new Date(T0 + 60 * M).toISOString()}&to=${new Date(T0 + 30 * 86_400_000).toISOString()}`,
      { token: tok.tracer },
    );
    expect(res.body.passages).toHaveLength(1);
    expect(res.body.from).toBe(new Date(T0 + 60 * M).toISOString());
  });

  it('refuses the timeline of a person the trace does not name, and to another tracer', async () => {
    expect((await server.request('GET', `/api/people/${city.pid.c}/timeline?trace=${id}`, { token: tok.tracer })).status).toBe(403);
    expect((await server.request('GET', `/api/people/${city.pid.a}/timeline?trace=${id}`, { token: tok.other })).status).toBe(403);
  });

  it("ranks the cells where the trace's people were together", async () => {
    const res = await server.request<{ hotspots: { stationId: string; cases: number }[]; cases: number }>('GET', `/api/hotspots?trace=${id}`, { token: tok.tracer });
    expect(res.status).toBe(200);
    expect(res.body.cases).toBe(4);
    // 15-minute cells: F0 (01:00–01:30) with A at 01:10, then with D at 01:20.
    expect(res.body.hotspots.slice(0, 2).map((h) => [h.stationId, h.cases])).toEqual([[city.stations.s1.id, 2], [city.stations.s1.id, 2]]);
    expect((await server.request('GET', `/api/hotspots?trace=${id}`, { token: tok.other })).status).toBe(403);
  });
});

describe('admission: traces wait their turn (api/trace-gate.ts)', () => {
  let gated: TestServer;
  let token = '';
  let adminToken = '';
  /** Takes the server's only trace slot until `release`; resolves once it holds it. */
  const holdSlot = async () => {
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const done = gated.app.truyvet.traceGate.run(
      () =>
        new Promise<void>((r) => {
          release = r;
          holding();
        }),
    );
    await held;
    return { done, release: () => release() };
  };

  beforeAll(async () => {
    gated = await startInProcess(run, { settings: { traceConcurrency: 1, traceQueue: 1, traceMaxWaitMs: 30_000 } });
    const a = await makeAccount(run, 'gated', 'tracer');
    token = await gated.login(a.username, a.password);
    const admin = await makeAccount(run, 'gated-admin', 'admin');
    adminToken = await gated.login(admin.username, admin.password);
  });
  afterAll(() => gated.close());

  it('holds a trace while the slots are taken and answers it when one frees', async () => {
    const slot = await holdSlot();
    let answered = false;
    const pending = open({ requestRef: `${ref}-Q` }, token, gated).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    expect(gated.app.truyvet.traceGate.waiting).toBe(1);
    slot.release();
    await slot.done;
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.body.stats.people).toBe(3);
  });

  it('refuses a trace past the queue at once with 503, Retry-After and code busy, and audits the refusal', async () => {
    const slot = await holdSlot();
    const queued = open({ requestRef: `${ref}-Q2` }, token, gated);
    // The queued one must be in line before the next arrives.
    while (gated.app.truyvet.traceGate.waiting < 1) await new Promise((r) => setTimeout(r, 10));
    const refused = await open({ requestRef: `${ref}-BUSY` }, token, gated);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatchObject({ code: 'busy' });
    const [e] = await listAudit({ chain: run, action: 'trace.create', requestRef: `${ref}-BUSY`, limit: 10 });
    expect(e).toMatchObject({ outcome: 'failed', details: { reason: 'busy' } });
    // What an operator sees meanwhile: the held slot, the one in line, the refusal.
    const status = await gated.request<{ pid: number; traces: Record<string, number> }>('GET', '/api/status', { token: adminToken });
    expect(status.status).toBe(200);
    expect(status.body.pid).toBe(process.pid);
    expect(status.body.traces).toEqual({ running: 1, waiting: 1, refused: 1, concurrency: 1, queue: 1, maxWaitSeconds: 30 });
    expect((await gated.request('GET', '/api/status', { token })).status).toBe(403);
    slot.release();
    await slot.done;
    expect((await queued).status).toBe(201);
  });

  it('drops a waiting trace whose client closed the connection, and audits it as cancelled', async () => {
    const slot = await holdSlot();
    try {
      const leaving = new AbortController();
      const sent = fetch(`${gated.url}/api/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ f0: city.raw.f0, ...TRACE_PERIOD, requestRef: `${ref}-GONE`, purpose: 'isolate contacts of a confirmed case' }),
        signal: leaving.signal,
      }).catch((e: unknown) => e);
      while (gated.app.truyvet.traceGate.waiting < 1) await new Promise((r) => setTimeout(r, 10));
      leaving.abort();
      expect(await sent).toMatchObject({ name: 'AbortError' });
      // The server notices the closed connection and gives the place in line up.
      for (let i = 0; i < 100 && gated.app.truyvet.traceGate.waiting > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(gated.app.truyvet.traceGate.waiting).toBe(0);
      // Audited just after, on its way out.
      let audited: Awaited<ReturnType<typeof listAudit>> = [];
      for (let i = 0; i < 100 && audited.length === 0; i++) {
        audited = await listAudit({ chain: run, action: 'trace.create', requestRef: `${ref}-GONE`, limit: 10 });
        if (audited.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(audited).toEqual([expect.objectContaining({ outcome: 'failed', details: { reason: 'cancelled' } })]);
    } finally {
      slot.release();
      await slot.done;
    }
  });
});
