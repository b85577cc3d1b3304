import type { OpenedTrace } from '../engine/privacy/trace-codec';
import type { TraceRecordMeta } from '../engine/privacy/trace-records';
import { parseDurationSeconds } from '../engine/time';
import { traceShaped, traceWithSensitivityShaped, type SensitivityRow, type ShapedTrace, type TraceWithSensitivity } from '../engine/trace';
import { DEFAULT_TOLERANCE_SECONDS, type TraceMode, type TraceParams, type TraceResult } from '../engine/types';
import type { AppContext } from './context';
import { capResult } from './trace-pages';

/**
 * Running a trace for the API, shared by a tracer's request that runs at once and by an
 * approver's approval of a stored one (api/handlers/approvals.ts): the same admission
 * (api/trace-gate.ts), limits and result cap, then storing through the caller's `store`.
 */

function seconds(t: number | string | undefined): number | undefined {
  return typeof t === 'string' ? parseDurationSeconds(t) : t;
}

export function sensitivityOf(result: TraceResult): SensitivityRow[] | undefined {
  return (result as Partial<TraceWithSensitivity>).sensitivity;
}

/**
 * The engine's parameters of a tracer's request (F0 already pseudonymised), and the tolerances:
 * the trace's own first, then the sensitivity panel's.
 */
export function tracerParams(body: {
  readonly f0: string;
  readonly from: number;
  readonly to: number;
  readonly until?: number | undefined;
  readonly depth: number;
  readonly mode: TraceMode;
  readonly tolerance?: number | string | undefined;
  readonly sensitivity?: readonly (number | string)[] | undefined;
}): { params: TraceParams; tolerances: number[] } {
  const toleranceSeconds = seconds(body.tolerance) ?? DEFAULT_TOLERANCE_SECONDS;
  const params: TraceParams = {
    f0: body.f0,
    from: body.from,
    to: body.to,
    depth: body.depth,
    mode: body.mode,
    toleranceSeconds,
    ...(body.until !== undefined ? { until: body.until } : {}),
  };
  return { params, tolerances: [toleranceSeconds, ...(body.sensitivity ?? []).map((t) => seconds(t) ?? 0)] };
}

/** What a traced result adds to a trace's record. */
export type TracedMeta = Pick<TraceRecordMeta, 'f0' | 'params' | 'stats' | 'peopleFound' | 'truncated'>;

/**
 * Traces (with the sensitivity panel when asked) when the gate admits it, caps the result and
 * stores it with `store`, which returns the stored result opened for its pages.
 */
export async function traceAndStore(
  app: AppContext,
  params: TraceParams,
  tolerances: readonly number[],
  withSensitivity: boolean,
  cancel: AbortSignal | undefined,
  store: (r: TracedMeta & { shaped: ShapedTrace }) => Promise<OpenedTrace>,
): Promise<{ found: ShapedTrace; meta: TracedMeta; stored: OpenedTrace }> {
  const options = { timeoutMs: app.settings.traceTimeoutMs, maxContacts: app.settings.maxTraceContacts };
  return app.traceGate.run(async () => {
    // Shaped, not objects: stored as columns, and only the first page is built (assemble.ts, ShapedTrace).
    const found: ShapedTrace = withSensitivity ? await traceWithSensitivityShaped(params, tolerances, options) : await traceShaped(params, options);
    const { result, truncated } = capResult(found, app.settings.maxTracePeople);
    const meta: TracedMeta = { f0: result.head.f0, params: result.head.params, stats: result.head.stats, peopleFound: found.people.length, truncated };
    const stored = await store({ ...meta, shaped: result });
    return { found, meta, stored };
  }, cancel);
}
