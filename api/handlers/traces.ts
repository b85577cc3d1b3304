import { pseudonym } from '../../engine/identity';
import { forbidden, isTruyvetError, notFound } from '../../engine/errors';
import { caseInScope } from '../../engine/privacy/scoped';
import {
  getTraceRecord,
  getTraceRecordPeople,
  listTraceRecords,
  newTraceId,
  saveTraceRecord,
  savePendingTrace,
  type TraceRecordMeta,
} from '../../engine/privacy/trace-records';
import { fullIdentities, traceAccess } from '../../engine/privacy/visibility';
import { isoUtc } from '../../engine/time';
import { tracePeriodProblem } from '../../engine/trace';
import { openedTracePeople } from '../../engine/privacy/trace-codec';
import type { Jurisdiction, TraceParams, TraceResult } from '../../engine/types';
import type { Principal } from '../auth';
import { handler, type Ctx } from '../context';
import { HttpError } from '../errors';
import { routes, type RouteDef } from '../routes';
import { sensitivityOf, traceAndStore, tracerParams } from '../trace-run';
import { pageFromSlice, pageRange, type TracePageOf } from '../trace-pages';

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

function generations(result: { readonly people: readonly { readonly generation: number }[] }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of result.people) out[`f${p.generation}`] = (out[`f${p.generation}`] ?? 0) + 1;
  return out;
}

/**
 * `result` may hold only the page's people and contacts: f0, params, stats and sensitivity are
 * whole. Identities only of the people living inside the reader's jurisdiction (the query decides).
 */
async function pageBody(meta: TraceRecordMeta, result: TraceResult, page: TracePageOf, scope: Jurisdiction | undefined) {
  const { identities, outside } = await fullIdentities([result.f0, ...page.people.map((p) => p.id)], scope);
  return {
    body: {
      id: meta.id,
      f0: result.f0,
      params: result.params,
      people: page.people,
      contacts: page.contacts,
      stats: result.stats,
      requestRef: meta.requestRef,
      purpose: meta.purpose,
      createdAt: isoUtc(meta.createdAt),
      owner: meta.owner,
      page: page.page,
      truncated: meta.truncated,
      peopleFound: meta.peopleFound,
      identities,
      outside,
      status: meta.status,
      ...(meta.decision ? { decision: { ...meta.decision, at: isoUtc(meta.decision.at) } } : {}),
      ...(sensitivityOf(result) ? { sensitivity: sensitivityOf(result) } : {}),
    },
    identities: Object.keys(identities).length,
  };
}

type Audit = Ctx<RouteDef>['audit'];

/**
 * A tracer with a jurisdiction traces only a case who lives there or passed one of its stations
 * in the period (the query decides, engine/privacy/scoped.ts); a national tracer anyone. The
 * refusal is the same whether or not the graph knows the case, so it tells nothing about people
 * elsewhere.
 */
