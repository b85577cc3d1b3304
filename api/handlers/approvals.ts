import { conflict, forbidden, isTruyvetError, notFound } from '../../engine/errors';
import { completePendingTrace, getTraceRequest, listPendingTraces, rejectPendingTrace, type TraceDecision } from '../../engine/privacy/trace-records';
import { isoUtc } from '../../engine/time';
import type { TraceParams } from '../../engine/types';
import { handler } from '../context';
import { HttpError } from '../errors';
import { routes } from '../routes';
import { traceAndStore } from '../trace-run';

/**
 * The approval step (TRUYVET_TRACE_APPROVAL=required): a tracer's request waits as a pending
 * trace until an approver, the Ministry official who signs it, approves or rejects it. The
 * approver reads the request's metadata (who asks, on which request, for what, the period and
 * depth), never the case or the people found: an approved request is traced for its tracer, who
 * alone reads the result. An approver with a jurisdiction decides only requests of tracers
 * inside it (the query checks). Both steps are in the audit.
 */

export const approvalsList = handler(routes.approvalsList, async ({ query, principal, audit }) => {
  const pending = await listPendingTraces({ scope: principal.jurisdiction, skip: query.skip, limit: query.limit });
  await audit({ action: 'trace.approvals.read', outcome: 'ok', count: 0, details: { requests: pending.length } });
  return {
    body: {
      requests: pending.map((t) => ({
        id: t.id,
        requester: t.owner,
        requestRef: t.requestRef,
        purpose: t.purpose,
        createdAt: isoUtc(t.createdAt),
        params: t.params,
        status: t.status,
      })),
    },
  };
});

export const approvalsDecide = handler(routes.approvalsDecide, async ({ params, body, principal, app, audit }) => {
  const req = await getTraceRequest(params.id, principal.jurisdiction);
  if (!req) throw notFound(`no trace '${params.id}'`);
  const { meta } = req;
  const action = body.decision === 'approve' ? 'trace.approve' : 'trace.reject';
  const denied = async (reason: string, message: string) => {
    await audit({ action: 'access.denied', outcome: 'denied', target: meta.id, requestRef: meta.requestRef, details: { route: 'approvalsDecide', reason } });
    return forbidden(message);
  };
  if (!req.inside) throw await denied('outside jurisdiction', "this request comes from a tracer outside your jurisdiction");
  // Signing one's own request would make the second pair of eyes the same pair.
  if (meta.owner === principal.username) throw await denied('own request', 'an approver cannot decide their own request');
  if (meta.status !== 'pending') throw conflict(`trace '${meta.id}' is ${meta.status}, not waiting for a decision`);
  const decision: TraceDecision = { by: principal.username, at: app.now(), ...(body.note !== undefined ? { note: body.note } : {}) };
  const details = { requester: meta.owner, noted: body.note !== undefined };
  if (body.decision === 'reject') {
    if (!(await rejectPendingTrace(meta.id, principal.jurisdiction, decision))) throw conflict(`trace '${meta.id}' was decided meanwhile`);
    await audit({ action, outcome: 'ok', target: meta.id, requestRef: meta.requestRef, purpose: meta.purpose, count: 0, details });
    return { body: { id: meta.id, requestRef: meta.requestRef, status: 'rejected', decision: { ...decision, at: isoUtc(decision.at) } } };
  }
  const tolerances = req.sensitivity ?? [meta.params.toleranceSeconds];
  const traceParams: TraceParams = {
    f0: meta.f0,
    from: Date.parse(meta.params.from),
    to: Date.parse(meta.params.to),
    ...(meta.params.until !== undefined ? { until: Date.parse(meta.params.until) } : {}),
    depth: meta.params.depth,
    mode: meta.params.mode,
    toleranceSeconds: meta.params.toleranceSeconds,
  };
  let found;
  try {
    ({ found } = await traceAndStore(app, traceParams, tolerances, req.sensitivity !== undefined, undefined, async (r) => {
      const stored = await completePendingTrace({ id: meta.id, ...r }, r.shaped, principal.jurisdiction, decision);
      if (!stored) throw conflict(`trace '${meta.id}' was decided meanwhile`);
      return stored;
    }));
  } catch (e) {
    await audit({
      action,
      outcome: 'failed',
      target: meta.id,
      requestRef: meta.requestRef,
      purpose: meta.purpose,
      details: { ...details, reason: isTruyvetError(e) ? e.code : e instanceof HttpError ? e.code : 'error' },
    });
    throw e;
  }
  // The approver is given no one: the count of people found goes in the details.
  await audit({ action, outcome: 'ok', target: meta.id, requestRef: meta.requestRef, purpose: meta.purpose, count: 0, details: { ...details, peopleFound: found.people.length } });
  return { body: { id: meta.id, requestRef: meta.requestRef, status: 'ready', decision: { ...decision, at: isoUtc(decision.at) } } };
});
