import { ROLES, type Role } from '../../engine/accounts/roles';
import { registerCases } from '../../engine/cases';
import { submitDeclarations } from '../../engine/declarations/service';
import { closeDriver } from '../../engine/db/driver';
import { upsertPeople } from '../../engine/db/people';
import { pseudonym } from '../../engine/identity';
import { newExposureId, requestExposure } from '../../engine/exposure';
import { newTraceId, requestTrace } from '../../engine/trace-store';
import { createRun, newOutbreakRunId } from '../../engine/outbreak-store';
import { attachRunClusters, clusterOfCase } from '../../engine/clusters';
import { openFollowUps } from '../../engine/followups';
import { importRunner } from '../../api/import-runner';
import { ROUTE_LIST, type RouteId } from '../../api/routes';
import { citizen, declarationJson, makeAccount, registryRow, runProvince, station, validDeclaration, type ReceiptBody } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';
import { buildCity, TRACE_PERIOD, type City } from './city';

/**
 * The route × role × jurisdiction matrix, generated from the route table: every route, called
 * by every role, on a resource inside and outside the caller's jurisdiction, answers the status
 * this file expects. The expectations below are written by hand, apart from api/routes.ts, so
 * a change of who may do what in the table fails here until it is made on purpose in both.
 * Every account has the jurisdiction `inside` (one province of the run's own).
 */

const run = newRunId('mx');
const inside = runProvince();
let outside = runProvince();
while (outside === inside) outside = runProvince();

/** Who may call each route (hand-written, independent of api/routes.ts). 'public' = anyone. */
const ALLOWED: Record<RouteId, readonly Role[] | 'public'> = {
  health: 'public',
  status: ['admin'],
  openapi: 'public',
  token: 'public',
  refresh: 'public',
  logout: 'public',
  me: ['admin', 'tracer', 'officer', 'importer', 'auditor', 'approver'],
  accountsList: ['admin'],
  accountsCreate: ['admin'],
  accountsUpdate: ['admin'],
  stationsList: ['admin', 'tracer', 'officer', 'importer', 'auditor', 'approver'],
  stationsCreate: ['admin', 'officer'],
  stationPassages: ['officer'],
  importsCreate: ['importer'],
  importsGet: ['importer', 'admin'],
  tracesCreate: ['tracer'],
  tracesList: ['tracer', 'admin', 'auditor'],
  tracesGet: ['tracer', 'admin', 'auditor'],
  exposuresCreate: ['tracer'],
  exposuresGet: ['tracer', 'admin', 'auditor'],
  exposuresList: ['tracer', 'admin', 'auditor'],
  exposureApprovalsList: ['approver'],
  exposureApprovalsDecide: ['approver'],
  traceProgress: ['tracer'],
  traceCancel: ['tracer'],
  approvalsList: ['approver'],
  approvalsDecide: ['approver'],
  timeline: ['tracer'],
  hotspots: ['tracer'],
  jwks: 'public',
  declarationsSubmit: 'public',
  declarationsList: ['admin', 'tracer'],
  qrSvg: 'public',
  qrPng: 'public',
  qrRevoke: ['admin', 'officer'],
  qrRevocations: 'public',
  scansCreate: ['officer'],
  scansFlagged: ['tracer'],
  isolationSet: ['tracer', 'officer'],
  isolationGet: ['tracer', 'officer'],
  casesCreate: ['tracer'],
  casesList: ['tracer'],
  casesUpdate: ['tracer'],
  outbreaksCreate: ['tracer'],
  outbreaksList: ['tracer', 'admin', 'auditor'],
  outbreaksGet: ['tracer', 'admin', 'auditor'],
  outbreaksCancel: ['tracer'],
  clustersList: ['tracer'],
  clustersGet: ['tracer'],
  followupsList: ['officer'],
  followupsExport: ['officer'],
  followupsUpdate: ['officer'],
  followupsPromote: ['tracer'],
  statsDaily: ['tracer', 'officer'],
  auditList: ['auditor'],
  auditVerify: ['auditor', 'admin'],
};

type Where = 'inside' | 'outside';
interface Call {
  method: string;
  path: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}
