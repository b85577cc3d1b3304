import { quarantineDays } from '../config';
import { followUpFromSource } from '../db/followups';
import * as db from '../db/outbreaks';
import { conflict, forbidden, notFound } from '../errors';
import { openFollowUps } from '../followups';
import { traceAccess, type Viewer } from '../privacy/visibility';
import { outbreakRunResult } from './store';

/**
 * A tracer promotes a person of their own run (an F1 or F2, brief or close) to follow-up: opened
 * or joined with the run as its source and the tracer recorded. Throws not_found (no such run, or
 * the person is not listed in it), forbidden (not the run's owner), conflict (the run has no
 * stored result, or the person is beyond F2, or a confirmed case).
 */
export async function promoteToFollowUp(runId: string, personId: string, tracer: Viewer, now: number): Promise<{ id: string; outcome: 'created' | 'updated' | 'unchanged'; generation: number }> {
  const meta = await db.readOutbreakRun(runId);
  if (!meta) throw notFound(`no outbreak run '${runId}'`);
  if (traceAccess(tracer, meta.owner) !== 'owner') throw forbidden('only the tracer who started this outbreak run may promote its people to follow-up');
  const result = meta.status === 'done' ? await outbreakRunResult(runId) : undefined;
  if (!result) throw conflict(`outbreak run '${runId}' has no result to promote from (status ${meta.status}${meta.hasResult ? '' : ', or removed by retention'})`);
  const person = result.people.find((p) => p.id === personId);
  if (!person) throw notFound(`person '${personId}' is not listed in outbreak run '${runId}'`);
  if (person.generation > 2) throw conflict(`person '${personId}' is an F${person.generation} of this run: only F1s and F2s are followed up`);
  const opened = await openFollowUps({
    source: 'run',
    sourceId: runId,
    candidates: [{ personId, generation: person.generation, exposureAt: Date.parse(person.exposureAt), class: 'brief' }],
    quarantineDays: quarantineDays(),
    actor: tracer.username,
    includeF2: true,
    includeBrief: true,
    promotedBy: tracer.username,
    now,
  });
  const got = opened.outcomes.get(personId);
  if (got) return { id: got.id, outcome: got.outcome, generation: person.generation };
  if (opened.unchanged === 1) {
    const existing = await followUpFromSource(personId, `run:${runId}`);
    if (existing === undefined) throw conflict(`person '${personId}' is a confirmed case: a case is isolated, not followed up`);
    return { id: existing, outcome: 'unchanged', generation: person.generation };
  }
  throw conflict(`person '${personId}' could not be promoted`);
}
