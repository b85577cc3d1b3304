import { pseudonym } from '../../engine/identity';
import { forbidden, isTruyvetError, notFound } from '../../engine/errors';
import { getTraceRecord, getTraceRecordPeople, listTraceRecords, newTraceId, type TraceRecordMeta } from '../../engine/privacy/trace-records';
import { saveTraceRecord } from '../../engine/privacy/trace-records';
import { fullIdentities, traceAccess } from '../../engine/privacy/visibility';
import { isoUtc, parseDurationSeconds } from '../../engine/time';
import { traceShaped, traceWithSensitivityShaped, type SensitivityRow, type ShapedTrace, type TraceWithSensitivity } from '../../engine/trace';
import { openedTracePeople, type OpenedTrace } from '../../engine/privacy/trace-codec';
import { DEFAULT_TOLERANCE_SECONDS, type TraceParams, type TraceResult } from '../../engine/types';
import { handler } from '../context';
import { HttpError } from '../errors';
import { routes } from '../routes';
import { capResult, pageFromSlice, pageRange, type TracePageOf } from '../trace-pages';

function seconds(t: number | string | undefined): number | undefined {
  return typeof t === 'string' ? parseDurationSeconds(t) : t;
}

function metaOut(m: TraceRecordMeta) {
  return { ...m, createdAt: isoUtc(m.createdAt) };
}

function generations(result: { readonly people: readonly { readonly generation: number }[] }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of result.people) out[`f${p.generation}`] = (out[`f${p.generation}`] ?? 0) + 1;
  return out;
}

function sensitivityOf(result: TraceResult): SensitivityRow[] | undefined {
  return (result as Partial<TraceWithSensitivity>).sensitivity;
}

/** `result` may hold only the page's people and contacts: f0, params, stats and sensitivity are whole. */
async function pageBody(meta: TraceRecordMeta, result: TraceResult, page: TracePageOf) {
  const identities = await fullIdentities([result.f0, ...page.people.map((p) => p.id)]);
  return {
    body: {
      id: meta.id,
      f0: result.f0,
      params: result.params,
      people: page.people,
      contacts: page.contacts,
      stats: result.stats,
      requestRef: meta.requestRef,
      purpose: meta.purpose,
      createdAt: isoUtc(meta.createdAt),
      owner: meta.owner,
      page: page.page,
      truncated: meta.truncated,
      peopleFound: meta.peopleFound,
      identities,
      ...(sensitivityOf(result) ? { sensitivity: sensitivityOf(result) } : {}),
    },
    identities: Object.keys(identities).length,
  };
}

/**
 * Opens a trace. F0 arrives as the raw key the health authority knows and is pseudonymised at
 * once; the engine and the stored record see only the pseudonym. The answer (to this tracer)
 * names F0 and the first page's people in full; the audit records the request number, the
 * purpose and how many people were found and named, never who.
 */