interface Spec {
  /** The request, for a resource inside or outside the caller's jurisdiction. */
  call: (where: Where, role: Role) => Call;
  /** Status when the role may call the route (and the resource is inside). */
  ok: number;
  /** True (or the roles for which it holds) when a resource outside the jurisdiction is refused (403) even for an allowed role. */
  scopedRefusal?: boolean | readonly Role[];
}

let server: TestServer;
let city: City;
const tokens = {} as Record<Role, string>;
const passwords = {} as Record<Role, string>;
let traceId = '';
let exposureId = '';
/** A registered person living outside the accounts' jurisdiction (raw key, pseudonym). */
const elsewhere = { raw: `${run}-ELSEWHERE`, pid: pseudonym(`${run}-ELSEWHERE`) };
/** Another person living outside, not a case (a case is not followed up). */
const farAway = { raw: `${run}-FARAWAY`, pid: pseudonym(`${run}-FARAWAY`) };
/** Pending trace requests (approval step) from tracers inside and outside the approver's jurisdiction. */
const pendingIds = { inside: newTraceId(), outside: newTraceId() };
/** Pending venue exposure requests (approval step) from tracers inside and outside the approver's jurisdiction. */
const pendingExposureIds = { inside: newExposureId(), outside: newExposureId() };
/** Stored cases of a person living inside / outside the accounts' jurisdiction. */
const caseIds = { inside: `${run}-case-in`, outside: `${run}-case-out` };
/** Clusters across days of two cases each, of people living inside / outside the accounts' jurisdiction. */
const clusterIds = { inside: '', outside: '' };
let importId = '';
/** The tracer's outbreak run (started through the API), and two of its runs left queued by a process that is gone (to cancel). */
let outbreakId = '';
const cancellable = { inside: newOutbreakRunId(), outside: newOutbreakRunId() };
/** Follow-ups of a person living inside (C) and outside (elsewhere) the accounts' jurisdiction. */
const followUpIds = { inside: '', outside: '' };
let receipt: ReceiptBody;
/** A declaration with a QR code of a citizen living inside / outside the accounts' jurisdiction. */
const homeDeclaration = { inside: '', outside: '' };
const declared: string[] = [];
let counter = 0;
const next = () => `${run}-n${++counter}`;
/** A new citizen's declaration each call (a repeat would answer 200, the first receipt). */
const declaration = () => {
  const c = citizen('Võ Thị Mai', 1990, 'female');
  declared.push(c.number);
  return declarationJson(c, Date.now() - 60_000, next());
};
const qrLink = (kind: 'svg' | 'png') => receipt.qr[kind];
/** Refresh tokens of extra logins, one used up by each refresh or logout call. */
const refreshTokens = {} as Record<Role, string[]>;
const spareRefresh = (role: Role): string => {
  const t = refreshTokens[role].shift();
  if (t === undefined) throw new Error(`no spare refresh token of ${role} left`);
  return t;
};

