import type { GenerationProgress } from '../engine/trace';
import { HttpError } from './errors';

/**
 * The progress of the traces running now, for the tracer who waits on one: `POST /api/traces`
 * may carry a `progressId` the client made (a UUID); while that trace waits for its turn, runs and
 * is stored, `GET /api/traces/progress/:progressId` tells its owner how far it has come, and
 * `POST …/cancel` aborts it (the engine stops before its next statement; nothing is stored). Held
 * in memory, keyed by (owner, progressId), and forgotten when the trace ends: another tracer's
 * poll of the same id finds nothing. With `serve --workers N` the poll may reach another worker
 * than the trace: api/cluster-progress.ts asks the others through the primary.
 */

export type ProgressPhase = 'queued' | 'tracing' | 'storing';

export interface ProgressView {
  readonly phase: ProgressPhase;
  /** The generation being searched (1 while queued), or the last one searched. */
  readonly generation: number;
  /** People and contacts found so far in this pass. */
  readonly people: number;
  readonly contacts: number;
  /** Pass 1 is the trace itself; 2… the sensitivity panel's other tolerances, one full trace each. */
  readonly pass: number;
  readonly passes: number;
  readonly toleranceSeconds: number;
  /** Since the server received the request. */
  readonly elapsedMs: number;
}

/** `unknown`: no running trace of this owner has that id (ended, never started, or another's). */
export type CancelOutcome = 'cancelled' | 'too_late' | 'unknown';

/** A registered trace, for the code that runs it (api/trace-run.ts). */
export interface RunningProgress {
  /** Aborted by a cancel; its reason is the 499 `cancelled` the request answers. */
  readonly signal: AbortSignal;
  /** The engine's report (TraceOptions.onGeneration). */
  readonly generation: (g: GenerationProgress) => void;
  readonly phase: (p: ProgressPhase) => void;
  /** Forgets it (in `finally`). */
  readonly end: () => void;
}

export interface ProgressBoard {
  /** Registers a trace about to wait for its turn; a 409 when the owner already runs one under this id. */
  begin(owner: string, id: string, tolerances: readonly number[]): RunningProgress;
  read(owner: string, id: string): Promise<ProgressView | undefined>;
  cancel(owner: string, id: string): Promise<CancelOutcome>;
}

/** The reason a cancelled trace throws (the engine throws its signal's reason as it is). */
export const cancelledByTracer = (): HttpError => new HttpError(499, 'cancelled', 'the trace was cancelled by its tracer');

interface Entry {
  readonly started: number;
  readonly tolerances: readonly number[];
  readonly controller: AbortController;
  phase: ProgressPhase;
  last: GenerationProgress | undefined;
}

const key = (owner: string, id: string) => `${owner}\u0000${id}`;

/** This process's running traces (all a lone server has). */
export class LocalProgressBoard {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  begin(owner: string, id: string, tolerances: readonly number[]): RunningProgress {
    const k = key(owner, id);
    if (this.entries.has(k)) throw new HttpError(409, 'progress_in_use', 'a trace of yours with this progressId is running: make a new one for each trace');
    const entry: Entry = { started: this.now(), tolerances, controller: new AbortController(), phase: 'queued', last: undefined };
    this.entries.set(k, entry);
    return {
      signal: entry.controller.signal,
      generation: (g) => {
        entry.phase = 'tracing';
        entry.last = g;
      },
      phase: (p) => {
        entry.phase = p;
      },
      end: () => {
        if (this.entries.get(k) === entry) this.entries.delete(k);
      },
    };
  }

  read(owner: string, id: string): ProgressView | undefined {
    const e = this.entries.get(key(owner, id));
    if (e === undefined) return undefined;
    const first = e.tolerances[0] ?? 0;
    const tol = e.last?.toleranceSeconds ?? first;
    const at = e.tolerances.indexOf(tol);
    return {
      phase: e.phase,
      generation: e.last?.generation ?? 1,
      people: e.last?.people ?? 0,
      contacts: e.last?.contacts ?? 0,
      pass: at < 0 ? 1 : at + 1,
      passes: Math.max(1, e.tolerances.length),
      toleranceSeconds: tol,
      elapsedMs: Math.max(0, this.now() - e.started),
    };
  }

  cancel(owner: string, id: string): CancelOutcome {
    const e = this.entries.get(key(owner, id));
    if (e === undefined) return 'unknown';
    // Its result is being written: past the point where stopping would leave nothing behind.
    if (e.phase === 'storing') return 'too_late';
    e.controller.abort(cancelledByTracer());
    return 'cancelled';
  }
}

/** The board of a lone process. */
export function localProgressBoard(now: () => number): ProgressBoard {
  const local = new LocalProgressBoard(now);
  return {
    begin: (owner, id, tolerances) => local.begin(owner, id, tolerances),
    read: (owner, id) => Promise.resolve(local.read(owner, id)),
    cancel: (owner, id) => Promise.resolve(local.cancel(owner, id)),
  };
}
