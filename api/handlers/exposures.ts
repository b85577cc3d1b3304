import { forbidden, conflict, notFound } from '../../engine/errors';
import {
  listExposureRecords,
  listPendingExposures,
  newExposureId,
  openExposureFollowUps,
  readExposurePage,
  readExposureRequest,
  rejectPendingExposure,
  requestExposure,
  storeApprovedExposure,
  storeExposure,
  venueExposure,
  type ExposurePage,
  type ExposureRecordMeta,
} from '../../engine/exposure';
import { isoUtc } from '../../engine/time';
import { checkDecision } from '../approval';
import { handler } from '../context';
import { routes } from '../routes';
import { auditingFailure } from '../trace-run';

/** A stored exposure's metadata as the API answers it. */
function metaOut(m: ExposureRecordMeta) {
  const { decision, ...rest } = m;
  return { ...rest, createdAt: isoUtc(m.createdAt), ...(decision ? { decision: { ...decision, at: isoUtc(decision.at) } } : {}) };
}

function pageOut({ meta, people, page, identities, outside }: ExposurePage) {
  const { hasResult: _hasResult, ...rest } = metaOut(meta);
  return { ...rest, people, page, identities, outside };
}

/**
 * Venue exposure: everyone at a station in a window, on a request number and a purpose. A
 * tracer with a jurisdiction asks only about its stations (the engine checks, and the query
 * matches nothing outside anyway). The audit records the request, the station and how many
 * people were found and named, never who. With TRUYVET_TRACE_APPROVAL=required the checked
 * request is stored for an approver instead, as a trace request is.
 */
export const exposuresCreate = handler(routes.exposuresCreate, async ({ body, principal, app, audit }) => {
  const { requestRef, purpose, stationId, from, to } = body;
  const exposure = { id: newExposureId(), owner: principal.username, requestRef, purpose, createdAt: app.now() };
  if (app.settings.traceApproval === 'required') {
    const about = { action: 'exposure.request', target: exposure.id, requestRef, purpose } as const;
    const pending = await auditingFailure(audit, { ...about, details: { stationId } }, () =>
      requestExposure(exposure, { stationId, from, to }, { scope: principal.jurisdiction, maxDays: app.settings.traceMaxDays, followUp: body.followUp }),
    );
    await audit({ ...about, outcome: 'ok', details: { stationId, followUp: body.followUp } });
    return { status: 202, body: metaOut(pending) };
  }
  const about = { action: 'exposure.create', requestRef, purpose } as const;
  const page = await auditingFailure(audit, { ...about, details: { stationId } }, async () => {
    const found = await venueExposure({ stationId, from, to }, { scope: principal.jurisdiction, maxPeople: app.settings.maxTracePeople, maxDays: app.settings.traceMaxDays });
    const stored = await storeExposure(exposure, found, { pageSize: body.pageSize ?? app.settings.defaultPageSize, scope: principal.jurisdiction });
    const followUps = body.followUp ? await openExposureFollowUps(exposure.id, found, principal.username, app.now()) : undefined;
    return { stored, followUps };
  });
  const { meta, identities } = page.stored;
  const followUps = page.followUps === undefined ? {} : { followUps: { created: page.followUps.created, updated: page.followUps.updated } };
  const opened = page.followUps === undefined ? {} : { followUpsCreated: page.followUps.created, followUpsUpdated: page.followUps.updated };
  await audit({ ...about, target: meta.id, outcome: 'ok', count: meta.peopleFound, details: { stationId, identities: Object.keys(identities).length, truncated: meta.truncated, closePeople: Number(meta.stats['closePeople'] ?? 0), ...opened } });
  return { status: 201, body: { ...pageOut(page.stored), ...followUps } };
});

export const exposuresGet = handler(routes.exposuresGet, async ({ params, query, principal, app, audit }) => {
  const read = await readExposurePage(params.id, query.page, query.pageSize ?? app.settings.defaultPageSize, principal);
  if (!read) throw notFound(`no exposure '${params.id}'`);
  if (read.kind === 'denied') {
    await audit({ action: 'access.denied', outcome: 'denied', target: read.meta.id, requestRef: read.meta.requestRef, details: { route: 'exposuresGet', reason: 'not the owner' } });
    throw forbidden('only the tracer who asked for this exposure may read it');
  }
  if (read.kind === 'metadata') {
    await audit({ action: 'exposure.read', outcome: 'ok', target: read.meta.id, requestRef: read.meta.requestRef, count: 0, details: { metadataOnly: true, status: read.meta.status } });
    return { body: metaOut(read.meta) };
  }
  const { meta, identities } = read.page;
  await audit({ action: 'exposure.read', outcome: 'ok', target: meta.id, requestRef: meta.requestRef, count: Object.keys(identities).length, details: { page: query.page } });
  return { body: pageOut(read.page) };
});

