import { selectCases } from '../../engine/cases';
import { forbidden, notFound, validationFailed } from '../../engine/errors';
import { runPeriodProblem, type OutbreakRequest } from '../../engine/outbreak';
import { listOutbreakRuns, readRun, readRunPage, type OutbreakRunMeta, type RunFollowUps, type RunOutcome } from '../../engine/outbreak-store';
import { isoUtc } from '../../engine/time';
import { peoplePerGeneration } from '../../engine/trace';
import type { OutbreakCase } from '../../engine/types';
import type { Principal } from '../auth';
import { handler, type AppContext, type Ctx } from '../context';
import { routes, type RouteDef } from '../routes';
import { auditingFailure } from '../trace-run';

/**
 * Outbreak runs (issue 22): started by a tracer on the health authority's request, run in the
 * background (api/outbreaks.ts), read a page at a time by their owner. The audit records the
 * request number, the purpose and counts (cases, people per generation, links, clusters), never
 * who was found nor which cases.
 */

type Audit = Ctx<RouteDef>['audit'];

/** A run's record as the API answers it; the case ids only for its owner, live progress from this process. */
export function runOut(m: OutbreakRunMeta, app: AppContext, cases?: readonly string[]) {
  const { instance: _i, createdAt, startedAt, finishedAt, params, progress, ...rest } = m;
  return {
    ...rest,
    createdAt: isoUtc(createdAt),
    ...(startedAt !== undefined ? { startedAt: isoUtc(startedAt) } : {}),
    ...(finishedAt !== undefined ? { finishedAt: isoUtc(finishedAt) } : {}),
    params: { ...params, from: isoUtc(params.from), to: isoUtc(params.to), until: isoUtc(params.until) },
    // A done run's job goes on writing its CONTACT relationships (its `graph`): its own progress then is the record's, ended.
    progress: (m.status === 'queued' || m.status === 'running' ? app.outbreaks.progressOf(m.id) : undefined) ?? progress,
    ...(cases !== undefined ? { cases: [...cases] } : {}),
  };
}

/**
 * The cases a tracer may run: the registry's, chosen by id or confirmation time, of people living
 * in the tracer's jurisdiction (the query decides, engine/db/cases.ts). An id not returned is
 * refused whatever the reason (unknown, discarded, outside the jurisdiction or the confirmation
 * window), so the answer tells a scoped tracer nothing about cases elsewhere: 403 for a scoped
 * tracer (audited), 404 for a national one. The period rule: engine/outbreak/request.ts.
 */
async function casesToRun(principal: Principal, r: OutbreakRequest, body: { requestRef: string; purpose: string }, maxDays: number, audit: Audit): Promise<OutbreakCase[]> {
  const scope = principal.jurisdiction;
  const { cases, missing } = await selectCases({ ...r.selection, scope });
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((id) => `'${id}'`).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
    if (scope === undefined) throw notFound(`no case ${shown} to trace: not registered, or discarded, or outside the confirmation window`);
    await audit({ action: 'access.denied', outcome: 'denied', requestRef: body.requestRef, purpose: body.purpose, details: { route: 'outbreaksCreate', reason: 'cases outside jurisdiction', cases: missing.length } });
    throw forbidden(`case${missing.length > 1 ? 's' : ''} ${shown} cannot be traced by you: not registered, discarded, outside the confirmation window, or of a person living outside your jurisdiction`);
  }
  const by = r.selection.caseIds !== undefined ? 'body.caseIds' : 'body.confirmedSince';
  if (cases.length === 0) throw validationFailed('no registered case of a person living in your jurisdiction was confirmed in that window', [{ field: by, reason: 'no case to trace' }]);
  const problem = runPeriodProblem(cases, r.until, maxDays);
  if (problem) throw validationFailed(problem.reason, [{ field: problem.field === 'until' ? 'body.until' : by, reason: problem.reason }]);
  return cases;
}

/** What the run opened for follow-up (engine/outbreak-store), for the audit. */
function followUpCounts(f: RunFollowUps | undefined): Record<string, number | string> {
  if (f === undefined) return {};
  return 'error' in f ? { followUpsError: f.error } : { followUpsCreated: f.created, followUpsUpdated: f.updated };
}

