import { pseudonym } from '../../engine/identity';
import { conflict, forbidden, notFound } from '../../engine/errors';
import { caseInScope } from '../../engine/privacy/scoped';
import { isoUtc } from '../../engine/time';
import { peoplePerGeneration, tolerancesOf, type TraceRequest } from '../../engine/trace';
import { listTraceRecords, newTraceId, readTracePage, requestTrace, storeTrace, type TracePage, type TraceRecordMeta } from '../../engine/trace-store';
import type { Principal } from '../auth';
import { handler, type Ctx } from '../context';
import { routes, type RouteDef } from '../routes';
import { auditingFailure, traceAndStore } from '../trace-run';

/**
 * A stored trace's metadata. F0's pseudonym only for its tracer: admins and auditors see who
 * traced, when, on which request and how many people, not whom (with the declaration list's
 * masked identities, a pseudonym would name the case again).
 */
export function metaOut(m: TraceRecordMeta, withF0: boolean) {
  const { f0, decision, ...rest } = m;
  return {
    ...rest,
    ...(withF0 ? { f0 } : {}),
    createdAt: isoUtc(m.createdAt),
    ...(decision ? { decision: { ...decision, at: isoUtc(decision.at) } } : {}),
  };
}

/** A page as the API answers it: the TraceResult's fields for the page's people, the record's, and the identities. */
function pageOut({ meta, head, people, contacts, page, identities, outside }: TracePage) {
  const { f0, params, stats, sensitivity } = head;
  const { id, requestRef, purpose, createdAt, owner, truncated, peopleFound, status, decision } = metaOut(meta, true);
  return {
    ...{ id, f0, params, people, contacts, stats, requestRef, purpose, createdAt, owner, page, truncated, peopleFound, identities, outside, status },
    ...(decision ? { decision } : {}),
    ...(sensitivity ? { sensitivity } : {}),
  };
}

type Audit = Ctx<RouteDef>['audit'];

/**
 * A tracer with a jurisdiction traces only a case who lives there or passed one of its stations
 * in the period (the query decides, engine/privacy/scoped.ts); a national tracer anyone. The
 * refusal is the same whether or not the graph knows the case, so it tells nothing about people
 * elsewhere.
 */
async function checkCaseInScope(principal: Principal, f0: string, r: TraceRequest, body: { requestRef: string; purpose: string }, audit: Audit): Promise<void> {
  const scope = principal.jurisdiction;
  if (scope === undefined || (await caseInScope({ pid: f0, scope, from: r.from, to: r.to }))) return;
  await audit({
    action: 'access.denied',
    outcome: 'denied',
    requestRef: body.requestRef,
    purpose: body.purpose,
    details: { route: 'tracesCreate', reason: 'case outside jurisdiction' },
  });
  throw forbidden('this case neither lives in your jurisdiction nor passed one of its stations in the period: the authority where the case lives traces it');
}

/**
 * Opens a trace. F0 arrives as the raw key the health authority knows and is pseudonymised at
 * once; the engine and the stored record see only the pseudonym. The answer (to this tracer)
 * names F0 and the first page's people in full when they live in the tracer's jurisdiction; the
 * audit records the request number, the purpose and how many people were found and named, never
 * who. With TRUYVET_TRACE_APPROVAL=required the request is stored for an approver instead.
 */
