import type { z } from 'zod';
import type { Role } from '../engine/accounts/roles';
import * as s from './schemas';

/**
 * THE route table: every route of the API with the roles allowed to call it, whether the
 * caller's jurisdiction limits what it sees, whether it returns personal data, and its zod
 * schemas. The app registers exactly these routes (api/app.ts), the OpenAPI document is made
 * from them (api/openapi.ts), and the API tests walk them role by role.
 */

export type Access = 'public' | readonly Role[];

export interface ResponseDef {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Default application/json. */
  readonly contentType?: string;
}

export interface RouteDef {
  readonly id: string;
  readonly method: 'get' | 'post' | 'put' | 'patch';
  /** Express path syntax (`/api/stations/:id`). */
  readonly path: string;
  readonly summary: string;
  readonly access: Access;
  /** The caller's jurisdiction narrows what this route reads or writes. */
  readonly scoped: boolean;
  /** Returns personal data (identities or movement data): audited, never cached. */
  readonly personal: boolean;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** How the body arrives: JSON (default) or a raw CSV stream. */
  readonly bodyKind?: 'json' | 'csv';
  /**
   * `handler`: the app parses the JSON but does not validate it; the handler does, with an engine
   * validator whose field issues carry Vietnamese and English messages (the citizen's
   * declaration). `body` is still the schema the OpenAPI document shows.
   */
  readonly bodyCheck?: 'handler';
  /** Own per-client rate limit (requests per minute, from the settings) on top of the API's. */
  readonly rateLimit?: 'login' | 'declarations';
  /** Own body-size limit from the settings instead of the API's JSON limit. */
  readonly bodyLimit?: 'declaration';
  /**
   * `in-query`: the route's work checks the caller's local account again inside its own
   * transaction (enabled, token version, role, jurisdiction), so the app may authorize it on the
   * account's last read instead of a read of its own; a change since then makes the work refuse
   * with AccountChanged, and the app authorizes again on a read made now and retries once.
   */
  readonly accountCheck?: 'in-query';
  /**
   * Also callable without a token by the holder of a QR code: a request with no Authorization
   * header and a `key` query parameter skips authentication, and the handler checks the key (the
   * capability of the declaration's receipt links, api/qr-links.ts) before anything else.
   */
  readonly holderKey?: true;
  readonly responses: Readonly<Record<number, ResponseDef>>;
}

const ALL: readonly Role[] = ['admin', 'tracer', 'officer', 'importer', 'auditor', 'approver'];

const def = <const R extends RouteDef>(r: R): R => r;

