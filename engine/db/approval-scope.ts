import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { int, str } from './convert';
import { writeQuery } from './driver';

/**
 * The approval step (TRUYVET_TRACE_APPROVAL=required) for every kind of request that waits for an
 * approver: trace requests (traces.ts) and venue exposures (exposures.ts). A request is stored
 * with its requester's jurisdiction (`scopeProvince`, `scopeDistrict`, `scopeCommune`), and an
 * approver decides only requests of tracers inside their own: the requester's jurisdiction inside
 * the approver's, a national request only for a national approver. One statement of that rule,
 * for the node bound to `v`, with the approver's scope as $province, $district, $commune.
 */
export const IN_APPROVER_SCOPE = (v: string): string =>
  `($province IS NULL OR (${v}.scopeProvince = $province AND ($district IS NULL OR ${v}.scopeDistrict = $district)
  AND ($commune IS NULL OR ${v}.scopeCommune = $commune)))`;

/** An approver's decision on a request. */
export interface ApprovalDecision {
  readonly by: string;
  /** Epoch ms. */
  readonly at: number;
  readonly note?: string;
}

/** The stored requests that wait for an approver; the label is one of these, never input. */
export type PendingLabel = 'TraceRecord' | 'ExposureRecord';

/**
 * Records an approver's rejection of a pending request inside their scope; false when it is no
 * longer pending (decided meanwhile) or outside the scope.
 */
export async function rejectPending(label: PendingLabel, id: string, approverScope: Jurisdiction | undefined, decision: ApprovalDecision): Promise<boolean> {
  const rows = await writeQuery(
    `MATCH (r:${label} {id: $id}) WHERE r.status = 'pending' AND ${IN_APPROVER_SCOPE('r')}
     SET r.status = 'rejected', r.decidedBy = $by, r.decidedAt = $at, r.note = $note
     RETURN r.id AS id`,
    { id, ...scopeParams(approverScope), by: decision.by, at: int(decision.at), note: decision.note ?? null },
    (r) => str(r['id']),
  );
  return rows.length > 0;
}