const SPECS: Record<RouteId, Spec> = {
  health: { call: () => ({ method: 'GET', path: '/api/health' }), ok: 200 },
  status: { call: () => ({ method: 'GET', path: '/api/status' }), ok: 200 },
  openapi: { call: () => ({ method: 'GET', path: '/api/openapi.json' }), ok: 200 },
  token: { call: (_w, role) => ({ method: 'POST', path: '/api/auth/token', json: { username: `${run}-${role}`, password: passwords[role] } }), ok: 200 },
  // The refresh token is the credential (no bearer needed): a fresh one of the caller's own for each call.
  refresh: { call: (_w, role) => ({ method: 'POST', path: '/api/auth/refresh', json: { refreshToken: spareRefresh(role) } }), ok: 200 },
  logout: { call: (_w, role) => ({ method: 'POST', path: '/api/auth/logout', json: { refreshToken: spareRefresh(role) } }), ok: 204 },
  me: { call: () => ({ method: 'GET', path: '/api/auth/me' }), ok: 200 },
  accountsList: { call: () => ({ method: 'GET', path: '/api/accounts' }), ok: 200 },
  accountsCreate: {
    call: () => ({ method: 'POST', path: '/api/accounts', json: { username: next(), password: 'another long pass 7', role: 'auditor' } }),
    ok: 201,
  },
  accountsUpdate: { call: () => ({ method: 'PATCH', path: `/api/accounts/${run}-spare`, json: { role: 'auditor' } }), ok: 200 },
  stationsList: { call: (w) => ({ method: 'GET', path: `/api/stations?province=${w === 'inside' ? inside : outside}` }), ok: 200 },
  stationsCreate: {
    call: (w) => ({ method: 'POST', path: '/api/stations', json: { ...station(next(), { province: w === 'inside' ? inside : outside, district: '001', commune: '00001' }), tz: 'Asia/Ho_Chi_Minh' } }),
    ok: 201,
    scopedRefusal: true,
  },
  stationPassages: {
    call: (w) => ({
      method: 'GET',
      path: `/api/stations/${encodeURIComponent(w === 'inside' ? city.stations.s1.id : city.stations.s3.id)}/passages?from=${TRACE_PERIOD.from}&to=${TRACE_PERIOD.to}`,
    }),
    ok: 200,
    scopedRefusal: true,
  },
  importsCreate: {
    call: () => ({ method: 'POST', path: '/api/imports/passages?name=m.csv', body: 'passage_id,person_id,station_id,at,left_at,source\n', headers: { 'content-type': 'text/csv' } }),
    ok: 202,
  },
  importsGet: { call: () => ({ method: 'GET', path: `/api/imports/${importId}` }), ok: 200 },
  tracesCreate: {
    // Outside: a case living in another province, who never passed the tracer's stations.
    call: (w) => ({ method: 'POST', path: '/api/traces', json: { f0: w === 'inside' ? city.raw.f0 : elsewhere.raw, ...TRACE_PERIOD, requestRef: 'SYT-2021/0815', purpose: 'matrix test' } }),
    ok: 201,
    scopedRefusal: true,
  },
  tracesList: { call: () => ({ method: 'GET', path: '/api/traces' }), ok: 200 },
  tracesGet: { call: () => ({ method: 'GET', path: `/api/traces/${traceId}` }), ok: 200 },
  // Outside: a station in another province.
  exposuresCreate: {
    call: (w) => ({
      method: 'POST',
      path: '/api/exposures',
      json: { stationId: w === 'inside' ? city.stations.s1.id : city.stations.s3.id, ...TRACE_PERIOD, requestRef: 'SYT-2021/0816', purpose: 'matrix test' },
    }),
    ok: 201,
    scopedRefusal: true,
  },
  exposuresGet: { call: () => ({ method: 'GET', path: `/api/exposures/${exposureId}` }), ok: 200 },
  exposuresList: { call: () => ({ method: 'GET', path: '/api/exposures?limit=5' }), ok: 200 },
  exposureApprovalsList: { call: () => ({ method: 'GET', path: '/api/exposure-approvals' }), ok: 200 },
  // Pending exposure requests of tracers inside and outside the approver's jurisdiction.
  exposureApprovalsDecide: {
    call: (w) => ({ method: 'POST', path: `/api/exposures/${pendingExposureIds[w]}/approval`, json: { decision: 'reject', note: 'matrix test' } }),
    ok: 200,
    scopedRefusal: true,
  },
  // No trace runs under this id: a tracer passes the role check and is told so (404); tests/api/trace-progress.api.test.ts runs one.
  traceProgress: { call: () => ({ method: 'GET', path: '/api/traces/progress/5f0c2c4e-8d1a-4b7e-9c3f-2a6b1d0e9f47' }), ok: 404 },
  traceCancel: { call: () => ({ method: 'POST', path: '/api/traces/progress/5f0c2c4e-8d1a-4b7e-9c3f-2a6b1d0e9f47/cancel' }), ok: 404 },
  approvalsList: { call: () => ({ method: 'GET', path: '/api/trace-approvals' }), ok: 200 },
  approvalsDecide: {
    call: (w) => ({ method: 'POST', path: `/api/traces/${pendingIds[w]}/approval`, json: { decision: 'reject', note: 'matrix test' } }),
    ok: 200,
    scopedRefusal: true,
  },
  timeline: { call: () => ({ method: 'GET', path: `/api/people/${city.pid.a}/timeline?trace=${traceId}` }), ok: 200 },
  hotspots: { call: () => ({ method: 'GET', path: `/api/hotspots?trace=${traceId}` }), ok: 200 },
  jwks: { call: () => ({ method: 'GET', path: '/.well-known/jwks.json' }), ok: 200 },
  declarationsSubmit: { call: () => ({ method: 'POST', path: '/api/declarations', json: declaration() }), ok: 201 },
  declarationsList: { call: (w) => ({ method: 'GET', path: `/api/declarations?province=${w === 'inside' ? inside : outside}&limit=5` }), ok: 200 },
  qrSvg: { call: () => ({ method: 'GET', path: qrLink('svg') }), ok: 200 },
  qrPng: { call: () => ({ method: 'GET', path: qrLink('png') }), ok: 200 },
  // Staff revoke a code whose holder lives inside their jurisdiction (the holder's own key is tested in qr-revocation.api.test.ts).
  qrRevoke: { call: (w) => ({ method: 'POST', path: `/api/qr/${homeDeclaration[w]}/revoke` }), ok: 200, scopedRefusal: true },
  qrRevocations: { call: () => ({ method: 'GET', path: '/.well-known/qr-revocations.json' }), ok: 200 },
  scansCreate: {
    call: (w) => ({ method: 'POST', path: '/api/scans', json: { qrText: receipt.qr.token, scanId: next(), stationId: w === 'inside' ? city.stations.s1.id : city.stations.s3.id } }),
    ok: 201,
    scopedRefusal: true,
  },
  scansFlagged: { call: (w) => ({ method: 'GET', path: `/api/scans/flagged?from=${TRACE_PERIOD.from}&to=${TRACE_PERIOD.to}&province=${w === 'inside' ? inside : outside}` }), ok: 200 },
  // Tracers through their trace; officers for people living in their jurisdiction (outside: someone living elsewhere).
  isolationSet: {
    call: (w, role) => ({
      method: 'PUT',
      path: `/api/people/${role === 'officer' && w === 'outside' ? elsewhere.pid : city.pid.a}/isolation`,
      json: { ...(role === 'officer' ? {} : { trace: traceId }), isolated: false, classification: 'F1', since: TRACE_PERIOD.from },
    }),
    ok: 200,
    scopedRefusal: ['officer'],
  },
  isolationGet: {
    call: (w, role) => ({
      method: 'GET',
      path: `/api/people/${role === 'officer' && w === 'outside' ? elsewhere.pid : city.pid.a}/isolation${role === 'officer' ? '' : `?trace=${traceId}`}`,
    }),
    ok: 200,
    scopedRefusal: ['officer'],
  },
  // Cases of a person living inside the tracer's jurisdiction, or elsewhere (refused): a new case id each call.
  casesCreate: {
    call: (w) => ({ method: 'POST', path: '/api/cases', json: { caseId: next(), personId: w === 'inside' ? city.raw.a : elsewhere.raw, confirmedAt: TRACE_PERIOD.to } }),
    ok: 201,
    scopedRefusal: true,
  },
  casesList: { call: () => ({ method: 'GET', path: '/api/cases?limit=5' }), ok: 200 },
  casesUpdate: { call: (w) => ({ method: 'PATCH', path: `/api/cases/${encodeURIComponent(caseIds[w])}`, json: { status: 'recovered', note: 'matrix test' } }), ok: 200, scopedRefusal: true },
  // Cases of a person living inside the tracer's jurisdiction, or elsewhere (refused, audited).
  outbreaksCreate: {
    call: (w) => ({ method: 'POST', path: '/api/outbreaks', json: { caseIds: [caseIds[w]], depth: 1, requestRef: 'SYT-2021/0815', purpose: 'matrix test' } }),
    ok: 202,
    scopedRefusal: true,
  },
  outbreaksList: { call: () => ({ method: 'GET', path: '/api/outbreaks' }), ok: 200 },
  outbreaksGet: { call: () => ({ method: 'GET', path: `/api/outbreaks/${outbreakId}` }), ok: 200 },
  outbreaksCancel: { call: (w) => ({ method: 'POST', path: `/api/outbreaks/${cancellable[w]}/cancel` }), ok: 200 },
  clustersList: { call: () => ({ method: 'GET', path: '/api/clusters?limit=5' }), ok: 200 },
  // A cluster of cases of people living inside the jurisdiction, or elsewhere (refused, audited).
  clustersGet: { call: (w) => ({ method: 'GET', path: `/api/clusters/${clusterIds[w]}` }), ok: 200, scopedRefusal: true },
  followupsList: { call: () => ({ method: 'GET', path: '/api/followups?status=all' }), ok: 200 },
  followupsExport: { call: () => ({ method: 'GET', path: '/api/followups/export' }), ok: 200 },
  // A follow-up of a person living inside the officer's jurisdiction, or elsewhere (refused, audited).
  followupsUpdate: { call: (w) => ({ method: 'PATCH', path: `/api/followups/${followUpIds[w]}`, json: { status: 'reached' } }), ok: 200, scopedRefusal: true },
  // F0 is an F1 of the run over case A (already followed up: answered as it is).
  statsDaily: { call: () => ({ method: 'GET', path: `/api/stats/daily?from=${TRACE_PERIOD.from}&to=${TRACE_PERIOD.to}` }), ok: 200 },
  followupsPromote: { call: () => ({ method: 'POST', path: `/api/outbreaks/${outbreakId}/followups`, json: { personId: city.pid.f0 } }), ok: 200 },
  auditList: { call: () => ({ method: 'GET', path: '/api/audit?limit=5' }), ok: 200 },
  auditVerify: { call: () => ({ method: 'GET', path: '/api/audit/verify' }), ok: 200 },
};