/** Stored exposures' metadata, as the trace list: a tracer's own, everyone's for admins and auditors. */
export const exposuresList = handler(routes.exposuresList, async ({ query, principal, audit }) => {
  const mine = principal.role === 'tracer';
  const { skip, limit } = query;
  const exposures = await listExposureRecords({ ...(mine ? { owner: principal.username } : {}), skip, limit });
  await audit({ action: 'exposure.list', outcome: 'ok', count: 0, details: { exposures: exposures.length, own: mine } });
  return { body: { exposures: exposures.map(metaOut), skip, limit } };
});

/**
 * The approval step for venue exposures (TRUYVET_TRACE_APPROVAL=required), as for trace requests
 * (handlers/approvals.ts, api/approval.ts): the approver sees who asks, on which request, for
 * what, the station and the window, never the people; an approved request is read within its
 * tracer's jurisdiction and stored for that tracer alone.
 */
export const exposureApprovalsList = handler(routes.exposureApprovalsList, async ({ query, principal, audit }) => {
  const pending = await listPendingExposures({ scope: principal.jurisdiction, skip: query.skip, limit: query.limit });
  await audit({ action: 'exposure.approvals.read', outcome: 'ok', count: 0, details: { requests: pending.length } });
  return {
    body: {
      requests: pending.map(({ meta: e, followUp }) => ({
        id: e.id,
        requester: e.owner,
        requestRef: e.requestRef,
        purpose: e.purpose,
        createdAt: isoUtc(e.createdAt),
        stationId: e.stationId,
        params: e.params,
        followUp,
        status: e.status,
      })),
    },
  };
});

export const exposureApprovalsDecide = handler(routes.exposureApprovalsDecide, async ({ params, body, principal, app, audit }) => {
  const req = await readExposureRequest(params.id, principal.jurisdiction);
  if (!req) throw notFound(`no exposure '${params.id}'`);
  const { meta } = req;
  const action = body.decision === 'approve' ? 'exposure.approve' : 'exposure.reject';
  const decision = await checkDecision(req, 'exposure', { principal, audit, route: 'exposureApprovalsDecide', now: app.now(), note: body.note });
  const decided = { id: meta.id, requestRef: meta.requestRef, decision: { ...decision, at: isoUtc(decision.at) } };
  const details = { requester: meta.owner, stationId: meta.stationId, noted: body.note !== undefined };
  if (body.decision === 'reject') {
    if (!(await rejectPendingExposure(meta.id, principal.jurisdiction, decision))) throw conflict(`exposure '${meta.id}' was decided meanwhile`);
    await audit({ action, outcome: 'ok', target: meta.id, requestRef: meta.requestRef, purpose: meta.purpose, count: 0, details });
    return { body: { ...decided, status: 'rejected' } };
  }
  const about = { action, target: meta.id, requestRef: meta.requestRef, purpose: meta.purpose, details } as const;
  const { found, followUps } = await auditingFailure(audit, about, async () => {
    // Read within the requester's jurisdiction, as it was checked when asked for.
    const found = await venueExposure(req.request, { scope: req.requesterScope, maxPeople: app.settings.maxTracePeople, maxDays: app.settings.traceMaxDays });
    if (!(await storeApprovedExposure(meta.id, found, principal.jurisdiction, decision))) throw conflict(`exposure '${meta.id}' was decided meanwhile`);
    // Opened in the requester's name: the tracer asked for them, the approver signed the request.
    const followUps = req.followUp ? await openExposureFollowUps(meta.id, found, meta.owner, app.now()) : undefined;
    return { found, followUps };
  });
  const opened = followUps === undefined ? {} : { followUpsCreated: followUps.created, followUpsUpdated: followUps.updated };
  // The approver is given no one: the count of people found goes in the details.
  await audit({ action, outcome: 'ok', target: meta.id, requestRef: meta.requestRef, purpose: meta.purpose, count: 0, details: { ...details, peopleFound: found.people.length, ...opened } });
  return { body: { ...decided, status: 'ready' } };
});
