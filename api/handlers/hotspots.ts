import { forbidden, notFound } from '../../engine/errors';
import { getTraceRecord, noResult } from '../../engine/trace-store';
import { traceAccess } from '../../engine/privacy/visibility';
import { instantMs, isoUtc } from '../../engine/time';
import { hotspots as rankHotspots } from '../../engine/trace';
import { handler } from '../context';
import { routes } from '../routes';

/**
 * Hotspots of a trace the caller opened: the engine ranks station × window cells by the trace's
 * people (F0 and, unless `generations` narrows it, everyone found) over the trace's period.
 */
export const hotspots = handler(routes.hotspots, async ({ query, principal, app, audit }) => {
  const rec = await getTraceRecord(query.trace, true);
  if (!rec) throw notFound(`no trace '${query.trace}'`);
  if (traceAccess(principal, rec.owner) !== 'owner') {
    await audit({ action: 'access.denied', outcome: 'denied', target: rec.id, requestRef: rec.requestRef, details: { route: 'hotspots', reason: 'not the owner' } });
    throw forbidden('only the tracer who opened this trace may rank its hotspots');
  }
  if (!rec.result) throw noResult(rec);
  const maxGen = query.generations ?? Number.MAX_SAFE_INTEGER;
  const cases = [rec.result.f0, ...rec.result.people.filter((p) => p.generation <= maxGen).map((p) => p.id)];
  const from = instantMs(rec.result.params.from);
  const to = instantMs(rec.result.params.until ?? rec.result.params.to);
  // A close-only trace ranks close-only unless asked otherwise.
  const closeOnly = query.closeOnly ?? rec.result.params.closeOnly;
  // The trace's own bar of a close contact, not today's setting.
  const r = await rankHotspots({ cases, from, to, limit: query.limit, closeOnly, closeSeconds: rec.result.params.closeSeconds }, { timeoutMs: app.settings.traceTimeoutMs });
  await audit({ action: 'hotspots.read', outcome: 'ok', target: rec.id, requestRef: rec.requestRef, count: cases.length, details: { cells: r.hotspots.length, closeOnly } });
  return { body: { trace: rec.id, windowSeconds: r.windowSeconds, closeOnly: r.closeOnly, from: isoUtc(from), to: isoUtc(to), cases: cases.length, hotspots: r.hotspots } };
});