beforeAll(async () => {
  // The run's own provinces are made up (no real data lives there): not checked against the unit tables.
  server = await startInProcess(run, { importRunner, settings: { checkUnits: false } });
  city = await buildCity(run, inside, outside);
  for (const role of ROLES) {
    const a = await makeAccount(run, role, role, { province: inside });
    passwords[role] = a.password;
    tokens[role] = await server.login(a.username, a.password);
    // Two routes (refresh, logout) × inside/outside, plus the call without a bearer token.
    refreshTokens[role] = [];
    for (let i = 0; i < 5; i++) {
      const r = await server.request<{ refreshToken: string }>('POST', '/api/auth/token', { json: { username: a.username, password: a.password } });
      refreshTokens[role].push(r.body.refreshToken);
    }
  }
  await makeAccount(run, 'spare', 'auditor');
  await upsertPeople([
    registryRow(elsewhere.raw, { fullName: 'Đỗ Văn Khác', birthDate: '1970-01-01', sex: 'M', phone: '', province: outside, district: '001', commune: '00001' }),
    registryRow(farAway.raw, { fullName: 'Đỗ Văn Xa', birthDate: '1971-01-01', sex: 'M', phone: '', province: outside, district: '001', commune: '00001' }),
  ]);
  for (const w of ['inside', 'outside'] as const) {
    const request = { from: Date.parse(TRACE_PERIOD.from), to: Date.parse(TRACE_PERIOD.to), depth: 2, toleranceSeconds: 900, mode: 'time-respecting' as const, closeOnly: false };
    const trace = { id: pendingIds[w], owner: `${run}-tracer-${w}`, requestRef: 'SYT-2021/0815', purpose: 'matrix test', createdAt: Date.now() };
    await requestTrace(trace, city.pid.f0, request, { province: w === 'inside' ? inside : outside });
    const exposure = { id: pendingExposureIds[w], owner: `${run}-tracer-${w}`, requestRef: 'SYT-2021/0816', purpose: 'matrix test', createdAt: Date.now() };
    const venue = { stationId: w === 'inside' ? city.stations.s1.id : city.stations.s3.id, from: request.from, to: request.to };
    await requestExposure(exposure, venue, { scope: { province: w === 'inside' ? inside : outside }, followUp: false });
  }
  const t = await server.request<{ id: string }>('POST', '/api/traces', {
    token: tokens.tracer,
    json: { f0: city.raw.f0, ...TRACE_PERIOD, requestRef: 'SYT-2021/0815', purpose: 'matrix setup' },
  });
  traceId = t.body.id;
  const x = await server.request<{ id: string }>('POST', '/api/exposures', {
    token: tokens.tracer,
    json: { stationId: city.stations.s1.id, ...TRACE_PERIOD, requestRef: 'SYT-2021/0816', purpose: 'matrix setup' },
  });
  if (x.status !== 201) throw new Error(`exposure answered ${x.status}: ${x.text}`);
  exposureId = x.body.id;
  const imp = await server.request<{ id: string }>('POST', '/api/imports/passages', {
    token: tokens.importer,
    body: 'passage_id,person_id,station_id,at,left_at,source\n',
    headers: { 'content-type': 'text/csv' },
  });
  importId = imp.body.id ?? 'im000000000000000000000000';
  const d = await server.request<ReceiptBody>('POST', '/api/declarations', { json: declaration() });
  if (d.status !== 201) throw new Error(`declaration answered ${d.status}: ${d.text}`);
  receipt = d.body;
  for (const where of ['inside', 'outside'] as const) {
    // Stored through the engine: the API's form takes real 2-digit province codes, the run's are its own.
    const c = citizen('Đỗ Văn Nhà', 1985);
    declared.push(c.number);
    const v = validDeclaration(declarationJson(c, Date.now() - 60_000, next()));
    const [r] = await submitDeclarations([{ ...v, address: { province: where === 'inside' ? inside : outside } }], { now: Date.now() });
    homeDeclaration[where] = r!.declarationId;
  }
  await registerCases(
    [
      { caseId: caseIds.inside, rawPersonId: city.raw.a, confirmedAt: Date.parse(TRACE_PERIOD.to), warnings: [] },
      { caseId: caseIds.outside, rawPersonId: elsewhere.raw, confirmedAt: Date.parse(TRACE_PERIOD.to), warnings: [] },
      { caseId: `${caseIds.inside}-2`, rawPersonId: city.raw.b, confirmedAt: Date.parse(TRACE_PERIOD.to), warnings: [] },
      { caseId: `${caseIds.outside}-2`, rawPersonId: elsewhere.raw, confirmedAt: Date.parse(TRACE_PERIOD.from), warnings: [] },
    ],
    { scope: undefined, by: `${run}-setup`, now: Date.now(), source: 'test' },
  );
  const groups = (['inside', 'outside'] as const).map((w) => ({ id: `cl-${w}`, index: caseIds[w], cases: [caseIds[w], `${caseIds[w]}-2`] }));
  await attachRunClusters(`${run}-clusters`, groups, Date.now());
  for (const w of ['inside', 'outside'] as const) clusterIds[w] = (await clusterOfCase(caseIds[w]))!;
  const ob = await server.request<{ id: string }>('POST', '/api/outbreaks', {
    token: tokens.tracer,
    json: { caseIds: [caseIds.inside], depth: 1, requestRef: 'SYT-2021/0815', purpose: 'matrix setup' },
  });
  if (ob.status !== 202) throw new Error(`outbreak run answered ${ob.status}: ${ob.text}`);
  outbreakId = ob.body.id;
  await server.app.truyvet.outbreaks.idle();
  const opened = await openFollowUps({
    source: 'exposure',
    sourceId: `${run}-x`,
    candidates: [city.pid.c, farAway.pid].map((personId) => ({ personId, generation: 1, exposureAt: Date.parse(TRACE_PERIOD.from), class: 'close' as const })),
    quarantineDays: 14,
    actor: `${run}-setup`,
    now: Date.now(),
  });
  followUpIds.inside = opened.outcomes.get(city.pid.c)!.id;
  followUpIds.outside = opened.outcomes.get(farAway.pid)!.id;
  for (const w of ['inside', 'outside'] as const) {
    const confirmedAt = Date.parse(TRACE_PERIOD.to);
    await createRun(
      { id: cancellable[w], owner: `${run}-tracer`, requestRef: 'SYT-2021/0815', purpose: 'matrix test', createdAt: Date.now(), source: 'api', instance: `${run}-gone.1`, scope: { province: inside } },
      [{ caseId: caseIds.inside, personId: city.pid.a, confirmedAt }],
      { selection: { caseIds: [caseIds.inside] }, depth: 1, toleranceSeconds: 900, mode: 'time-respecting', closeOnly: false },
    );
  }
  const iso = await server.request('PUT', `/api/people/${city.pid.a}/isolation`, {
    token: tokens.tracer,
    json: { trace: traceId, isolated: false, classification: 'F1', since: TRACE_PERIOD.from },
  });
  if (iso.status !== 200) throw new Error(`isolation answered ${iso.status}: ${iso.text}`);
});

