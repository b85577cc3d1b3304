import { listAudit } from '../../engine/audit/store';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { upsertPeople } from '../../engine/db/people';
import { pseudonym } from '../../engine/identity';
import { makeAccount, registryRow, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';

/**
 * The case registry over HTTP: registering cases (one or a batch, all or none), listing them for a
 * jurisdiction with the identities its tracer may see, changing a status; jurisdiction by the case
 * person's registry home, in the query; every read and change audited; 400s naming the field.
 */

const run = newRunId('cas');
const canary = `${run}CANARY`;
const inside = runProvince();
let outside = runProvince();
while (outside === inside) outside = runProvince();
/** A confirmation time no other test uses, so a national list over its minute holds only this run's cases. */
const T = Date.UTC(2003, 1, 3, 1, 0) + Math.floor(Math.random() * 500_000) * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const H = 3_600_000;
const raw = { a: `${run}A${canary}`, b: `${run}B${canary}`, x: `${run}X${canary}`, u: `${run}U${canary}` };
const pid = { a: pseudonym(raw.a), b: pseudonym(raw.b), x: pseudonym(raw.x), u: pseudonym(raw.u) };
const id = (k: string) => `${run}-${k}`;

let server: TestServer;
const tokens = { scoped: '', national: '', district: '' };

interface CaseBody {
  id: string;
  personId: string;
  status: string;
  confirmedAt: string;
  infectious: { from: string; to: string };
  statusChangedBy: string;
  statusNote?: string;
  registered: boolean;
  home: { province: string } | null;
}
interface ListBody {
  cases: CaseBody[];
  identities: Record<string, { rawKey: string; fullName?: string; registered: boolean }>;
  outside: Record<string, unknown>;
}
interface Problem {
  code: string;
  errors?: { path: string; message: string }[];
}

const list = (token: string, q = '') => server.request<ListBody>('GET', `/api/cases?confirmedFrom=${iso(T - 48 * H)}&confirmedTo=${iso(T + 48 * H)}${q}`, { token });
const post = (token: string, json: unknown) => server.request<{ cases: { id: string; outcome: string; registered: boolean; warnings: string[] }[] } & Problem>('POST', '/api/cases', { token, json });
const stored = async (caseId: string) =>
  (await readQuery('MATCH (c:Case {id: $id}) RETURN c.status AS status, c.personId AS personId', { id: caseId }, (r) => r as { status: string; personId: string }))[0];

beforeAll(async () => {
  server = await startInProcess(run, { settings: { checkUnits: false } });
  await upsertPeople([
    registryRow(raw.a, { province: inside, district: '001', commune: '00001', fullName: `Nguyễn Thị ${canary}`, phone: '0911000001' }),
    registryRow(raw.b, { province: inside, district: '002', commune: '00002', fullName: `Trần Văn ${canary}`, phone: '0911000002' }),
    registryRow(raw.x, { province: outside, district: '001', commune: '00001', fullName: `Lê Văn ${canary}`, phone: '0911000003' }),
  ]);
  const accounts = {
    scoped: await makeAccount(run, 'tracer', 'tracer', { province: inside }),
    district: await makeAccount(run, 'tracer-d', 'tracer', { province: inside, district: '002' }),
    national: await makeAccount(run, 'tracer-n', 'tracer'),
  };
  for (const k of ['scoped', 'district', 'national'] as const) tokens[k] = await server.login(accounts[k].username, accounts[k].password);
});

afterAll(async () => {
  await server.close();
  await removeRun(run, { people: Object.values(raw) });
  await closeDriver();
});

describe('POST /api/cases', () => {
  it('registers one case by the person key of the source files (pseudonymised at once), then answers a repeat as a duplicate and other dates as an update', async () => {
    const one = { caseId: id('1'), personId: raw.a, confirmedAt: iso(T) };
    const r = await post(tokens.scoped, one);
    expect(r.status).toBe(201);
    expect(r.body.cases).toEqual([{ id: id('1'), outcome: 'created', registered: true, warnings: [] }]);
    expect(await stored(id('1'))).toEqual({ status: 'confirmed', personId: pid.a });
    expect((await post(tokens.scoped, one)).body.cases[0]?.outcome).toBe('duplicate');
    const later = await post(tokens.scoped, { ...one, onsetAt: iso(T + 24 * H) });
    expect(later.status).toBe(200);
    expect(later.body.cases[0]).toMatchObject({ outcome: 'updated', warnings: [expect.stringMatching(/^onset is after confirmation/)] });
    const events = await listAudit({ chain: run, action: 'cases.create', limit: 10 });
    expect(events.map((e) => [e.target, e.details])).toEqual([
      [id('1'), { created: 1, updated: 0, duplicates: 0, unregistered: 0 }],
      [id('1'), { created: 0, updated: 0, duplicates: 1, unregistered: 0 }],
      [id('1'), { created: 0, updated: 1, duplicates: 0, unregistered: 0 }],
    ]);
    expect(JSON.stringify(events)).not.toContain(canary);
  });

  it('registers a batch all at once, and nothing of a batch with one bad case (400 naming the case and field)', async () => {
    const bad = await post(tokens.scoped, {
      cases: [
        { caseId: id('2'), personId: raw.b, confirmedAt: iso(T + H) },
        { caseId: id('3'), personId: raw.a, confirmedAt: iso(T), infectiousFrom: iso(T - 2 * H), infectiousTo: iso(T - 3 * H) },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.path)).toEqual(['body.cases.1.infectiousFrom']);
    expect(await stored(id('2'))).toBeUndefined();
    const ok = await post(tokens.scoped, { cases: [{ caseId: id('2'), personId: raw.b, confirmedAt: iso(T + H) }, { caseId: id('3'), personId: raw.a, confirmedAt: iso(T - H) }] });
    expect(ok.status).toBe(201);
    expect(ok.body.cases.map((c) => c.outcome)).toEqual(['created', 'created']);
  });

  it.each([
    [{ personId: 'P', confirmedAt: '2021-08-02T08:00' }, 'body.cases.0.caseId'],
    [{ caseId: 'C', personId: '', confirmedAt: '2021-08-02T08:00' }, 'body.cases.0.personId'],
    [{ caseId: 'C', personId: 'P', confirmedAt: 'hôm qua' }, 'body.cases.0.confirmedAt'],
    [{ caseId: 'C', personId: 'P', confirmedAt: '2999-01-01T00:00Z' }, 'body.cases.0.confirmedAt'],
    [{ caseId: 'C', personId: 'P', confirmedAt: '1999-12-31T00:00Z' }, 'body.cases.0.confirmedAt'],
    [{ caseId: 'C', personId: 'P', confirmedAt: '2021-08-02T08:00', onsetAt: '2021-08-05T08:00' }, 'body.cases.0.onsetAt'],
    [{ caseId: 'C', personId: 'P', confirmedAt: '2021-08-02T08:00', infectiousTo: '2021-07-01T08:00' }, 'body.cases.0.infectiousTo'],
    [{ caseId: 'C', personId: 'P', confirmedAt: '2021-08-02T08:00', status: 'died' }, 'body.cases.0'],
    [{ cases: [] }, 'body.cases'],
  ])('answers 400 naming the field for %j', async (json, field) => {
    const r = await post(tokens.national, json);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation');
    expect(r.body.errors?.[0]?.path).toBe(field);
  });

  it('refuses (403, audited, nothing stored) a scoped tracer a case person living elsewhere or not in the registry, the same way, even beside a case inside', async () => {
    for (const person of [raw.x, raw.u]) {
      const r = await post(tokens.scoped, { cases: [{ caseId: id('4'), personId: raw.a, confirmedAt: iso(T) }, { caseId: id('5'), personId: person, confirmedAt: iso(T) }] });
      expect(r.status).toBe(403);
      expect(r.body.errors).toEqual([{ path: 'cases.1.personId', message: 'does not live in your jurisdiction' }]);
    }
    expect(await stored(id('4'))).toBeUndefined();
    expect(await stored(id('5'))).toBeUndefined();
    const denied = await listAudit({ chain: run, action: 'access.denied', limit: 10 });
    expect(denied.filter((e) => e.details?.['route'] === 'casesCreate')).toHaveLength(2);
  });

  it('lets a national tracer register the case of someone living anywhere, or of an unregistered person', async () => {
    const r = await post(tokens.national, { cases: [{ caseId: id('5'), personId: raw.u, confirmedAt: iso(T + 2 * H) }, { caseId: id('6'), personId: raw.x, confirmedAt: iso(T + 3 * H) }] });
    expect(r.status).toBe(201);
    expect(r.body.cases.map((c) => [c.id, c.registered])).toEqual([
      [id('5'), false],
      [id('6'), true],
    ]);
  });

  it('answers 409 for a case id registered for another person, and registers nothing of the batch', async () => {
    const r = await post(tokens.national, { cases: [{ caseId: id('7'), personId: raw.b, confirmedAt: iso(T) }, { caseId: id('1'), personId: raw.b, confirmedAt: iso(T) }] });
    expect(r.status).toBe(409);
    expect(await stored(id('7'))).toBeUndefined();
    expect(await stored(id('1'))).toEqual({ status: 'confirmed', personId: pid.a });
  });
});

describe('GET /api/cases', () => {
  it('gives a scoped tracer only the cases of people living in the jurisdiction, newest first, with their full identities; the read is audited', async () => {
    const r = await list(tokens.scoped);
    expect(r.status).toBe(200);
    expect(r.body.cases.map((c) => c.id)).toEqual([id('2'), id('1'), id('3')]);
    expect(r.body.cases[1]).toMatchObject({ personId: pid.a, status: 'confirmed', registered: true, home: { province: inside }, infectious: { from: iso(T + 24 * H - 48 * H), to: iso(T) } });
    expect(r.body.identities[pid.a]).toMatchObject({ rawKey: raw.a, fullName: `Nguyễn Thị ${canary}`, registered: true });
    expect(Object.keys(r.body.identities).sort()).toEqual([pid.a, pid.b].sort());
    expect(r.body.outside).toEqual({});
    expect(r.text).not.toContain(raw.x);
    expect(r.text).not.toContain(pid.u);
    const [e] = await listAudit({ chain: run, action: 'cases.read', limit: 1 });
    expect(e).toMatchObject({ actor: `${run}-tracer`, count: 2, details: { cases: 3, status: null } });
  });

  it('narrows to a district for a district tracer', async () => {
    const r = await list(tokens.district);
    expect(r.body.cases.map((c) => c.id)).toEqual([id('2')]);
    expect(Object.keys(r.body.identities)).toEqual([pid.b]);
  });

  it('gives a national tracer every case, an unregistered person with the raw key only', async () => {
    const r = await list(tokens.national);
    expect(r.body.cases.map((c) => c.id)).toEqual([id('6'), id('5'), id('2'), id('1'), id('3')]);
    expect(r.body.identities[pid.u]).toEqual({ rawKey: raw.u, registered: false });
    expect(r.body.cases.find((c) => c.id === id('5'))).toMatchObject({ registered: false, home: null });
    expect(r.body.identities[pid.x]).toMatchObject({ fullName: `Lê Văn ${canary}` });
  });

  it('filters by status and confirmation time, and pages', async () => {
    expect((await list(tokens.national, '&limit=2&skip=1')).body.cases.map((c) => c.id)).toEqual([id('5'), id('2')]);
    const window = await server.request<ListBody>('GET', `/api/cases?confirmedFrom=${iso(T)}&confirmedTo=${iso(T + H)}`, { token: tokens.national });
    expect(window.body.cases.map((c) => c.id)).toEqual([id('2'), id('1')]);
    expect((await list(tokens.national, '&status=died')).body.cases).toEqual([]);
    const bad = await server.request<Problem>('GET', `/api/cases?status=sick&confirmedFrom=${iso(T + H)}&confirmedTo=${iso(T)}`, { token: tokens.national });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.path).sort()).toEqual(['query.status']);
  });
});

