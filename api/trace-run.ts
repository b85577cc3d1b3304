import type { Response } from 'express';
import type { AuditEntry } from '../engine/audit/chain';
import { isTruyvetError } from '../engine/errors';
import { traceRequestShaped, type ShapedTrace, type TraceRequest } from '../engine/trace';
import type { AppContext, Ctx } from './context';
import { HttpError } from './errors';
import type { RouteDef } from './routes';
import type { RunningProgress } from './trace-progress';

/**
 * Running a trace for the API, shared by a tracer's request that runs at once and by an
 * approver's approval of a stored one (api/handlers/approvals.ts): the same admission
 * (api/trace-gate.ts) and limits, then storing through the caller's `store` (engine/trace-store/).
 */

/**
 * Traces a checked request for case `f0` (a pseudonym) when the gate admits it, and stores what
 * it found with `store` in the same turn: tracing and storing are the costly part. With
 * `cancelOn`, a trace still waiting for its turn is given up when that client leaves. With
 * `progress` (api/trace-progress.ts), the trace reports its generations there, and its tracer's
 * cancel stops it, waiting or running (the engine stops before its next statement), before
 * anything is stored.
 */
export async function traceAndStore<T>(
  app: AppContext,
  f0: string,
  request: TraceRequest,
  store: (found: ShapedTrace) => Promise<T>,
  cancelOn?: Response,
  progress?: RunningProgress,
): Promise<{ found: ShapedTrace; stored: T }> {
  const options = {
    timeoutMs: app.settings.traceTimeoutMs,
    maxContacts: app.settings.maxTraceContacts,
    ...(app.runGeneration ? { runGeneration: app.runGeneration } : {}),
    ...(progress ? { signal: progress.signal, onGeneration: progress.generation } : {}),
  };
  const clientLeft = new AbortController();
  const onClose = () => {
    if (cancelOn?.writableFinished === false) clientLeft.abort();
  };
  cancelOn?.once('close', onClose);
  try {
    const waitCancel = progress ? (cancelOn ? AbortSignal.any([clientLeft.signal, progress.signal]) : progress.signal) : cancelOn && clientLeft.signal;
    return await app.traceGate.run(async () => {
      progress?.phase('tracing');
      // Shaped, not objects: stored as columns, and only the first page is built (engine/trace/assemble.ts, ShapedTrace).
      const found = await traceRequestShaped(f0, request, options);
      progress?.signal.throwIfAborted();
      progress?.phase('storing');
      return { found, stored: await store(found) };
    }, waitCancel);
  } finally {
    cancelOn?.off('close', onClose);
  }
}

type Audit = Ctx<RouteDef>['audit'];

/** Runs `work`; a failure is audited as `entry` with the error's code (never its message), then thrown on. */
export async function auditingFailure<T>(audit: Audit, entry: Omit<AuditEntry, 'actor' | 'role' | 'outcome'>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const reason = isTruyvetError(e) || e instanceof HttpError ? e.code : 'error';
    await audit({ ...entry, outcome: 'failed', details: { ...entry.details, reason } });
    throw e;
  }
}
