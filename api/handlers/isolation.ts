import { forbidden, isTruyvetError, notFound, validationFailed } from '../../engine/errors';
import { noResult, traceNaming, type TraceRecordMeta } from '../../engine/trace-store';
import { traceAccess } from '../../engine/privacy/visibility';
import { getIsolation, isIsolatedAt, setIsolation, type IsolationStatus } from '../../engine/scan/isolation';
import { isoUtc } from '../../engine/time';
import type { Principal } from '../auth';
import { handler, type Ctx } from '../context';
import type { RouteDef } from '../routes';
import { routes } from '../routes';

/**
 * Isolation, set or read by two kinds of caller:
 * - a tracer, like a timeline, only through a trace: the tracer names a trace it opened that
 *   found this person (or is this person's F0), so every isolation set, released or read is tied
 *   to the health authority's request number in the audit;
 * - a checkpoint officer, for a person whose registry home lies inside the officer's
 *   jurisdiction (the query checks it, engine/scan/isolation.ts), without a trace.
 */

type Via = { readonly trace: Pick<TraceRecordMeta, 'id' | 'requestRef'> | undefined; readonly homeIn: Principal['jurisdiction'] };

/**
 * How this caller may act on the person: with a trace, through it (only its tracer may, as for
 * timelines); without one, an officer by jurisdiction; a tracer always needs a trace.
 */
async function access(
  route: 'isolationSet' | 'isolationGet',
  where: 'body' | 'query',
  trace: string | undefined,
  personId: string,
  principal: Principal,
  audit: Ctx<RouteDef>['audit'],
): Promise<Via> {
  if (trace !== undefined) return { trace: await throughTrace(route, trace, personId, principal, audit), homeIn: undefined };
  if (principal.role !== 'officer') throw validationFailed('a tracer acts through a trace naming the person', [{ field: `${where}.trace`, reason: 'required' }]);
  // Officers always have a jurisdiction (roles.ts); the query refuses a person living elsewhere.
  return { trace: undefined, homeIn: principal.jurisdiction ?? { province: '' } };
}

/** An officer's refusal (the person lives elsewhere) is audited like any denied access. */
async function deniedByHome<T>(route: string, personId: string, audit: Ctx<RouteDef>['audit'], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isTruyvetError(e) && e.code === 'forbidden') {
      await audit({ action: 'access.denied', outcome: 'denied', target: personId, details: { route, reason: 'outside jurisdiction' } });
    }
    throw e;
  }
}

async function throughTrace(
  route: 'isolationSet' | 'isolationGet',
  traceId: string,
  personId: string,
  principal: Principal,
  audit: Ctx<RouteDef>['audit'],
): Promise<Pick<TraceRecordMeta, 'id' | 'requestRef'>> {
  const found = await traceNaming(traceId, personId);
  if (!found) throw notFound(`no trace '${traceId}'`);
  const rec = found.meta;
  const denied = async (reason: string, message: string) => {
    await audit({ action: 'access.denied', outcome: 'denied', target: personId, requestRef: rec.requestRef, details: { route, trace: rec.id, reason } });
    return forbidden(message);
  };
  if (traceAccess(principal, rec.owner) !== 'owner') throw await denied('not the owner', 'only the tracer who opened this trace may act through it');
  if (!rec.hasResult) throw noResult(rec);
  if (!found.names) throw await denied('not in the trace', 'this person is not in that trace');
  return rec;
}

function out(s: IsolationStatus, now: number) {
  return {
    personId: s.personId,
    isolated: s.isolated,
    classification: s.classification,
    since: isoUtc(s.since),
    until: s.until === null ? null : isoUtc(s.until),
    setBy: s.setBy,
    updatedAt: isoUtc(s.updatedAt),
    inForce: isIsolatedAt(s, now),
  };
}

export const isolationSet = handler(routes.isolationSet, async ({ params, body, principal, app, audit }) => {
  const via = await access('isolationSet', 'body', body.trace, params.id, principal, audit);
  const now = app.now();
  const s = await deniedByHome('isolationSet', params.id, audit, () =>
    setIsolation({
      personId: params.id,
      isolated: body.isolated,
      classification: body.classification,
      since: body.since,
      until: body.until ?? null,
      setBy: principal.username,
      now,
      ...(via.homeIn ? { homeIn: via.homeIn } : {}),
    }),
  );
  await audit({
    action: 'isolation.set',
    outcome: 'ok',
    target: params.id,
    ...(via.trace ? { requestRef: via.trace.requestRef } : {}),
    count: 1,
    details: {
      ...(via.trace ? { trace: via.trace.id } : { byJurisdiction: true }),
      isolated: s.isolated,
      classification: s.classification,
      since: isoUtc(s.since),
      until: s.until === null ? null : isoUtc(s.until),
    },
  });
  return { body: out(s, now) };
});

export const isolationGet = handler(routes.isolationGet, async ({ params, query, principal, app, audit }) => {
  const via = await access('isolationGet', 'query', query.trace, params.id, principal, audit);
  const s = await deniedByHome('isolationGet', params.id, audit, () => getIsolation(params.id, via.homeIn));
  if (!s) throw notFound('no isolation was ever set for this person');
  await audit({
    action: 'isolation.read',
    outcome: 'ok',
    target: params.id,
    ...(via.trace ? { requestRef: via.trace.requestRef } : {}),
    count: 1,
    details: via.trace ? { trace: via.trace.id } : { byJurisdiction: true },
  });
  return { body: out(s, app.now()) };
});
