import { randomBytes } from 'node:crypto';
import { conflict, notFound, type TruyvetError } from '../errors';
import type { TraceRecordMeta } from '../db/traces';

/**
 * What a stored trace is: its metadata (who opened it, on which request of the health authority
 * and for what purpose, its parameters and counts, its status), apart from the result itself.
 * The metadata outlives the result (retention removes results, not accountability).
 */

export { TRACE_STATUSES, type TraceDecision, type TraceRecordMeta, type TraceStatus } from '../db/traces';

/** A trace about to be stored or requested: who asks, on which request, why, when. */
export interface NewTrace {
  readonly id: string;
  readonly owner: string;
  readonly requestRef: string;
  readonly purpose: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

export function newTraceId(): string {
  return `tr${randomBytes(12).toString('hex')}`;
}

export const TRACE_ID_RE = /^tr[0-9a-f]{24}$/;

/** Why a trace's result cannot be read: it waits for approval, was rejected, or retention removed it. */
export function noResult(meta: Pick<TraceRecordMeta, 'id' | 'status'>): TruyvetError {
  if (meta.status === 'pending') return conflict(`trace '${meta.id}' waits for approval: nothing is traced yet`);
  if (meta.status === 'rejected') return conflict(`trace '${meta.id}' was rejected by an approver: nothing was traced`);
  return notFound(`the result of trace '${meta.id}' was removed by the retention rule`);
}