export const routes = {
  health: def({
    id: 'health',
    method: 'get',
    path: '/api/health',
    summary: 'Is the server up and the database reachable (200), or not (503)',
    access: 'public',
    scoped: false,
    personal: false,
    responses: { 200: { description: 'up', schema: s.Health }, 503: { description: 'the database does not answer', schema: s.Health } },
  }),
  status: def({
    id: 'status',
    method: 'get',
    path: '/api/status',
    summary: "This server process's load for operators: traces running, waiting and refused as busy, memory, uptime. No personal data",
    access: ['admin'],
    scoped: false,
    personal: false,
    responses: { 200: { description: 'the answering process', schema: s.ServerStatus } },
  }),
  openapi: def({
    id: 'openapi',
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    access: 'public',
    scoped: false,
    personal: false,
    responses: { 200: { description: 'the document' } },
  }),
  token: def({
    id: 'token',
    method: 'post',
    path: '/api/auth/token',
    summary: 'Log in with a username and password; returns a short-lived bearer token',
    access: 'public',
    scoped: false,
    personal: false,
    body: s.TokenRequest,
    rateLimit: 'login',
    responses: { 200: { description: 'a token', schema: s.TokenResponse } },
  }),
  refresh: def({
    id: 'refresh',
    method: 'post',
    path: '/api/auth/refresh',
    summary:
      "Trade the login's refresh token for a new access token and a new refresh token of the same session (same login time); the old refresh token is spent. A spent one presented again revokes every token of that login (audited). Refused once the session is older than its maximum, or when the account was disabled or its password changed",
    access: 'public',
    scoped: false,
    personal: false,
    body: s.RefreshRequest,
    responses: {
      200: { description: 'a new access token and refresh token', schema: s.TokenResponse },
      401: { description: 'the refresh token is unknown, spent, revoked or expired, or its account changed: log in again', schema: s.Problem, contentType: 'application/problem+json' },
    },
  }),
  logout: def({
    id: 'logout',
    method: 'post',
    path: '/api/auth/logout',
    summary: 'End the session of a refresh token: it and every other refresh token of that login stop working (access tokens already issued run out on their own)',
    access: 'public',
    scoped: false,
    personal: false,
    body: s.RefreshRequest,
    responses: { 204: { description: 'the session is ended (also when the token was unknown or already ended)' } },
  }),
  me: def({
    id: 'me',
    method: 'get',
    path: '/api/auth/me',
    summary: 'Who the token belongs to, with the role and jurisdiction in force now',
    access: ALL,
    scoped: false,
    personal: false,
    responses: { 200: { description: 'the caller', schema: s.Me } },
  }),
  accountsList: def({
    id: 'accountsList',
    method: 'get',
    path: '/api/accounts',
    summary: 'List accounts',
    access: ['admin'],
    scoped: false,
    personal: false,
    responses: { 200: { description: 'accounts', schema: s.AccountList } },
  }),
  accountsCreate: def({
    id: 'accountsCreate',
    method: 'post',
    path: '/api/accounts',
    summary: 'Create an account',
    access: ['admin'],
    scoped: false,
    personal: false,
    body: s.AccountCreate,
    responses: { 201: { description: 'created', schema: s.AccountOut } },
  }),
  accountsUpdate: def({
    id: 'accountsUpdate',
    method: 'patch',
    path: '/api/accounts/:username',
    summary: 'Change role, jurisdiction, password, or disable/enable; effective on the next request',
    access: ['admin'],
    scoped: false,
    personal: false,
    params: s.UsernameParams,
    body: s.AccountUpdate,
    responses: { 200: { description: 'the account after the change', schema: s.AccountOut } },
  }),
  stationsList: def({
    id: 'stationsList',
    method: 'get',
    path: '/api/stations',
    summary: "Stations, limited to the caller's jurisdiction",
    access: ALL,
    scoped: true,
    personal: false,
    query: s.StationListQuery,
    responses: { 200: { description: 'stations', schema: s.StationList } },
  }),
  stationsCreate: def({
    id: 'stationsCreate',
    method: 'post',
    path: '/api/stations',
    summary: "Create or update a station (officers: only inside their jurisdiction)",
    access: ['admin', 'officer'],
    scoped: true,
    personal: false,
    body: s.StationCreate,
    responses: { 201: { description: 'stored', schema: s.StationOut } },
  }),
  stationPassages: def({
    id: 'stationPassages',
    method: 'get',
    path: '/api/stations/:id/passages',
    summary: "Passages at a station inside the officer's jurisdiction, with masked identities",
    access: ['officer'],
    scoped: true,
    personal: true,
    params: s.StationParams,
    query: s.StationPassagesQuery,
    responses: { 200: { description: 'passages', schema: s.StationPassages } },
  }),
  importsCreate: def({
    id: 'importsCreate',
    method: 'post',
    path: '/api/imports/passages',
    summary:
      "Upload a passages.csv (streamed, text/csv, uncompressed); answers a job id at once, the import runs on. The header is checked as it arrives: missing columns, an empty body or bytes that are not UTF-8 CSV text are a 400 (`invalid_header`), no job. An importer with a jurisdiction imports only at stations inside it (other rows are rejects)",
    access: ['importer'],
    scoped: true,
    personal: false,
    query: s.ImportQuery,
    bodyKind: 'csv',
    responses: { 202: { description: 'accepted; follow the job', schema: s.ImportJob } },
  }),
  importsGet: def({
    id: 'importsGet',
    method: 'get',
    path: '/api/imports/:id',
    summary: 'Progress and summary of an import job',
    access: ['importer', 'admin'],
    scoped: false,
    personal: false,
    params: s.ImportParams,
    responses: { 200: { description: 'the job', schema: s.ImportJob } },
  }),
  tracesCreate: def({
    id: 'tracesCreate',
    method: 'post',
    path: '/api/traces',
    summary:
      "Open a trace for a case on the health authority's request; answers the first page. A tracer with a jurisdiction traces only a case living there or with passages at its stations in the period (else 403), and sees identities only of people living there. The period is at most TRUYVET_TRACE_MAX_DAYS. With TRUYVET_TRACE_APPROVAL=required the request is stored for an approver instead (202, status pending). Traces run a few at a time and wait their turn; past the queue, 503 with Retry-After",
    access: ['tracer'],
    scoped: true,
    personal: true,
    body: s.TraceCreate,
    responses: {
      201: { description: 'the trace, first page', schema: s.TracePage },
      202: { description: 'the request, stored until an approver decides (nothing traced yet)', schema: s.TraceMeta },
    },
  }),
  tracesList: def({
    id: 'tracesList',
    method: 'get',
    path: '/api/traces',
    summary: "Stored traces' metadata: a tracer's own, or all for admins and auditors",
    access: ['tracer', 'admin', 'auditor'],
    scoped: false,
    personal: false,
    query: s.TraceListQuery,
    responses: { 200: { description: 'traces', schema: s.TraceList } },
  }),
  tracesGet: def({
    id: 'tracesGet',
    method: 'get',
    path: '/api/traces/:id',
    summary:
      "A stored trace: a page of the result for the tracer who opened it (identities only of people living in the tracer's jurisdiction), or its status while it waits for approval or after a rejection; metadata without the case for admins and auditors",
    access: ['tracer', 'admin', 'auditor'],
    scoped: true,
    personal: true,
    params: s.TraceParamsPath,
    query: s.TracePageQuery,
    responses: { 200: { description: 'the trace', schema: s.TraceGet } },
  }),
  exposuresCreate: def({
    id: 'exposuresCreate',
    method: 'post',
    path: '/api/exposures',
    summary:
      "Venue exposure on the health authority's request: everyone at a station in a window (a market outbreak with no known case), stored and answered a page at a time, each person with the first instant there and close after one stay of TRUYVET_CLOSE_SECONDS. A tracer with a jurisdiction asks only about stations inside it (else 403); identities only of people living there. The window is at most TRUYVET_TRACE_MAX_DAYS. With TRUYVET_TRACE_APPROVAL=required the request is checked, then stored for an approver instead (202, status pending)",
    access: ['tracer'],
    scoped: true,
    personal: true,
    body: s.ExposureCreate,
    responses: {
      201: { description: 'the exposure, first page', schema: s.ExposurePage },
      202: { description: 'the request, stored until an approver decides (nothing read yet)', schema: s.ExposureMeta },
    },
  }),
  exposuresList: def({
    id: 'exposuresList',
    method: 'get',
    path: '/api/exposures',
    summary: "Stored venue exposures' metadata (station, window, request, purpose, status, counts; never the people), newest first: a tracer's own, or all for admins and auditors",
    access: ['tracer', 'admin', 'auditor'],
    scoped: false,
    personal: false,
    query: s.ExposureListQuery,
    responses: { 200: { description: 'exposures', schema: s.ExposureList } },
  }),
  exposuresGet: def({
    id: 'exposuresGet',
    method: 'get',
    path: '/api/exposures/:id',
    summary: 'A stored venue exposure: a page of its people for the tracer who asked for it; metadata for admins and auditors',
    access: ['tracer', 'admin', 'auditor'],
    scoped: true,
    personal: true,
    params: s.ExposureParamsPath,
    query: s.TracePageQuery,
    responses: { 200: { description: 'the exposure', schema: s.ExposureGet } },
  }),
  traceProgress: def({
    id: 'traceProgress',
    method: 'get',
    path: '/api/traces/progress/:progressId',
    summary:
      "How far a trace of the caller's, opened with this progressId, has come while its POST /api/traces waits: queued, tracing (the generation searched, people and contacts so far, the sensitivity pass) or storing. 404 once it has ended, or for another tracer's id",
    access: ['tracer'],
    scoped: false,
    personal: false,
    params: s.ProgressParams,
    responses: { 200: { description: 'the running trace', schema: s.TraceProgressOut } },
  }),
  traceCancel: def({
    id: 'traceCancel',
    method: 'post',
    path: '/api/traces/progress/:progressId/cancel',
    summary:
      "Cancel a trace of the caller's, opened with this progressId, while it waits or runs: the engine stops before its next statement, nothing is stored, and its POST /api/traces answers 499 (code cancelled). Audited. 409 once it is being stored, 404 once it has ended or for another tracer's id",
    access: ['tracer'],
    scoped: false,
    personal: false,
    params: s.ProgressParams,
    responses: { 200: { description: 'cancelled', schema: s.TraceCancelOut } },
  }),
  approvalsList: def({
    id: 'approvalsList',
    method: 'get',
    path: '/api/trace-approvals',
    summary:
      "Trace requests waiting for approval (TRUYVET_TRACE_APPROVAL=required), oldest first: requester, request number, purpose, period, depth; never the case. An approver with a jurisdiction sees the requests of tracers inside it",
    access: ['approver'],
    scoped: true,
    personal: false,
    query: s.ApprovalListQuery,
    responses: { 200: { description: 'pending requests', schema: s.ApprovalList } },
  }),
  approvalsDecide: def({
    id: 'approvalsDecide',
    method: 'post',
    path: '/api/traces/:id/approval',
    summary:
      "Approve or reject a pending trace request (not one's own). An approved request is traced at once, through the same queue as every trace, and stored for its tracer; the approver sees no people",
    access: ['approver'],
    scoped: true,
    personal: false,
    params: s.TraceParamsPath,
    body: s.ApprovalBody,
    responses: { 200: { description: 'decided', schema: s.ApprovalOut } },
  }),
  exposureApprovalsList: def({
    id: 'exposureApprovalsList',
    method: 'get',
    path: '/api/exposure-approvals',
    summary:
      'Venue exposure requests waiting for approval (TRUYVET_TRACE_APPROVAL=required), oldest first: requester, request number, purpose, station and window; never the people. An approver with a jurisdiction sees the requests of tracers inside it',
    access: ['approver'],
    scoped: true,
    personal: false,
    query: s.ApprovalListQuery,
    responses: { 200: { description: 'pending requests', schema: s.ExposureApprovalList } },
  }),
  exposureApprovalsDecide: def({
    id: 'exposureApprovalsDecide',
    method: 'post',
    path: '/api/exposures/:id/approval',
    summary:
      "Approve or reject a pending venue exposure request (not one's own), as trace requests are. An approved request is read at once within its tracer's jurisdiction and stored for its tracer (with follow-ups when asked for); the approver sees no people",
    access: ['approver'],
    scoped: true,
    personal: false,
    params: s.ExposureParamsPath,
    body: s.ApprovalBody,
    responses: { 200: { description: 'decided', schema: s.ApprovalOut } },
  }),
  timeline: def({
    id: 'timeline',
    method: 'get',
    path: '/api/people/:id/timeline',
    summary: "A person's passages, for the tracer whose trace names that person; the identity only when the person lives in the tracer's jurisdiction",
    access: ['tracer'],
    scoped: true,
    personal: true,
    params: s.PersonParams,
    query: s.TimelineQuery,
    responses: { 200: { description: 'the timeline', schema: s.Timeline } },
  }),
  hotspots: def({
    id: 'hotspots',
    method: 'get',
    path: '/api/hotspots',
    summary: "Station × time-window cells ranked by the passages of a trace's people",
    access: ['tracer'],
    scoped: false,
    personal: true,
    query: s.HotspotsQuery,
    responses: { 200: { description: 'hotspots', schema: s.Hotspots } },
  }),
  jwks: def({
    id: 'jwks',
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'The public keys that sign QR codes (JWKS), so checkpoint devices verify codes offline; cacheable',
    access: 'public',
    scoped: false,
    personal: false,
    responses: { 200: { description: 'the key set', schema: s.Jwks } },
  }),
  declarationsSubmit: def({
    id: 'declarationsSubmit',
    method: 'post',
    path: '/api/declarations',
    summary:
      "A citizen's unified health and movement declaration (no login; rate-limited per client and per document number). Checked against the population registry; answers the QR code (201), or only that it is kept for review (202): the registry's reasons are for the reviewer",
    access: 'public',
    scoped: false,
    personal: true,
    body: s.DeclarationBody,
    bodyCheck: 'handler',
    rateLimit: 'declarations',
    bodyLimit: 'declaration',
    responses: {
      201: { description: 'stored and accepted; the QR code and the holder’s links', schema: s.DeclarationReceiptOut },
      200: { description: 'the same declaration was sent before: its first receipt', schema: s.DeclarationReceiptOut },
      202: { description: 'stored and kept for review (no code); nothing more is said', schema: s.DeclarationReceiptOut },
    },
  }),
  declarationsList: def({
    id: 'declarationsList',
    method: 'get',
    path: '/api/declarations',
    summary: "Stored declarations (e.g. status=rejected, for review), limited to declarants living inside the caller's jurisdiction; identities masked",
    access: ['admin', 'tracer'],
    scoped: true,
    personal: true,
    query: s.DeclarationListQuery,
    responses: { 200: { description: 'declarations, newest first', schema: s.DeclarationList } },
  }),
  qrSvg: def({
    id: 'qrSvg',
    method: 'get',
    path: '/api/qr/:id.svg',
    summary: "The QR code of a declaration as SVG, for its holder: the link from the declaration's receipt (its `key` is the capability)",
    access: 'public',
    scoped: false,
    personal: true,
    params: s.QrParams,
    query: s.QrQuery,
    responses: { 200: { description: 'the QR code', contentType: 'image/svg+xml', schema: s.SvgText } },
  }),
  qrPng: def({
    id: 'qrPng',
    method: 'get',
    path: '/api/qr/:id.png',
    summary: "The QR code of a declaration as PNG, for its holder (same link rule as the SVG)",
    access: 'public',
    scoped: false,
    personal: true,
    params: s.QrParams,
    query: s.QrQuery,
    responses: { 200: { description: 'the QR code', contentType: 'image/png', schema: s.PngBytes } },
  }),
  qrRevoke: def({
    id: 'qrRevoke',
    method: 'post',
    path: '/api/qr/:id/revoke',
    summary:
      "Revoke a declaration's QR code (a lost or shared phone, a withdrawn declaration): by its holder with the receipt's key, or by an admin or an officer whose jurisdiction holds the declarant's home. Audited; a scan of the code then stops (revoked), and it joins the signed revocation list. Revoking again changes nothing",
    access: ['admin', 'officer'],
    scoped: true,
    personal: false,
    holderKey: true,
    params: s.QrParams,
    query: s.QrRevokeQuery,
    responses: { 200: { description: 'the code is revoked (now, or since the time given)', schema: s.QrRevokedOut } },
  }),
  qrRevocations: def({
    id: 'qrRevocations',
    method: 'get',
    path: '/.well-known/qr-revocations.json',
    summary:
      'The ids of the revoked QR codes still within their validity, as a JWS (flattened JSON) signed with the QR key (verify with /.well-known/jwks.json), so checkpoint devices refuse them offline. ETag and a one-minute cache',
    access: 'public',
    scoped: false,
    personal: false,
    responses: { 200: { description: 'the signed list', schema: s.QrRevocationList }, 304: { description: 'unchanged since the ETag sent in If-None-Match' } },
  }),
  scansCreate: def({
    id: 'scansCreate',
    method: 'post',
    path: '/api/scans',
    summary:
      "A checkpoint scan at a station inside the officer's jurisdiction: verifies the code (truyvet's signed code or the national personal QR), decides pass or stop, records a passage. The same scanId again returns the first decision (200)",
    access: ['officer'],
    scoped: true,
    personal: false,
    accountCheck: 'in-query',
    body: s.ScanCreate,
    responses: {
      201: { description: 'decided and recorded', schema: s.ScanDecisionOut },
      200: { description: 'a replayed scanId (the first decision), or a scan time outside the window (too_old, future): nothing recorded', schema: s.ScanDecisionOut },
    },
  }),
  scansFlagged: def({
    id: 'scansFlagged',
    method: 'get',
    path: '/api/scans/flagged',
    summary: "Scans with an alert (copied, tampered, expired, future-dated code, isolated person …) at stations inside the caller's jurisdiction, newest first",
    access: ['tracer'],
    scoped: true,
    personal: true,
    query: s.FlaggedScansQuery,
    responses: { 200: { description: 'flagged scans', schema: s.FlaggedScans } },
  }),
  isolationSet: def({
    id: 'isolationSet',
    method: 'put',
    path: '/api/people/:id/isolation',
    summary:
      "Set or release a person's isolation: a tracer through a trace the tracer opened that names the person, or an officer for a person living in the officer's jurisdiction; while it holds, every scan says stop",
    access: ['tracer', 'officer'],
    scoped: true,
    personal: true,
    params: s.PersonParams,
    body: s.IsolationPut,
    responses: { 200: { description: 'the status now', schema: s.IsolationOut } },
  }),
  isolationGet: def({
    id: 'isolationGet',
    method: 'get',
    path: '/api/people/:id/isolation',
    summary: "A person's isolation status, for the same callers as setting it",
    access: ['tracer', 'officer'],
    scoped: true,
    personal: true,
    params: s.PersonParams,
    query: s.IsolationQuery,
    responses: { 200: { description: 'the status', schema: s.IsolationOut } },
  }),
  casesCreate: def({
    id: 'casesCreate',
    method: 'post',
    path: '/api/cases',
    summary:
      "Register confirmed cases: one case, or up to 200 as {cases: […]}, all or none. The person is given by the key of the source files (a national id) and pseudonymised at once. A case id stored with the same data is a duplicate (200), with other dates for the same person it is updated (status kept), for another person a 409. A tracer with a jurisdiction registers cases of people whose registry home lies inside it (else 403, audited); a person not in the population registry has no home, so only a national tracer registers their case",
    access: ['tracer'],
    scoped: true,
    personal: false,
    body: s.CaseCreate,
    responses: {
      201: { description: 'registered (at least one case is new)', schema: s.CaseRegisteredOut },
      200: { description: 'every case was stored already (duplicates or updates)', schema: s.CaseRegisteredOut },
    },
  }),
  casesList: def({
    id: 'casesList',
    method: 'get',
    path: '/api/cases',
    summary:
      "Confirmed cases of people whose registry home lies inside the caller's jurisdiction (the query filters; unregistered people's cases only for a national tracer), newest confirmation first, with the case persons' identities",
    access: ['tracer'],
    scoped: true,
    personal: true,
    query: s.CaseListQuery,
    responses: { 200: { description: 'cases', schema: s.CaseList } },
  }),
  casesUpdate: def({
    id: 'casesUpdate',
    method: 'patch',
    path: '/api/cases/:id',
    summary: "Set a case's status (confirmed, recovered, died, discarded) with a note; stamped with who and when, and audited. Only for a case person living inside the caller's jurisdiction (else 403)",
    access: ['tracer'],
    scoped: true,
    personal: true,
    params: s.CaseParams,
    body: s.CasePatch,
    responses: { 200: { description: 'the case after the change', schema: s.CaseStatusOut } },
  }),
  outbreaksCreate: def({
    id: 'outbreaksCreate',
    method: 'post',
    path: '/api/outbreaks',
    summary:
      "Start an outbreak run on the health authority's request: the registry's cases confirmed since an instant (or given by id) traced at once, generation by generation (DESIGN.md, \"Outbreak semantics\"). Answers 202 with the run; it runs in the background (one at a time for the server, one slot of the trace gate while it traces): follow it with GET /api/outbreaks/:id. A tracer with a jurisdiction runs only cases of people living there (an id outside it, unknown or discarded: 403, audited). The cases' infectious periods and the horizon span at most TRUYVET_TRACE_MAX_DAYS",
    access: ['tracer'],
    scoped: true,
    personal: false,
    body: s.OutbreakCreate,
    responses: { 202: { description: 'the run, queued', schema: s.OutbreakRun } },
  }),
  outbreaksList: def({
    id: 'outbreaksList',
    method: 'get',
    path: '/api/outbreaks',
    summary: "Outbreak runs' records, newest first: a tracer's own, or all for admins and auditors (never the case ids)",
    access: ['tracer', 'admin', 'auditor'],
    scoped: false,
    personal: false,
    query: s.OutbreakListQuery,
    responses: { 200: { description: 'runs', schema: s.OutbreakRunList } },
  }),
  outbreaksGet: def({
    id: 'outbreaksGet',
    method: 'get',
    path: '/api/outbreaks/:id',
    summary:
      "An outbreak run: its status and progress; once done, for the tracer who started it, a page of its result (people with their cases, the contacts that reached them, links and clusters on page 1; identities only of people living in the tracer's jurisdiction). Admins and auditors: the record without the case ids",
    access: ['tracer', 'admin', 'auditor'],
    scoped: true,
    personal: true,
    params: s.OutbreakParamsPath,
    query: s.OutbreakPageQuery,
    responses: { 200: { description: 'the run', schema: s.OutbreakRun } },
  }),
  outbreaksCancel: def({
    id: 'outbreaksCancel',
    method: 'post',
    path: '/api/outbreaks/:id/cancel',
    summary:
      'Stop a queued or running outbreak run (its owner): it stops between two statements, nothing of it stays in the graph, and it ends cancelled. A run that has ended is answered as it is',
    access: ['tracer'],
    scoped: false,
    personal: false,
    params: s.OutbreakParamsPath,
    responses: { 200: { description: 'the run as it is now (cancelRequested; status cancelled once it has stopped)', schema: s.OutbreakRun } },
  }),
  clustersList: def({
    id: 'clustersList',
    method: 'get',
    path: '/api/clusters',
    summary:
      "Clusters across days (cases joined by the links of outbreak runs; a stable id, kept as runs add cases and by the older of two clusters that merge) with a case of a person living inside the caller's jurisdiction (the query filters), most recently changed first: index case, size by day, communes, the cases inside the jurisdiction",
    access: ['tracer'],
    scoped: true,
    personal: true,
    query: s.ClusterListQuery,
    responses: { 200: { description: 'clusters', schema: s.ClusterList } },
  }),
  clustersGet: def({
    id: 'clustersGet',
    method: 'get',
    path: '/api/clusters/:id',
    summary:
      'A cluster across days, by its id or the id of a cluster merged into it, with the stations of its links. Only when one of its cases is of a person living inside the caller\'s jurisdiction (else 403, audited)',
    access: ['tracer'],
    scoped: true,
    personal: true,
    params: s.ClusterParams,
    responses: { 200: { description: 'the cluster', schema: s.Cluster } },
  }),
  followupsList: def({
    id: 'followupsList',
    method: 'get',
    path: '/api/followups',
    summary:
      "Follow-ups of people whose registry home (when the follow-up was opened) lies inside the officer's jurisdiction (the query filters), open ones first by quarantine end, with each person's name and phone to call them. Each read is audited (how many people, never who)",
    access: ['officer'],
    scoped: true,
    personal: true,
    query: s.FollowUpListQuery,
    responses: { 200: { description: 'follow-ups', schema: s.FollowUpList } },
  }),
  followupsExport: def({
    id: 'followupsExport',
    method: 'get',
    path: '/api/followups/export',
    summary:
      "The officer's call list as CSV for a spreadsheet (UTF-8 with a BOM; ids and phones written as text, =\"0901…\", so Excel keeps their leading zeros; a name starting with = + - @ is prefixed with ' so it never runs as a formula). Audited like a read",
    access: ['officer'],
    scoped: true,
    personal: true,
    query: s.FollowUpExportQuery,
    responses: { 200: { description: 'the call list', contentType: 'text/csv', schema: s.CsvText } },
  }),
  followupsUpdate: def({
    id: 'followupsUpdate',
    method: 'patch',
    path: '/api/followups/:id',
    summary:
      "Set a follow-up's status (to_contact → reached | unreachable → quarantined → released once the quarantine has ended | tested_positive, which registers a case linked to the runs it came from); a change the status machine refuses is a 409 naming what may follow. Only for a person living inside the officer's jurisdiction (else 403, audited); stamped and audited",
    access: ['officer'],
    scoped: true,
    personal: true,
    params: s.FollowUpParams,
    body: s.FollowUpPatch,
    responses: { 200: { description: 'the follow-up after the change', schema: s.FollowUpStatusOut } },
  }),
  followupsPromote: def({
    id: 'followupsPromote',
    method: 'post',
    path: '/api/outbreaks/:id/followups',
    summary:
      "Promote a person of your own outbreak run (an F1 or F2 a brief contact reached, who is not followed up by default) to follow-up for the commune they live in; audited. A person already followed up from this run is answered as it is",
    access: ['tracer'],
    scoped: false,
    personal: false,
    params: s.OutbreakParamsPath,
    body: s.FollowUpPromote,
    responses: { 200: { description: 'the follow-up', schema: s.FollowUpPromoted } },
  }),
  statsDaily: def({
    id: 'statsDaily',
    method: 'get',
    path: '/api/stats/daily',
    summary:
      "Daily counts for an epidemic curve in the caller's jurisdiction (the queries filter by the person's home): cases by confirmation day, F1s made follow-ups by exposure day, follow-ups by status. Counts only; days in Ho Chi Minh City time; at most 92 days",
    access: ['tracer', 'officer'],
    scoped: true,
    personal: false,
    query: s.DailyStatsQuery,
    responses: { 200: { description: 'the counts', schema: s.DailyStatsOut } },
  }),
  auditList: def({
    id: 'auditList',
    method: 'get',
    path: '/api/audit',
    summary: 'The audit log, oldest first, paged by seq',
    access: ['auditor'],
    scoped: false,
    personal: false,
    query: s.AuditQuery,
    responses: { 200: { description: 'events', schema: s.AuditList } },
  }),
  auditVerify: def({
    id: 'auditVerify',
    method: 'get',
    path: '/api/audit/verify',
    summary: "Check the audit log's hash chain",
    access: ['auditor', 'admin'],
    scoped: false,
    personal: false,
    responses: { 200: { description: 'the check', schema: s.AuditVerify } },
  }),
} as const;

export type Routes = typeof routes;
export type RouteId = keyof Routes;

export const ROUTE_LIST: readonly RouteDef[] = Object.values(routes);

/** `/api/stations/:id` → `/api/stations/{id}` (OpenAPI's syntax). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}
