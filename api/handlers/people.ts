import { passagesOfPerson } from '../../engine/db';
import { forbidden, notFound } from '../../engine/errors';
import { noResult, traceNaming } from '../../engine/trace-store';
import { fullIdentities, traceAccess } from '../../engine/privacy/visibility';
import { instantMs, isoUtc } from '../../engine/time';
import { handler } from '../context';
import { routes } from '../routes';

/**
 * A person's timeline, only through a trace: the caller names the trace (its own) that found
 * this person, and sees the person's passages within that trace's period [from, until]. So
 * every look at someone's movements is tied to the health authority's request that justified
 * the trace, and the audit says which.
 */
export const timeline = handler(routes.timeline, async ({ params, query, principal, audit }) => {
  // The identity only of a person living in the tracer's jurisdiction (visibility.ts); the
  // passages are evidence of the trace, shown for everyone it names.
  const found = await traceNaming(query.trace, params.id);
  if (!found) throw notFound(`no trace '${query.trace}'`);
  const rec = found.meta;
  if (traceAccess(principal, rec.owner) !== 'owner') {
    await audit({ action: 'access.denied', outcome: 'denied', target: params.id, requestRef: rec.requestRef, details: { route: 'timeline', trace: rec.id, reason: 'not the owner' } });
    throw forbidden('only the tracer who opened this trace may read timelines through it');
  }
  if (!rec.hasResult) throw noResult(rec);
  if (!found.names) {
    await audit({ action: 'access.denied', outcome: 'denied', target: params.id, requestRef: rec.requestRef, details: { route: 'timeline', trace: rec.id, reason: 'not in the trace' } });
    throw forbidden('this person is not in that trace');
  }
  const lo = instantMs(rec.params.from);
  const hi = instantMs(rec.params.until ?? rec.params.to);
  const from = Math.max(lo, query.from ?? lo);
  const to = Math.min(hi, query.to ?? hi);
  const [passages, who] = await Promise.all([from <= to ? passagesOfPerson(params.id, from, to) : [], fullIdentities([params.id], principal.jurisdiction)]);
  const identity = who.identities[params.id];
  const home = who.outside[params.id];
  await audit({
    action: 'timeline.read',
    outcome: 'ok',
    target: params.id,
    requestRef: rec.requestRef,
    count: 1,
    details: { trace: rec.id, passages: passages.length },
  });
  return {
    body: {
      person: params.id,
      trace: rec.id,
      from: isoUtc(from),
      to: isoUtc(to),
      ...(identity ? { identity } : {}),
      ...(home ? { home } : {}),
      passages: passages.map((p) => ({
        id: p.id,
        stationId: p.stationId,
        stationName: p.stationName,
        at: isoUtc(p.at),
        leftAt: isoUtc(p.leftAt),
        source: p.source,
        trust: p.trust,
      })),
    },
  };
});
