import { randomBytes } from 'node:crypto';
import { registerTracedCases } from '../cases';
import {
  followUpsByStatus,
  listFollowUps,
  openFollowUpRows,
  readFollowUp,
  writeFollowUpStatus,
  type FollowUpRow,
  type OpenRow,
} from '../db/followups';
import { conflict, forbidden, notFound, validationFailed } from '../errors';
import { fullIdentities, type ScopedIdentities } from '../privacy/visibility';
import type { Jurisdiction } from '../types';
import { eligible, type FollowUpCandidate, type FollowUpClass } from './candidates';
import { checkTransition, FOLLOW_UP_STATUSES, isOpen, quarantineUntil, type FollowUpStatus } from './status';

/**
 * Follow-up work (issue 22 point 5, issue 25 point 4): opened from a source (an outbreak run;
 * later a venue exposure), read and moved through its statuses by the officers of the commune
 * the person lives in. Jurisdiction is the person's registry home when the follow-up was opened,
 * applied in the queries (engine/db/followups.ts).
 */

export interface OpenFollowUps {
  readonly source: 'run' | 'exposure';
  readonly sourceId: string;
  readonly candidates: readonly FollowUpCandidate[];
  readonly quarantineDays: number;
  /** Who opens them (the run's owner; `system`). */
  readonly actor: string;
  /** F2s too (default: F1s only). */
  readonly includeF2?: boolean;
  /** Brief contacts too: a tracer's promotion (default: close contacts only, issue 25.4). */
  readonly includeBrief?: boolean;
  /** Recorded on the follow-up when a tracer promoted the person. */
  readonly promotedBy?: string;
  readonly now: number;
}

export interface OpenedFollowUps {
  /** New follow-ups. */
  readonly created: number;
  /** Open follow-ups this source joined (the latest quarantine end kept). */
  readonly updated: number;
  /** Candidates that were eligible but left alone: already followed up from this source, or a confirmed case. */
  readonly unchanged: number;
  /** Candidates not eligible (brief, or beyond the generations asked for). */
  readonly skipped: number;
  /** Per person: the follow-up's id and what happened to it. */
  readonly outcomes: ReadonlyMap<string, { readonly id: string; readonly outcome: 'created' | 'updated' }>;
}

export function newFollowUpId(): string {
  return `fu-${randomBytes(10).toString('hex')}`;
}

/**
 * Opens follow-ups for the eligible candidates of one source, one per person: a person with an
 * open follow-up keeps it (this source added, the latest quarantine end kept); the same source
 * again changes nothing, so storing a run twice opens nothing twice.
 */
export async function openFollowUps(o: OpenFollowUps): Promise<OpenedFollowUps> {
  const best = new Map<string, FollowUpCandidate>();
  let skipped = 0;
  for (const c of o.candidates) {
    if (!eligible(c, o)) {
      skipped++;
      continue;
    }
    const had = best.get(c.personId);
    if (had === undefined || c.exposureAt > had.exposureAt) best.set(c.personId, c);
  }
  const rows: OpenRow[] = [...best.values()].map((c) => ({
    id: newFollowUpId(),
    personId: c.personId,
    generation: c.generation,
    class: c.class,
    exposureAt: c.exposureAt,
    quarantineUntil: quarantineUntil(c.exposureAt, o.quarantineDays),
  }));
  const done = await openFollowUpRows(rows, { source: `${o.source}:${o.sourceId}`, actor: o.actor, now: o.now, ...(o.promotedBy !== undefined ? { promotedBy: o.promotedBy } : {}) });
  const outcomes = new Map(done.map((d) => [d.personId, { id: d.id, outcome: d.outcome }] as const));
  const created = done.filter((d) => d.outcome === 'created').length;
  return { created, updated: done.length - created, unchanged: rows.length - done.length, skipped, outcomes };
}

/** A follow-up as callers see it (instants in epoch ms). */
export type FollowUp = Omit<FollowUpRow, 'status' | 'class'> & { readonly status: FollowUpStatus; readonly class: FollowUpClass };

