import { forbidden, notFound } from '../../engine/errors';
import { newExposureId, openExposureFollowUps, readExposurePage, storeExposure, venueExposure, type ExposurePage, type ExposureRecordMeta } from '../../engine/exposure';
import { isoUtc } from '../../engine/time';
import { handler } from '../context';
import { routes } from '../routes';
import { auditingFailure } from '../trace-run';

/** A stored exposure's metadata as the API answers it. */
function metaOut(m: ExposureRecordMeta) {
  return { ...m, createdAt: isoUtc(m.createdAt) };
}

function pageOut({ meta, people, page, identities, outside }: ExposurePage) {
  const { hasResult: _hasResult, ...rest } = metaOut(meta);
  return { ...rest, people, page, identities, outside };
}

/**
 * Venue exposure: everyone at a station in a window, on a request number and a purpose. A
 * tracer with a jurisdiction asks only about its stations (the engine checks, and the query
 * matches nothing outside anyway). The audit records the request, the station and how many
 * people were found and named, never who.
 */
export const exposuresCreate = handler(routes.exposuresCreate, async ({ body, principal, app, audit }) => {
  const { requestRef, purpose, stationId, from, to } = body;
  const about = { action: 'exposure.create', requestRef, purpose } as const;
  if (app.settings.traceApproval === 'required') {
    await audit({ ...about, outcome: 'denied', details: { stationId, reason: 'approval required' } });
    throw forbidden('with TRUYVET_TRACE_APPROVAL=required, venue exposures need an approval step that is not built yet');
  }
  const page = await auditingFailure(audit, { ...about, details: { stationId } }, async () => {
    const found = await venueExposure({ stationId, from, to }, { scope: principal.jurisdiction, maxPeople: app.settings.maxTracePeople, maxDays: app.settings.traceMaxDays });
    const exposure = { id: newExposureId(), owner: principal.username, requestRef, purpose, createdAt: app.now() };
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
    await audit({ action: 'exposure.read', outcome: 'ok', target: read.meta.id, requestRef: read.meta.requestRef, count: 0, details: { metadataOnly: true } });
    return { body: metaOut(read.meta) };
  }
  const { meta, identities } = read.page;
  await audit({ action: 'exposure.read', outcome: 'ok', target: meta.id, requestRef: meta.requestRef, count: Object.keys(identities).length, details: { page: query.page } });
  return { body: pageOut(read.page) };
});