describe('PATCH /api/cases/:id', () => {
  const patch = (token: string, caseId: string, json: unknown) =>
    server.request<{ case: CaseBody; previousStatus: string; changed: boolean } & Problem>('PATCH', `/api/cases/${encodeURIComponent(caseId)}`, { token, json });

  it('sets the status with a note, stamped with who and when; the same status again changes nothing; both audited without the note', async () => {
    const r = await patch(tokens.scoped, id('1'), { status: 'recovered', note: `xuất viện ${canary}` });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ previousStatus: 'confirmed', changed: true, case: { id: id('1'), status: 'recovered', statusChangedBy: `${run}-tracer`, statusNote: `xuất viện ${canary}` } });
    const again = await patch(tokens.scoped, id('1'), { status: 'recovered' });
    expect(again.body).toMatchObject({ previousStatus: 'recovered', changed: false });
    expect(await stored(id('1'))).toMatchObject({ status: 'recovered' });
    const events = await listAudit({ chain: run, action: 'cases.status', limit: 10 });
    expect(events.map((e) => [e.target, e.details])).toEqual([
      [id('1'), { from: 'confirmed', to: 'recovered', changed: true, note: true }],
      [id('1'), { from: 'recovered', to: 'recovered', changed: false, note: false }],
    ]);
    expect(JSON.stringify(events)).not.toContain('xuất viện');
  });

  it('refuses a scoped tracer a case of someone living elsewhere or unregistered (403, audited, unchanged); answers 404 for an unknown case and 400 for an unknown status', async () => {
    for (const c of [id('6'), id('5')]) {
      const r = await patch(tokens.scoped, c, { status: 'died' });
      expect(r.status).toBe(403);
      expect(await stored(c)).toMatchObject({ status: 'confirmed' });
    }
    const denied = await listAudit({ chain: run, action: 'access.denied', limit: 20 });
    expect(denied.filter((e) => e.details?.['route'] === 'casesUpdate').map((e) => e.target)).toEqual([id('6'), id('5')]);
    expect((await patch(tokens.scoped, id('nope'), { status: 'died' })).status).toBe(404);
    const bad = await patch(tokens.scoped, id('1'), { status: 'cured' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.path).toBe('body.status');
  });

  it('lets a national tracer change any case; a discarded case is listed by its status', async () => {
    expect((await patch(tokens.national, id('5'), { status: 'discarded', note: 'false positive' })).status).toBe(200);
    const r = await list(tokens.national, '&status=discarded');
    expect(r.body.cases.map((c) => [c.id, c.status])).toEqual([[id('5'), 'discarded']]);
  });

  it('takes a case id with slashes and Vietnamese letters, percent-encoded in the path', async () => {
    const odd = id('HCM/2021/Bệnh-7');
    expect((await post(tokens.scoped, { caseId: odd, personId: raw.b, confirmedAt: iso(T - 30 * H) })).status).toBe(201);
    const r = await patch(tokens.scoped, odd, { status: 'died' });
    expect(r.status).toBe(200);
    expect(r.body.case).toMatchObject({ id: odd, status: 'died' });
  });
});

describe('logs', () => {
  it('carry none of the case persons’ keys, names or phones', () => {
    const text = server.lines.join('\n');
    expect(text).not.toContain(canary);
    expect(text).not.toContain('0911000001');
  });
});