afterAll(async () => {
  await server.close();
  await removeRun(run, { people: [...city.allRaw, ...declared, elsewhere.raw, farAway.raw] });
  await closeDriver();
});

describe('the route table and this matrix', () => {
  it('name the same routes', () => {
    expect(Object.keys(SPECS).sort()).toEqual(ROUTE_LIST.map((r) => r.id).sort());
    expect(Object.keys(ALLOWED).sort()).toEqual(ROUTE_LIST.map((r) => r.id).sort());
  });

  it('agree on who may call each route', () => {
    for (const r of ROUTE_LIST) expect([r.id, r.access]).toEqual([r.id, ALLOWED[r.id as RouteId]]);
  });
});

const cases = ROUTE_LIST.flatMap((r) => ROLES.flatMap((role) => (['inside', 'outside'] as const).map((where) => [r.id as RouteId, role, where] as const)));

describe('route × role × jurisdiction', () => {
  it.each(cases)('%s called by %s on a resource %s the jurisdiction answers as expected', async (id, role, where) => {
    const spec = SPECS[id];
    const who = ALLOWED[id];
    const allowed = who === 'public' || who.includes(role);
    const refusedOutside = spec.scopedRefusal === true || (Array.isArray(spec.scopedRefusal) && spec.scopedRefusal.includes(role));
    const expected = !allowed ? 403 : refusedOutside && where === 'outside' ? 403 : spec.ok;
    const c = spec.call(where, role);
    const res = await server.request(c.method, c.path, { token: tokens[role], ...(c.json !== undefined ? { json: c.json } : {}), ...(c.body !== undefined ? { body: c.body } : {}), ...(c.headers ? { headers: c.headers } : {}) });
    expect([id, role, where, res.status]).toEqual([id, role, where, expected]);
    if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it.each(ROUTE_LIST.filter((r) => r.access !== 'public').map((r) => [r.id as RouteId]))('%s without a token answers 401', async (id) => {
    const c = SPECS[id].call('inside', 'admin');
    const res = await server.request(c.method, c.path, { ...(c.json !== undefined ? { json: c.json } : {}), ...(c.body !== undefined ? { body: c.body } : {}), ...(c.headers ? { headers: c.headers } : {}) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('jurisdiction inside the query', () => {
  it('gives a scoped caller only the stations inside its jurisdiction, even when it asks for everything', async () => {
    const all = await server.request<{ stations: { province: string }[] }>('GET', '/api/stations?limit=5000', { token: tokens.officer });
    expect(all.status).toBe(200);
    expect(all.body.stations.length).toBeGreaterThan(0);
    expect(all.body.stations.every((s) => s.province === inside)).toBe(true);
    const out = await server.request<{ stations: unknown[] }>('GET', `/api/stations?province=${outside}`, { token: tokens.officer });
    expect(out.body.stations).toEqual([]);
  });

  it('shows an officer the passages of a station inside, with masked identities only', async () => {
    const res = await server.request<{ passages: { personId: string }[]; people: Record<string, { name?: string; rawKey: string; phone?: string }> }>(
      'GET',
      `/api/stations/${encodeURIComponent(city.stations.s1.id)}/passages?from=${TRACE_PERIOD.from}&to=${TRACE_PERIOD.to}`,
      { token: tokens.officer },
    );
    expect(res.status).toBe(200);
    expect(res.body.passages.map((p) => p.personId).sort()).toEqual([city.pid.f0, city.pid.a, city.pid.d].sort());
    expect(res.body.people[city.pid.f0]?.name).toBe('N. T. ' + `${run}CANARY`.slice(0, 1) + '.');
    expect(res.text).not.toContain('CANARY');
    expect(res.text).not.toContain('0900000001');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