/** The end of a run, audited as its owner's once it is in the graph: counts, never who. */
function auditEnd(audit: Audit, about: { requestRef: string; purpose: string }) {
  return async (meta: OutbreakRunMeta, outcome: RunOutcome): Promise<void> => {
    const counts =
      outcome.status === 'done'
        ? {
            ...peoplePerGeneration(outcome.shaped),
            links: outcome.stats.links,
            clusters: outcome.stats.clusters,
            contacts: outcome.stats.contacts,
            milliseconds: outcome.stats.milliseconds,
            ...followUpCounts(outcome.followUps),
          }
        : { reason: outcome.code ?? outcome.status };
    await audit({
      action: 'outbreak.finish',
      outcome: outcome.status === 'done' ? 'ok' : 'failed',
      target: meta.id,
      ...about,
      count: outcome.status === 'done' ? outcome.stats.people : 0,
      details: { status: outcome.status, cases: meta.caseCount, ...counts },
    });
  };
}

export const outbreaksCreate = handler(routes.outbreaksCreate, async ({ body, principal, app, audit }) => {
  const { requestRef, purpose, run: request } = body;
  const about = { action: 'outbreak.create', requestRef, purpose } as const;
  const meta = await auditingFailure(audit, about, async () => {
    const cases = await casesToRun(principal, request, body, app.settings.traceMaxDays, audit);
    return app.outbreaks.start({ owner: principal.username, requestRef, purpose, scope: principal.jurisdiction, cases, request }, auditEnd(audit, { requestRef, purpose }));
  });
  const { depth, mode, toleranceSeconds, closeOnly } = meta.params;
  await audit({ ...about, outcome: 'ok', target: meta.id, count: 0, details: { cases: meta.caseCount, depth, mode, toleranceSeconds, closeOnly } });
  return { status: 202, body: runOut(meta, app, (await readRun(meta.id))?.cases ?? []) };
});

export const outbreaksGet = handler(routes.outbreaksGet, async ({ params, query, principal, app, audit }) => {
  // A run left unfinished by a process that is gone ends failed before it is answered.
  if (!(await app.outbreaks.settled(params.id))) throw notFound(`no outbreak run '${params.id}'`);
  const size = query.pageSize ?? app.settings.defaultPageSize;
  const read = await readRunPage(params.id, query.page, size, principal);
  if (!read) throw notFound(`no outbreak run '${params.id}'`);
  if (read.kind === 'denied') {
    await audit({ action: 'access.denied', outcome: 'denied', target: read.meta.id, requestRef: read.meta.requestRef, details: { route: 'outbreaksGet', reason: 'not the owner' } });
    throw forbidden('only the tracer who started this outbreak run may read it');
  }
  if (read.kind === 'metadata' || read.kind === 'status') {
    await audit({ action: 'outbreak.read', outcome: 'ok', target: read.meta.id, requestRef: read.meta.requestRef, count: 0, details: { metadataOnly: true, status: read.meta.status } });
    return { body: runOut(read.meta, app, read.kind === 'status' ? read.cases : undefined) };
  }
  const { meta, cases, page } = read;
  await audit({ action: 'outbreak.read', outcome: 'ok', target: meta.id, requestRef: meta.requestRef, count: Object.keys(page.identities).length, details: { page: query.page } });
  return {
    body: {
      ...runOut(meta, app, cases),
      people: page.people,
      contacts: page.contacts,
      ...(page.links ? { links: page.links } : {}),
      ...(page.clusters ? { clusters: page.clusters } : {}),
      page: page.page,
      identities: page.identities,
      outside: page.outside,
    },
  };
});

export const outbreaksList = handler(routes.outbreaksList, async ({ query, principal, app, audit }) => {
  const mine = principal.role === 'tracer';
  const runs = await listOutbreakRuns({ ...(mine ? { owner: principal.username } : {}), skip: query.skip, limit: query.limit });
  await audit({ action: 'outbreak.list', outcome: 'ok', count: 0, details: { runs: runs.length, own: mine } });
  return { body: { runs: runs.map((r) => runOut(r, app)) } };
});

export const outbreaksCancel = handler(routes.outbreaksCancel, async ({ params, principal, app, audit }) => {
  const meta = await app.outbreaks.cancel(params.id, principal.username, principal.username);
  if (!meta) throw notFound(`no outbreak run '${params.id}' of yours`);
  const after = (await app.outbreaks.settled(params.id)) ?? meta;
  await audit({ action: 'outbreak.cancel', outcome: 'ok', target: meta.id, requestRef: meta.requestRef, details: { status: after.status, asked: meta.status === 'queued' || meta.status === 'running' } });
  return { body: runOut(after, app) };
});
