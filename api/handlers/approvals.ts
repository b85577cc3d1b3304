import { conflict, notFound } from '../../engine/errors';
import { isoUtc } from '../../engine/time';
import type { ShapedTrace } from '../../engine/trace';
import { listPendingTraces, readTraceRequest, rejectPendingTrace, storeApprovedTrace, type TraceDecision } from '../../engine/trace-store';
import { checkDecision } from '../approval';
import { handler } from '../context';
import { routes } from '../routes';
import { auditingFailure, traceAndStore } from '../trace-run';

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
  const req = await readTraceRequest(params.id, principal.jurisdiction);
  if (!req) throw notFound(`no trace '${params.id}'`);
  const { meta } = req;
  const action = body.decision === 'approve' ? 'trace.approve' : 'trace.reject';
  const decision: TraceDecision = await checkDecision(req, 'trace', { principal, audit, route: 'approvalsDecide', now: app.now(), note: body.note });
  const details = { requester: meta.owner, noted: body.note !== undefined };
  if (body.decision === 'reject') {
    if (!(await rejectPendingTrace(meta.id, principal.jurisdiction, decision))) throw conflict(`trace '${meta.id}' was decided meanwhile`);
    await audit({ action, outcome: 'ok', target: meta.id, requestRef: meta.requestRef, purpose: meta.purpose, count: 0, details });
    return { body: { id: meta.id, requestRef: meta.requestRef, status: 'rejected', decision: { ...decision, at: isoUtc(decision.at) } } };
  }
  const store = async (found: ShapedTrace) => {
    if (!(await storeApprovedTrace(meta.id, found, { maxPeople: app.settings.maxTracePeople }, principal.jurisdiction, decision))) throw conflict(`trace '${meta.id}' was decided meanwhile`);
  };
  const about = { action, target: meta.id, requestRef: meta.requestRef, purpose: meta.purpose, details } as const;
  const { found } = await auditingFailure(audit, about, () => traceAndStore(app, meta.f0, req.request, store));
  // The approver is given no one: the count of people found goes in the details.
  await audit({ action, outcome: 'ok', target: meta.id, requestRef: meta.requestRef, purpose: meta.purpose, count: 0, details: { ...details, peopleFound: found.people.length } });
  return { body: { id: meta.id, requestRef: meta.requestRef, status: 'ready', decision: { ...decision, at: isoUtc(decision.at) } } };
});