function followUpOf(r: FollowUpRow): FollowUp {
  return r as FollowUp;
}

export interface FollowUpListing extends ScopedIdentities {
  readonly followUps: FollowUp[];
}

/**
 * Follow-ups inside the scope (open first, by quarantine end), with their people's identities in
 * full (name, phone): the officers of the commune call them. Both the list and the identities are
 * scoped in their queries.
 */
export async function followUpsFor(q: { scope: Jurisdiction | undefined; statuses?: readonly FollowUpStatus[]; skip: number; limit: number }): Promise<FollowUpListing> {
  const rows = await listFollowUps({ scope: q.scope, statuses: q.statuses ?? null, skip: q.skip, limit: q.limit });
  const ids = await fullIdentities([...new Set(rows.map((r) => r.personId))], q.scope);
  return { followUps: rows.map(followUpOf), ...ids };
}

export interface StatusChange {
  readonly id: string;
  readonly status: FollowUpStatus;
  readonly note?: string | undefined;
  /** tested_positive: the laboratory's case id (default: the follow-up's id) and confirmation time (default: now). */
  readonly caseId?: string | undefined;
  readonly confirmedAt?: number | undefined;
  readonly by: string;
  readonly now: number;
  readonly scope: Jurisdiction | undefined;
}

/**
 * Moves a follow-up to a new status (status.ts says which may follow which); the same status again
 * changes nothing. tested_positive registers a case in the case registry (engine/cases), linked to
 * the runs the follow-up came from. Throws not_found, forbidden (outside the scope: the query
 * decides), conflict (a change the machine refuses, or one made meanwhile by someone else).
 */
export async function changeFollowUpStatus(ch: StatusChange): Promise<{ followUp: FollowUp; before: FollowUpStatus; changed: boolean }> {
  if (!FOLLOW_UP_STATUSES.includes(ch.status)) throw validationFailed(`status '${String(ch.status)}' is not one of ${FOLLOW_UP_STATUSES.join(', ')}`, [{ field: 'status', reason: 'unknown' }]);
  if (ch.status !== 'tested_positive' && (ch.caseId !== undefined || ch.confirmedAt !== undefined)) {
    throw validationFailed('caseId and confirmedAt go with status tested_positive only', [{ field: ch.caseId !== undefined ? 'caseId' : 'confirmedAt', reason: 'only with tested_positive' }]);
  }
  const read = await readFollowUp(ch.id, ch.scope);
  if (read === undefined) throw notFound(`no follow-up '${ch.id}'`);
  if (!read.inside) throw forbidden('this person does not live in your jurisdiction: the officers where they live follow them up');
  const before = read.row.status as FollowUpStatus;
  if (!checkTransition(before, ch.status, { quarantineUntil: read.row.quarantineUntil, now: ch.now })) return { followUp: followUpOf(read.row), before, changed: false };
  let caseId: string | undefined;
  if (ch.status === 'tested_positive') {
    caseId = ch.caseId ?? read.row.id;
    // The person is in the graph (the follow-up is FOR them), so the registry needs no raw key.
    await registerTracedCases([{ caseId, personId: read.row.personId, confirmedAt: ch.confirmedAt ?? ch.now }], { by: ch.by, now: ch.now, source: 'followup' });
  }
  const written = await writeFollowUpStatus({
    id: ch.id,
    from: before,
    to: ch.status,
    open: isOpen(ch.status),
    note: ch.note ?? null,
    by: ch.by,
    now: ch.now,
    scope: ch.scope,
    ...(caseId !== undefined ? { caseId } : {}),
  });
  if (written === undefined) throw conflict(`follow-up '${ch.id}' changed meanwhile: read it again`);
  return { followUp: followUpOf(written), before, changed: true };
}

/** Follow-ups per status inside the scope. */
export async function followUpCounts(scope: Jurisdiction | undefined): Promise<Record<FollowUpStatus, number>> {
  const got = await followUpsByStatus(scope);
  return Object.fromEntries(FOLLOW_UP_STATUSES.map((s) => [s, got[s] ?? 0])) as Record<FollowUpStatus, number>;
}