export const tracesCreate = handler(routes.tracesCreate, async ({ body, principal, app, audit, res }) => {
  if (body.depth > app.settings.maxTraceDepth) {
    throw new HttpError(400, 'validation', 'the request body is not valid', [{ path: 'body.depth', message: `at most ${app.settings.maxTraceDepth}` }]);
  }
  const toleranceSeconds = seconds(body.tolerance);
  const params: TraceParams = {
    f0: pseudonym(body.f0),
    from: body.from,
    to: body.to,
    depth: body.depth,
    mode: body.mode,
    ...(body.until !== undefined ? { until: body.until } : {}),
    ...(toleranceSeconds !== undefined ? { toleranceSeconds } : {}),
  };
  const id = newTraceId();
  const options = { timeoutMs: app.settings.traceTimeoutMs, maxContacts: app.settings.maxTraceContacts };
  // Tracing and storing are the costly part: they wait their turn (api/trace-gate.ts), unless
  // the client leaves while waiting.
  let done: { found: ShapedTrace; result: ShapedTrace; truncated: boolean; meta: TraceRecordMeta; stored: OpenedTrace };
  const clientLeft = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) clientLeft.abort();
  };
  res.once('close', onClose);
  try {
    done = await app.traceGate.run(async () => {
      // Shaped, not objects: stored as columns, and only the first page is built (assemble.ts, ShapedTrace).
      const found: ShapedTrace = body.sensitivity
        ? await traceWithSensitivityShaped(params, [toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, ...body.sensitivity.map((t) => seconds(t) ?? 0)], options)
        : await traceShaped(params, options);
      const { result, truncated } = capResult(found, app.settings.maxTracePeople);
      const meta: TraceRecordMeta = {
        id,
        owner: principal.username,
        requestRef: body.requestRef,
        purpose: body.purpose,
        createdAt: app.now(),
        f0: result.head.f0,
        params: result.head.params,
        stats: result.head.stats,
        peopleFound: found.people.length,
        truncated,
        hasResult: true,
      };
      const stored = await saveTraceRecord(meta, result);
      return { found, result, truncated, meta, stored };
    }, clientLeft.signal);
  } catch (e) {
    await audit({
      action: 'trace.create',
      outcome: 'failed',
      target: id,
      requestRef: body.requestRef,
      purpose: body.purpose,
      details: { reason: isTruyvetError(e) ? e.code : e instanceof HttpError ? e.code : 'error' },
    });
    throw e;
  } finally {
    res.off('close', onClose);
  }
  const { found, result, truncated, meta, stored } = done;
  const size = body.pageSize ?? app.settings.defaultPageSize;
  const first = openedTracePeople(stored, ...pageRange(1, size));
  const out = await pageBody(meta, first.result, pageFromSlice(first, 1, size));
  await audit({
    action: 'trace.create',
    outcome: 'ok',
    target: id,
    requestRef: body.requestRef,
    purpose: body.purpose,
    count: found.people.length,
    details: { depth: result.head.params.depth, mode: result.head.params.mode, identities: out.identities, truncated, ...generations(found) },
  });
  return { status: 201, body: out.body };
});

export const tracesGet = handler(routes.tracesGet, async ({ params, query, principal, app, audit }) => {
  const head = await getTraceRecord(params.id, false);
  if (!head) throw notFound(`no trace '${params.id}'`);
  const access = traceAccess(principal, head.owner);
  if (access === 'none') {
    await audit({ action: 'access.denied', outcome: 'denied', target: head.id, requestRef: head.requestRef, details: { route: 'tracesGet', reason: 'not the owner' } });
    throw forbidden('only the tracer who opened this trace may read it');
  }
  if (access === 'metadata') {
    await audit({ action: 'trace.read', outcome: 'ok', target: head.id, requestRef: head.requestRef, count: 0, details: { metadataOnly: true } });
    return { body: metaOut(head) };
  }
  const size = query.pageSize ?? app.settings.defaultPageSize;
  // Only this page's people and contacts are built from the stored result.
  const rec = await getTraceRecordPeople(params.id, ...pageRange(query.page, size));
  if (!rec?.slice) throw notFound(`the result of trace '${params.id}' was removed by the retention rule`);
  const out = await pageBody(rec.meta, rec.slice.result, pageFromSlice(rec.slice, query.page, size));
  await audit({ action: 'trace.read', outcome: 'ok', target: rec.meta.id, requestRef: rec.meta.requestRef, count: out.identities, details: { page: query.page } });
  return { body: out.body };
});

export const tracesList = handler(routes.tracesList, async ({ query, principal, audit }) => {
  const mine = principal.role === 'tracer';
  const traces = await listTraceRecords({ ...(mine ? { owner: principal.username } : {}), skip: query.skip, limit: query.limit });
  await audit({ action: 'trace.list', outcome: 'ok', count: 0, details: { traces: traces.length, own: mine } });
  return { body: { traces: traces.map(metaOut) } };
});
