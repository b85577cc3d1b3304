import type { TraceMode, TraceParams } from '../types';

/**
 * A trace as a tracer asks for it, checked at the edge where it arrives (the API's schema, the
 * command line's flags) and typed: instants in epoch ms, tolerances in seconds, defaults filled
 * in. The engine runs it as it is.
 */
export interface TraceRequest {
  readonly from: number;
  readonly to: number;
  /** The horizon; absent: `to`. */
  readonly until?: number;
  readonly depth: number;
  readonly toleranceSeconds: number;
  readonly mode: TraceMode;
  /** More tolerances for the sensitivity panel, after the trace's own; absent: no panel. */
  readonly sensitivity?: readonly number[];
}

/** The engine's parameters of a request for case `f0` (a pseudonym). */
export function traceParamsOf(f0: string, r: TraceRequest): TraceParams {
  return { f0, from: r.from, to: r.to, ...(r.until !== undefined ? { until: r.until } : {}), depth: r.depth, toleranceSeconds: r.toleranceSeconds, mode: r.mode };
}

/** The tolerances a request traces at: its own first, then the sensitivity panel's. */
export function tolerancesOf(r: TraceRequest): number[] {
  return [r.toleranceSeconds, ...(r.sensitivity ?? [])];
}