export const tracesCreate = handler(routes.tracesCreate, async ({ body, principal, app, audit, res }) => {
  const { requestRef, purpose, trace: request, progressId } = body;
  const f0 = pseudonym(body.f0);
  await checkCaseInScope(principal, f0, request, body, audit);
  const trace = { id: newTraceId(), owner: principal.username, requestRef, purpose, createdAt: app.now() };
  if (app.settings.traceApproval === 'required') {
    const pending = await requestTrace(trace, f0, request, principal.jurisdiction);
    await audit({ action: 'trace.request', outcome: 'ok', target: trace.id, requestRef, purpose, details: { depth: request.depth, mode: request.mode, closeOnly: request.closeOnly } });
    return { status: 202, body: metaOut(pending, true) };
  }
  const store = { maxPeople: app.settings.maxTracePeople, pageSize: body.pageSize ?? app.settings.defaultPageSize, scope: principal.jurisdiction };
  const about = { action: 'trace.create', target: trace.id, requestRef, purpose } as const;
  // Registered before the trace waits its turn, so its tracer can watch it and cancel it (api/trace-progress.ts).
  const progress = progressId === undefined ? undefined : app.progress.begin(principal.username, progressId, tolerancesOf(request));
  const { found, stored: first } = await auditingFailure(audit, about, () => traceAndStore(app, f0, request, (found) => storeTrace(trace, found, store), res, progress)).finally(
    () => progress?.end(),
  );
  const { meta } = first;
  const identities = Object.keys(first.identities).length;
  const details = { depth: meta.params.depth, mode: meta.params.mode, closeOnly: meta.params.closeOnly, identities, truncated: meta.truncated, ...peoplePerGeneration(found) };
  await audit({ ...about, outcome: 'ok', count: meta.peopleFound, details });
  return { status: 201, body: pageOut(first) };
});

export const tracesGet = handler(routes.tracesGet, async ({ params, query, principal, app, audit }) => {
  const read = await readTracePage(params.id, query.page, query.pageSize ?? app.settings.defaultPageSize, principal);
  if (!read) throw notFound(`no trace '${params.id}'`);
  if (read.kind === 'denied') {
    await audit({ action: 'access.denied', outcome: 'denied', target: read.meta.id, requestRef: read.meta.requestRef, details: { route: 'tracesGet', reason: 'not the owner' } });
    throw forbidden('only the tracer who opened this trace may read it');
  }
  if (read.kind === 'metadata') {
    await audit({ action: 'trace.read', outcome: 'ok', target: read.meta.id, requestRef: read.meta.requestRef, count: 0, details: { metadataOnly: true, status: read.meta.status } });
    return { body: metaOut(read.meta, read.owner) };
  }
  const { meta, identities } = read.page;
  await audit({ action: 'trace.read', outcome: 'ok', target: meta.id, requestRef: meta.requestRef, count: Object.keys(identities).length, details: { page: query.page } });
  return { body: pageOut(read.page) };
});

export const tracesList = handler(routes.tracesList, async ({ query, principal, audit }) => {
  const mine = principal.role === 'tracer';
  const traces = await listTraceRecords({ ...(mine ? { owner: principal.username } : {}), skip: query.skip, limit: query.limit });
  await audit({ action: 'trace.list', outcome: 'ok', count: 0, details: { traces: traces.length, own: mine } });
  return { body: { traces: traces.map((t) => metaOut(t, mine)) } };
});

/** A running trace's progress, for its owner only: another tracer's id is simply not found. */
export const traceProgress = handler(routes.traceProgress, async ({ params, principal, app }) => {
  const p = await app.progress.read(principal.username, params.progressId);
  if (p === undefined) throw notFound(`no running trace of yours has progressId '${params.progressId}'`);
  return { body: { progressId: params.progressId, ...p } };
});

/** Cancels a running trace of the caller's; audited whatever the outcome. */
export const traceCancel = handler(routes.traceCancel, async ({ params, principal, app, audit }) => {
  const outcome = await app.progress.cancel(principal.username, params.progressId);
  await audit({ action: 'trace.cancel', outcome: outcome === 'cancelled' ? 'ok' : 'failed', details: { progressId: params.progressId, ...(outcome === 'cancelled' ? {} : { reason: outcome }) } });
  if (outcome === 'unknown') throw notFound(`no running trace of yours has progressId '${params.progressId}'`);
  if (outcome === 'too_late') throw conflict('the trace has found its result and is storing it: too late to cancel');
  return { body: { progressId: params.progressId, cancelled: true } };
});