async function checkCaseInScope(principal: Principal, params: TraceParams, body: { requestRef: string; purpose: string }, audit: Audit): Promise<void> {
  const scope = principal.jurisdiction;
  if (scope === undefined || (await caseInScope({ pid: params.f0, scope, from: params.from, to: params.to }))) return;
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
  if (body.depth > app.settings.maxTraceDepth) {
    throw new HttpError(400, 'validation', 'the request body is not valid', [{ path: 'body.depth', message: `at most ${app.settings.maxTraceDepth}` }]);
  }
  const tooLong = tracePeriodProblem(body, app.settings.traceMaxDays);
  if (tooLong) throw new HttpError(400, 'validation', 'the request body is not valid', [{ path: `body.${tooLong.field}`, message: tooLong.reason }]);
  const { params, tolerances } = tracerParams({ ...body, f0: pseudonym(body.f0) });
  await checkCaseInScope(principal, params, body, audit);
  const id = newTraceId();
  const createdAt = app.now();
  if (app.settings.traceApproval === 'required') {
    const p: TraceResult['params'] = {
      from: isoUtc(params.from),
      to: isoUtc(params.to),
      ...(params.until !== undefined ? { until: isoUtc(params.until) } : {}),
      depth: params.depth ?? 2,
      toleranceSeconds: tolerances[0]!,
      mode: params.mode ?? 'time-respecting',
    };
    const meta = { id, owner: principal.username, requestRef: body.requestRef, purpose: body.purpose, createdAt, f0: params.f0, params: p };
    await savePendingTrace({ meta, sensitivity: body.sensitivity ? tolerances : undefined, scope: principal.jurisdiction });
    await audit({ action: 'trace.request', outcome: 'ok', target: id, requestRef: body.requestRef, purpose: body.purpose, details: { depth: p.depth, mode: p.mode } });
    const pending: TraceRecordMeta = { ...meta, stats: { people: 0, contacts: 0, milliseconds: 0 }, peopleFound: 0, truncated: false, hasResult: false, status: 'pending' };
    return { status: 202, body: metaOut(pending, true) };
  }
  // Tracing and storing are the costly part: they wait their turn (api/trace-gate.ts), unless
  // the client leaves while waiting.
  const clientLeft = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) clientLeft.abort();
  };
  res.once('close', onClose);
  let done;
  try {
    done = await traceAndStore(app, params, tolerances, body.sensitivity !== undefined, clientLeft.signal, (result) =>
      saveTraceRecord({ id, owner: principal.username, requestRef: body.requestRef, purpose: body.purpose, createdAt, ...result }, result.shaped),
    );
  } catch (e) {
    await audit({
      action: 'trace.create',
      outcome: 'failed',
      target: id,
      requestRef: body.requestRef,
      purpose: body.purpose,
      details: { reason: isTruyvetError(e) ? e.code : e instanceof HttpError ? e.code : 'error' },
    });
    throw e;
  } finally {
    res.off('close', onClose);
  }
  const { found, meta, stored } = done;
  const record: TraceRecordMeta = { id, owner: principal.username, requestRef: body.requestRef, purpose: body.purpose, createdAt, ...meta, hasResult: true, status: 'ready' };
  const size = body.pageSize ?? app.settings.defaultPageSize;
  const first = openedTracePeople(stored, ...pageRange(1, size));
  const out = await pageBody(record, first.result, pageFromSlice(first, 1, size), principal.jurisdiction);
  await audit({
    action: 'trace.create',
    outcome: 'ok',
    target: id,
    requestRef: body.requestRef,
    purpose: body.purpose,
    count: found.people.length,
    details: { depth: meta.params.depth, mode: meta.params.mode, identities: out.identities, truncated: meta.truncated, ...generations(found) },
  });
  return { status: 201, body: out.body };
});

export const tracesGet = handler(routes.tracesGet, async ({ params, query, principal, app, audit }) => {
  const head = await getTraceRecord(params.id, false);
  if (!head) throw notFound(`no trace '${params.id}'`);
  const access = traceAccess(principal, head.owner);
  if (access === 'none') {
    await audit({ action: 'access.denied', outcome: 'denied', target: head.id, requestRef: head.requestRef, details: { route: 'tracesGet', reason: 'not the owner' } });
    throw forbidden('only the tracer who opened this trace may read it');
  }
  if (access === 'metadata' || head.status !== 'ready') {
    await audit({ action: 'trace.read', outcome: 'ok', target: head.id, requestRef: head.requestRef, count: 0, details: { metadataOnly: true, status: head.status } });
    return { body: metaOut(head, access === 'owner') };
  }
  const size = query.pageSize ?? app.settings.defaultPageSize;
  // Only this page's people and contacts are built from the stored result.
  const rec = await getTraceRecordPeople(params.id, ...pageRange(query.page, size));
  if (!rec?.slice) throw notFound(`the result of trace '${params.id}' was removed by the retention rule`);
  const out = await pageBody(rec.meta, rec.slice.result, pageFromSlice(rec.slice, query.page, size), principal.jurisdiction);
  await audit({ action: 'trace.read', outcome: 'ok', target: rec.meta.id, requestRef: rec.meta.requestRef, count: out.identities, details: { page: query.page } });
  return { body: out.body };
});

export const tracesList = handler(routes.tracesList, async ({ query, principal, audit }) => {
  const mine = principal.role === 'tracer';
  const traces = await listTraceRecords({ ...(mine ? { owner: principal.username } : {}), skip: query.skip, limit: query.limit });
  await audit({ action: 'trace.list', outcome: 'ok', count: 0, details: { traces: traces.length, own: mine } });
  return { body: { traces: traces.map((t) => metaOut(t, mine)) } };
});
