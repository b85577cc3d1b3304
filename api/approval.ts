import type { TraceDecision as ApprovalDecision } from '../engine/trace-store';
import { conflict, forbidden } from '../engine/errors';
import type { Principal } from './auth';
import type { Ctx } from './context';
import type { RouteDef } from './routes';

/**
 * The approver's side of every request that waits for approval (TRUYVET_TRACE_APPROVAL=required):
 * trace requests (handlers/approvals.ts) and venue exposures (handlers/exposures.ts). Before a
 * decision: the request lies inside the approver's jurisdiction (the query said), is not the
 * approver's own, and still waits; a refusal is audited as a denied access.
 */

/** What a stored request is to its approver, whatever it asks for. */
export interface PendingRequest {
  readonly meta: { readonly id: string; readonly owner: string; readonly requestRef: string; readonly status: string };
  /** Inside the approver's jurisdiction (decided in the query). */
  readonly inside: boolean;
}

type Audit = Ctx<RouteDef>['audit'];

/**
 * Checks that `principal` may decide `req` now (403 audited, or 409), and returns the decision
 * to record: who, when, the note.
 */
export async function checkDecision(
  req: PendingRequest,
  what: string,
  c: { principal: Principal; audit: Audit; route: string; now: number; note: string | undefined },
): Promise<ApprovalDecision> {
  const { meta } = req;
  const denied = async (reason: string, message: string) => {
    await c.audit({ action: 'access.denied', outcome: 'denied', target: meta.id, requestRef: meta.requestRef, details: { route: c.route, reason } });
    return forbidden(message);
  };
  if (!req.inside) throw await denied('outside jurisdiction', 'this request comes from a tracer outside your jurisdiction');
  // Signing one's own request would make the second pair of eyes the same pair.
  if (meta.owner === c.principal.username) throw await denied('own request', 'an approver cannot decide their own request');
  if (meta.status !== 'pending') throw conflict(`${what} '${meta.id}' is ${meta.status}, not waiting for a decision`);
  return { by: c.principal.username, at: c.now, ...(c.note !== undefined ? { note: c.note } : {}) };
}
