import * as db from '../db/exposures';
import type { ApprovalDecision } from '../db/approval-scope';
import { seal } from '../identity';
import { isoUtc } from '../time';
import type { Jurisdiction } from '../types';
import { closeSeconds as closeSecondsSetting } from '../config';
import { readMeta, type ExposureRecordMeta, type NewExposure } from './store';
import { admitExposure, type ExposureRequest, type ExposureResult } from './venue';

/**
 * Venue exposures under the approval step (TRUYVET_TRACE_APPROVAL=required), as trace requests
 * (engine/trace-store, requestTrace): the request is checked when asked for (window, station
 * inside the tracer's jurisdiction), stored as a pending exposure with the requester's
 * jurisdiction, and read only once an approver of that jurisdiction signs it; the people are
 * stored on the same record for its tracer alone. The approver sees the station and window,
 * never the people.
 */

/** Checks and stores a request as a pending exposure; nothing is read. */
export async function requestExposure(
  e: NewExposure,
  r: ExposureRequest,
  o: { scope: Jurisdiction | undefined; maxDays?: number; followUp: boolean },
): Promise<ExposureRecordMeta> {
  await admitExposure(r, o);
  // The setting when asked for; the read, once approved, reads it again.
  const params = { stationId: r.stationId, from: isoUtc(r.from), to: isoUtc(r.to), closeSeconds: closeSecondsSetting() };
  const meta = { ...e, stationId: r.stationId, params };
  await db.createPendingExposure(meta, o.followUp, o.scope);
  return { ...meta, stats: { people: 0, closePeople: 0, milliseconds: 0 }, peopleFound: 0, truncated: false, hasResult: false, status: 'pending' };
}

export interface ExposureRequestRead {
  readonly meta: ExposureRecordMeta;
  /** Inside the approver's scope (the query decides). */
  readonly inside: boolean;
  /** What to read once approved, as it was checked when asked for. */
  readonly request: ExposureRequest;
  readonly followUp: boolean;
  /** The requester's jurisdiction: the read keeps to it, whoever approves. */
  readonly requesterScope: Jurisdiction | undefined;
}

export async function readExposureRequest(id: string, approverScope: Jurisdiction | undefined): Promise<ExposureRequestRead | undefined> {
  const row = await db.readExposureRequest(id, approverScope);
  if (!row) return undefined;
  const p = row.meta.params;
  const request: ExposureRequest = { stationId: row.meta.stationId, from: Date.parse(String(p['from'])), to: Date.parse(String(p['to'])) };
  return { meta: row.meta, inside: row.inside, request, followUp: row.followUp, requesterScope: row.requesterScope };
}

/**
 * Stores what an approved request found on its pending record, in one write with the decision;
 * false when the record is no longer pending (decided meanwhile) or outside the scope: then
 * nothing is stored.
 */
export function storeApprovedExposure(id: string, found: ExposureResult, approverScope: Jurisdiction | undefined, decision: ApprovalDecision): Promise<boolean> {
  return db.completePendingExposure({ id, ...readMeta(found) }, seal(JSON.stringify(found.people)), approverScope, decision);
}

export { listPendingExposures, rejectPendingExposure } from '../db/exposures';
