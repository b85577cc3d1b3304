import { casesFor, changeCaseStatus, periodOf, registerCases, type StoredCase } from '../../engine/cases';
import { isTruyvetError } from '../../engine/errors';
import { isoUtc } from '../../engine/time';
import { handler, type Ctx } from '../context';
import { routes, type RouteDef } from '../routes';

/**
 * Confirmed cases (issue 22). Jurisdiction is the case person's registry home, decided in the
 * queries (engine/db/cases.ts); a refusal for a case person living elsewhere is audited like any
 * denied access. The audit records counts, statuses and case ids, never who the people are nor a
 * note's text.
 */

type Audit = Ctx<RouteDef>['audit'];

/** A refusal by jurisdiction (forbidden) is audited before it answers. */
async function deniedOutside<T>(route: string, target: string | undefined, audit: Audit, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isTruyvetError(e) && e.code === 'forbidden') {
      await audit({ action: 'access.denied', outcome: 'denied', ...(target !== undefined ? { target } : {}), details: { route, reason: 'case person outside jurisdiction' } });
    }
    throw e;
  }
}

export function caseOut(c: StoredCase) {
  const period = periodOf(c);
  return {
    id: c.id,
    personId: c.personId,
    confirmedAt: isoUtc(c.confirmedAt),
    ...(c.onsetAt !== null ? { onsetAt: isoUtc(c.onsetAt) } : {}),
    ...(c.infectiousFrom !== null ? { infectiousFrom: isoUtc(c.infectiousFrom) } : {}),
    ...(c.infectiousTo !== null ? { infectiousTo: isoUtc(c.infectiousTo) } : {}),
    infectious: { from: isoUtc(period.from), to: isoUtc(period.to) },
    status: c.status,
    source: c.source,
    createdAt: isoUtc(c.createdAt),
    createdBy: c.createdBy,
    updatedAt: isoUtc(c.updatedAt),
    statusChangedAt: isoUtc(c.statusChangedAt),
    statusChangedBy: c.statusChangedBy,
    ...(c.statusNote !== null ? { statusNote: c.statusNote } : {}),
    registered: c.registered,
    home: c.home,
  };
}

export const casesCreate = handler(routes.casesCreate, async ({ body, principal, app, audit }) => {
  const single = body.length === 1 ? body[0]?.caseId : undefined;
  const done = await deniedOutside('casesCreate', single, audit, () =>
    registerCases(body, { scope: principal.jurisdiction, by: principal.username, now: app.now(), source: 'api' }),
  );
  const n = (o: string) => done.filter((c) => c.outcome === o).length;
  const created = n('created');
  await audit({
    action: 'cases.create',
    outcome: 'ok',
    ...(single !== undefined ? { target: single } : {}),
    count: done.length,
    details: { created, updated: n('updated'), duplicates: n('duplicate'), unregistered: done.filter((c) => !c.registered).length },
  });
  return { status: created > 0 ? 201 : 200, body: { cases: done } };
});

export const casesList = handler(routes.casesList, async ({ query, principal, audit }) => {
  const { status, confirmedFrom, confirmedTo, skip, limit } = query;
  const found = await casesFor({
    scope: principal.jurisdiction,
    ...(status !== undefined ? { statuses: [status] } : {}),
    ...(confirmedFrom !== undefined ? { confirmedFrom } : {}),
    ...(confirmedTo !== undefined ? { confirmedTo } : {}),
    skip,
    limit,
  });
  const unreadable = found.unreadable === undefined ? {} : { unreadable: found.unreadable };
  await audit({ action: 'cases.read', outcome: 'ok', count: Object.keys(found.identities).length, details: { cases: found.cases.length, status: status ?? null, ...unreadable } });
  return { body: { cases: found.cases.map(caseOut), identities: found.identities, outside: found.outside, ...unreadable, skip, limit } };
});

export const casesUpdate = handler(routes.casesUpdate, async ({ params, body, principal, app, audit }) => {
  const r = await deniedOutside('casesUpdate', params.id, audit, () =>
    changeCaseStatus({ id: params.id, status: body.status, note: body.note, by: principal.username, now: app.now(), scope: principal.jurisdiction }),
  );
  await audit({ action: 'cases.status', outcome: 'ok', target: params.id, count: 1, details: { from: r.before, to: body.status, changed: r.changed, note: body.note !== undefined } });
  return { body: { case: caseOut(r.stored), previousStatus: r.before, changed: r.changed } };
});
