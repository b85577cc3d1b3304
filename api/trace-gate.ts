import { HttpError } from './errors';
import { localPermits, type Permits } from './permits';

/**
 * Admission of traces into the server: at most `concurrency` run at once, up to `queue` more
 * wait their turn in arrival order, and any beyond are refused at once (503 with Retry-After)
 * instead of piling up. A trace that has waited `maxWaitMs` is answered 503 and never runs. The
 * permits are counted in this process, or, with `serve --workers N`, for all workers in the
 * primary (api/shared-permits.ts); `active`, `waiting` and `refused` count this process's traces either way.
 *
 * Why not run every trace at once: a depth-2 trace is a few hundred ms of CPU between this
 * process and Neo4j, on the same cores. Sixteen at once share the cores, so each ends late (the
 * big ones latest), Neo4j works harder per trace, and their intermediate results (up to the
 * contact budget each) are in memory together. Admitted three at a time, traces/s went up ~10 %
 * and the p99 at 16 connections down ~40 % (docs/benchmarks.md, "What was tried").
 */
export interface TraceGate {
  /**
   * Runs `work` when a slot is free; rejects with a 503 HttpError when the queue is full or the
   * wait too long, and with a 499 one when `cancel` aborts while it waits (its client left).
   */
  run<T>(work: () => Promise<T>, cancel?: AbortSignal): Promise<T>;
  /** Traces running now. */
  readonly active: number;
  /** Traces waiting for a slot. */
  readonly waiting: number;
  /** Traces refused as busy (queue full or waited too long) since this process started. */
  readonly refused: number;
}

export interface TraceGateOptions {
  readonly concurrency: number;
  readonly queue: number;
  readonly maxWaitMs: number;
}

/** A waiting trace whose client closed the connection: nobody reads the answer (status as nginx logs it). */
const cancelled = (): HttpError => new HttpError(499, 'cancelled', 'the client closed the connection before the trace started');

/** Retry-After when there is no run to go by yet, in seconds. */
const FIRST_RETRY_SECONDS = 2;

export function createTraceGate(o: TraceGateOptions, permits: Permits = localPermits(o.concurrency, o.queue)): TraceGate {
  // Counted here for this process's status; the permits may be counted for all workers.
  let waiting = 0;
  let running = 0;
  // Mean run time so far (exponentially weighted), for a Retry-After worth following.
  let meanMs: number | undefined;
  let refused = 0;

  const busy = (why: string, ahead: number): HttpError => {
    refused++;
    const seconds = meanMs === undefined ? FIRST_RETRY_SECONDS : Math.max(1, Math.ceil((ahead * meanMs) / o.concurrency / 1000));
    return new HttpError(503, 'busy', `the server is busy with other traces (${why}); try again later`, [], {}, seconds);
  };

  return {
    run<T>(work: () => Promise<T>, cancel?: AbortSignal): Promise<T> {
      if (cancel?.aborted) return Promise.reject(cancelled());
      const permit = permits.request();
      waiting++;
      return new Promise<T>((resolve, reject) => {
        let left = false;
        const leave = (e: HttpError) => {
          if (left) return;
          left = true;
          waiting--;
          clearTimeout(timer);
          cancel?.removeEventListener('abort', onAbort);
          permit.release();
          reject(e);
        };
        const onAbort = () => leave(cancelled());
        const timer = setTimeout(() => leave(busy(`waited ${o.maxWaitMs} ms`, waiting)), o.maxWaitMs);
        cancel?.addEventListener('abort', onAbort, { once: true });
        void permit.answer.then(async (answer) => {
          // Its caller has had its answer (and the permit went back with it).
          if (left) return;
          if (!answer.granted) return leave(busy(`${answer.waiting} waiting`, answer.waiting + 1));
          left = true;
          waiting--;
          clearTimeout(timer);
          cancel?.removeEventListener('abort', onAbort);
          running++;
          const started = performance.now();
          try {
            resolve(await work());
          } catch (e) {
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the work's own error, passed on as it is
            reject(e);
          } finally {
            running--;
            permit.release();
            const ms = performance.now() - started;
            meanMs = meanMs === undefined ? ms : 0.8 * meanMs + 0.2 * ms;
          }
        });
      });
    },
    get active() {
      return running;
    },
    get waiting() {
      return waiting;
    },
    get refused() {
      return refused;
    },
  };
}
