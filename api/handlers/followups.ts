import { callListCsv, changeFollowUpStatus, dailyStats, followUpsFor, type FollowUp } from '../../engine/followups';
import { isTruyvetError } from '../../engine/errors';
import { promoteToFollowUp } from '../../engine/outbreak-store';
import { isoUtc } from '../../engine/time';
import { handler } from '../context';
import { routes } from '../routes';

/**
 * Follow-up (issue 22 point 5, issue 25 point 4). Officers read, export and move the follow-ups
 * of people living in their jurisdiction (the queries decide, engine/db/followups.ts); a tracer
 * promotes a person of their own outbreak run. The audit records counts, statuses and ids, never
 * who the people are nor a note's text.
 */

/** Most rows one export holds: a commune's open list is hundreds; more is a mistake to narrow. */
const MAX_EXPORT = 20_000;

export function followUpOut(f: FollowUp) {
  return {
    id: f.id,
    personId: f.personId,
    status: f.status,
    generation: f.generation,
    class: f.class,
    exposureAt: isoUtc(f.exposureAt),
    quarantineUntil: isoUtc(f.quarantineUntil),
    home: { province: f.province, district: f.district, commune: f.commune },
    sources: f.sources,
    createdAt: isoUtc(f.createdAt),
    updatedAt: isoUtc(f.updatedAt),
    statusChangedAt: isoUtc(f.statusChangedAt),
    statusChangedBy: f.statusChangedBy,
    ...(f.note !== null ? { note: f.note } : {}),
    ...(f.caseId !== null ? { caseId: f.caseId } : {}),
    ...(f.promotedBy !== null ? { promotedBy: f.promotedBy } : {}),
  };
}

export const followupsList = handler(routes.followupsList, async ({ query, principal, audit }) => {
  const { status, skip, limit } = query;
  const found = await followUpsFor({ scope: principal.jurisdiction, statuses: status, skip, limit });
  const unreadable = found.unreadable === undefined ? {} : { unreadable: found.unreadable };
  await audit({ action: 'followups.read', outcome: 'ok', count: Object.keys(found.identities).length, details: { followUps: found.followUps.length, status: status.join(','), ...unreadable } });
  return { body: { followUps: found.followUps.map(followUpOut), identities: found.identities, ...unreadable, skip, limit } };
});

export const followupsExport = handler(routes.followupsExport, async ({ query, principal, audit }) => {
  const found = await followUpsFor({ scope: principal.jurisdiction, statuses: query.status, skip: 0, limit: MAX_EXPORT });
  await audit({ action: 'followups.export', outcome: 'ok', count: Object.keys(found.identities).length, details: { followUps: found.followUps.length, status: query.status.join(','), format: 'csv' } });
  return { body: null, raw: { contentType: 'text/csv; charset=utf-8', data: callListCsv(found.followUps, found.identities) } };
});

export const followupsUpdate = handler(routes.followupsUpdate, async ({ params, body, principal, app, audit }) => {
  let r;
  try {
    r = await changeFollowUpStatus({ id: params.id, status: body.status, note: body.note, caseId: body.caseId, confirmedAt: body.confirmedAt, by: principal.username, now: app.now(), scope: principal.jurisdiction });
  } catch (e) {
    if (isTruyvetError(e) && e.code === 'forbidden') {
      await audit({ action: 'access.denied', outcome: 'denied', target: params.id, details: { route: 'followupsUpdate', reason: 'person outside jurisdiction' } });
    }
    throw e;
  }
  const f = r.followUp;
  await audit({
    action: 'followups.status',
    outcome: 'ok',
    target: f.id,
    count: 1,
    details: { from: r.before, to: f.status, changed: r.changed, note: body.note !== undefined, caseId: r.changed && f.caseId !== null ? f.caseId : null },
  });
  return { body: { followUp: followUpOut(f), previousStatus: r.before, changed: r.changed } };
});

export const followupsPromote = handler(routes.followupsPromote, async ({ params, body, principal, app, audit }) => {
  const about = { action: 'followups.promote', target: params.id } as const;
  let r;
  try {
    r = await promoteToFollowUp(params.id, body.personId, principal, app.now());
  } catch (e) {
    await audit({ ...about, outcome: isTruyvetError(e) && e.code === 'forbidden' ? 'denied' : 'failed', details: { reason: isTruyvetError(e) ? e.code : 'error' } });
    throw e;
  }
  await audit({ ...about, outcome: 'ok', count: 1, details: { followUp: r.id, outcome: r.outcome, generation: r.generation } });
  return { body: r };
});

export const statsDaily = handler(routes.statsDaily, async ({ query, principal }) => ({ body: await dailyStats({ scope: principal.jurisdiction, from: query.from, to: query.to }) }));
