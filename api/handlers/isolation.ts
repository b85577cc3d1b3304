import { forbidden, notFound } from '../../engine/errors';
import { traceNaming, type TraceRecordMeta } from '../../engine/privacy/trace-records';
import { traceAccess } from '../../engine/privacy/visibility';
import { getIsolation, isIsolatedAt, setIsolation, type IsolationStatus } from '../../engine/scan/isolation';
import { isoUtc } from '../../engine/time';
import type { Principal } from '../auth';
import { handler, type Ctx } from '../context';
import type { RouteDef } from '../routes';
import { routes } from '../routes';

/**
 * Isolation, like a timeline, only through a trace: the tracer names a trace it opened that
 * found this person (or is this person's F0), so every isolation set, released or read is tied
 * to the health authority's request number in the audit.
 */

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
  if (!rec.hasResult) throw notFound(`the result of trace '${rec.id}' was removed by the retention rule`);
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
  const rec = await throughTrace('isolationSet', body.trace, params.id, principal, audit);
  const now = app.now();
  const s = await setIsolation({
    personId: params.id,
    isolated: body.isolated,
    classification: body.classification,
    since: body.since,
    until: body.until ?? null,
    setBy: principal.username,
    now,
  });
  await audit({
    action: 'isolation.set',
    outcome: 'ok',
    target: params.id,
    requestRef: rec.requestRef,
    count: 1,
    details: { trace: rec.id, isolated: s.isolated, classification: s.classification, since: isoUtc(s.since), until: s.until === null ? null : isoUtc(s.until) },
  });
  return { body: out(s, now) };
});

export const isolationGet = handler(routes.isolationGet, async ({ params, query, principal, app, audit }) => {
  const rec = await throughTrace('isolationGet', query.trace, params.id, principal, audit);
  const s = await getIsolation(params.id);
  if (!s) throw notFound('no isolation was ever set for this person');
  await audit({ action: 'isolation.read', outcome: 'ok', target: params.id, requestRef: rec.requestRef, count: 1, details: { trace: rec.id } });
  return { body: out(s, app.now()) };
});
