import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { conflict, unavailable } from '../engine/errors';
import type { Logger } from '../engine/logger';
import type { OutbreakRequest } from '../engine/outbreak';
import {
  abandonGraph,
  abandonRun,
  createRun,
  executeRun,
  newOutbreakRunId,
  readRun,
  requestCancel,
  runsLeftWritingGraph,
  saveProgress,
  unfinishedOutbreakRuns,
  type NewOutbreakRun,
  type OutbreakRunMeta,
  type OutbreakRunProgress,
  type RunOutcome,
} from '../engine/outbreak-store';
import type { Jurisdiction, OutbreakCase, OutbreakParams } from '../engine/types';
import { HttpError } from './errors';
import { processGone } from './instance';
import { localPermits, type PermitRequest, type Permits } from './permits';
import type { TraceGate } from './trace-gate';

/**
 * Outbreak runs of the API (`POST /api/outbreaks`), run in the background like imports
 * (api/imports.ts): the request answers 202 with the run at once; the run waits its turn, traces
 * (engine/outbreak-store executeRun), writes the graph and stores its result; its state and
 * progress are written to its `(:OutbreakRun)` node at most every second, so every worker of
 * `serve --workers N` answers for it, and a cancellation asked through any worker reaches the one
 * that runs it at its next progress write.
 *
 * Admission: one run at a time for the whole server (a permit of its own, shared by the workers
 * like the import queue's), and each run also takes one slot of the trace gate (api/trace-gate.ts)
 * for as long as it traces: a run of minutes holds one of TRUYVET_TRACE_CONCURRENCY slots, so
 * single traces keep the others and are never starved. When the gate is full the run waits (it
 * stays queued) and tries again after the gate's Retry-After, instead of failing as a busy trace
 * request would.
 *
 * A run is not resumed after a stop or a crash (unlike an import, it has no committed part to go
 * on from): a graceful stop ends the running and queued runs failed ("start it again"), and a run
 * whose process is gone is ended failed at the next start or when it is read.
 */

export interface RunRequest {
  readonly owner: string;
  readonly requestRef: string;
  readonly purpose: string;
  readonly scope: Jurisdiction | undefined;
  readonly cases: readonly OutbreakCase[];
  readonly request: OutbreakRequest;
}

export interface OutbreakRunLimits {
  /** The contact budget of a run (TRUYVET_OUTBREAK_MAX_CONTACTS). */
  readonly maxContacts: number;
}

interface LiveRun {
  readonly id: string;
  readonly params: OutbreakParams;
  readonly followUpF2: boolean;
  readonly stop: AbortController;
  progress: OutbreakRunProgress;
  startedAt: number;
  readonly onDone: (meta: OutbreakRunMeta, outcome: RunOutcome) => Promise<void>;
}

/** Progress reaches the graph at most this often (ms); the process's own answers are live. */
const SAVE_PROGRESS_MS = 1000;
const STOPPED = 'the server stopped before this run finished; start it again';

export class OutbreakRuns {
  private readonly live = new Map<string, LiveRun>();
  private queue: Promise<void> = Promise.resolve();
  private readonly serverRun: string;
  readonly instance: string;
  private stopping = false;

  constructor(
    private readonly gate: TraceGate,
    private readonly limits: OutbreakRunLimits,
    private readonly logger: Logger,
    private readonly now: () => number,
    serverRun?: string,
    /** One run at a time: for the whole server with `serve --workers N`, else in this process. */
    private readonly permits: Permits = localPermits(1),
  ) {
    this.serverRun = serverRun ?? randomBytes(9).toString('base64url');
    this.instance = `${this.serverRun}.${process.pid}`;
  }

  /**
   * Stores the run queued (its parameters checked by the engine: invalid_input when it refuses
   * them) and queues it; `onDone` hears its end (done, failed or cancelled) once that is in the graph.
   */
  async start(r: RunRequest, onDone: LiveRun['onDone']): Promise<OutbreakRunMeta> {
    if (this.stopping) throw unavailable('the server is stopping; start the run again in a moment');
    const run: NewOutbreakRun = {
      id: newOutbreakRunId(),
      owner: r.owner,
      requestRef: r.requestRef,
      purpose: r.purpose,
      createdAt: this.now(),
      source: 'api',
      instance: this.instance,
      scope: r.scope,
    };
    const { meta, params } = await createRun(run, r.cases, r.request);
    const job: LiveRun = { id: run.id, params, followUpF2: r.request.followUpF2 === true, stop: new AbortController(), progress: meta.progress, startedAt: 0, onDone };
    this.live.set(run.id, job);
    this.queue = this.queue.then(() => this.run(job));
    return meta;
  }

  /** The progress of a run of this process as it is now (fresher than the graph's); undefined for another's. */
  progressOf(id: string): OutbreakRunProgress | undefined {
    return this.live.get(id)?.progress;
  }

  /**
   * A run's record as the graph has it, a run cut off (its process gone, not finished) ended
   * failed first; undefined when there is no such run.
   */
  async settled(id: string): Promise<OutbreakRunMeta | undefined> {
    const r = await readRun(id);
    if (!r) return undefined;
    if ((r.meta.status === 'queued' || r.meta.status === 'running') && !this.live.has(id) && processGone(r.meta.instance, this.instance, this.serverRun)) {
      await abandonRun(id, 'failed', STOPPED, this.now());
      return (await readRun(id))?.meta;
    }
    if (r.meta.graph?.state === 'writing' && !this.live.has(id) && processGone(r.meta.instance, this.instance, this.serverRun)) {
      await abandonGraph(id, r.meta.graph.written);
      return (await readRun(id))?.meta;
    }
    return r.meta;
  }

  /**
   * Stops `owner`'s run: a run of this process at once (between two statements), one of another
   * live process at its next progress write, a cut-off one here. Undefined when `owner` has no
   * such run; a run that has ended already is answered as it is.
   */
  async cancel(id: string, owner: string, by: string): Promise<OutbreakRunMeta | undefined> {
    const meta = await requestCancel(id, owner, by, this.now());
    if (!meta || (meta.status !== 'queued' && meta.status !== 'running')) return meta;
    const job = this.live.get(id);
    if (job) {
      job.stop.abort(conflict('cancelled by its owner'));
    } else if (processGone(meta.instance, this.instance, this.serverRun)) {
      await abandonRun(id, 'cancelled', 'cancelled by its owner', this.now());
    }
    return meta;
  }

  /**
   * At start: the runs that processes now gone left unfinished end failed (not resumed: start
   * them again); done runs whose CONTACT relationships they were writing say their graph is incomplete.
   */
  async failCutOff(): Promise<number> {
    let n = 0;
    for (const r of await unfinishedOutbreakRuns(this.instance)) {
      if (processGone(r.instance, this.instance, this.serverRun) && (await abandonRun(r.id, 'failed', STOPPED, this.now()))) n++;
    }
    for (const r of await runsLeftWritingGraph(this.instance)) {
      if (processGone(r.instance, this.instance, this.serverRun)) await abandonGraph(r.id, r.written);
    }
    return n;
  }

  /** For a graceful stop: no run starts; the running one stops between statements and ends failed, as do the queued ones. */
  async pause(): Promise<void> {
    this.stopping = true;
    for (const job of this.live.values()) job.stop.abort(unavailable(STOPPED));
    await this.queue;
  }

  /** Resolves when every queued run has ended (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  private async run(job: LiveRun): Promise<void> {
    let outcome: RunOutcome;
    const timer = setInterval(() => void this.saveProgress(job), SAVE_PROGRESS_MS);
    try {
      outcome = await this.admitted(job);
    } catch (e) {
      // Only the recording of the end failed (the database went away): the next start ends the run as cut off.
      this.logger.error({ run: job.id, type: (e as Error).name }, 'could not record the end of an outbreak run');
      this.live.delete(job.id);
      return;
    } finally {
      clearInterval(timer);
    }
    this.live.delete(job.id);
    if (outcome.status === 'failed') this.logger.warn({ run: job.id, code: outcome.code ?? 'error' }, 'outbreak run failed');
    try {
      const meta = (await readRun(job.id))?.meta;
      if (meta) await job.onDone(meta, outcome);
    } catch (e) {
      this.logger.error({ run: job.id, type: (e as Error).name }, 'could not record the end of an outbreak run');
    }
  }

  /** The run once it has its permit and a slot of the trace gate; ended without running when stopped before. */
  private async admitted(job: LiveRun): Promise<RunOutcome> {
    const { signal } = job.stop;
    const before = (): Promise<RunOutcome> => this.endUnstarted(job);
    if (this.stopping || signal.aborted) return before();
    const permit = await this.permit(signal);
    if (permit === undefined) return before();
    try {
      for (;;) {
        try {
          const outcome = await this.gate.run(() => {
            job.startedAt = this.now();
            job.progress = { ...job.progress, phase: 'tracing' };
            void this.saveProgress(job);
            return executeRun(job.id, job.params, {
              maxContacts: this.limits.maxContacts,
              signal,
              now: this.now,
              followUpF2: job.followUpF2,
              onProgress: (p) => (job.progress = p),
              contactsLater: true,
            });
          }, signal);
          // The run is answered; its CONTACT relationships (minutes at 10M passages) are written
          // out of the trace gate, so single traces keep its slot, but still under the run's permit.
          if (outcome.status === 'done' && outcome.writeContacts) return { ...outcome, graph: await outcome.writeContacts() };
          return outcome;
        } catch (e) {
          if (signal.aborted) return before();
          if (!(e instanceof HttpError && e.status === 503)) throw e;
          // The gate is full: stay queued and try again when it says.
          await sleep(Math.max(1, e.retryAfterSeconds ?? 1) * 1000, undefined, { signal }).catch(() => undefined);
          if (signal.aborted) return before();
        }
      }
    } finally {
      permit.release();
    }
  }

  /** A run stopped before it traced: cancelled by its owner, or failed because the server stops. */
  private async endUnstarted(job: LiveRun): Promise<RunOutcome> {
    const reason: unknown = job.stop.signal.reason;
    const cancelled = job.stop.signal.aborted && !(reason instanceof Error && (reason as { code?: string }).code === 'unavailable');
    const error = cancelled ? 'cancelled by its owner' : STOPPED;
    await abandonRun(job.id, cancelled ? 'cancelled' : 'failed', error, this.now());
    return cancelled ? { status: 'cancelled', error } : { status: 'failed', error, code: 'unavailable' };
  }

  /** The server-wide permit of outbreak runs; undefined when stopped while waiting for it. */
  private async permit(signal: AbortSignal): Promise<PermitRequest | undefined> {
    const request = this.permits.request();
    const aborted = new Promise<'aborted'>((r) => (signal.aborted ? r('aborted') : signal.addEventListener('abort', () => r('aborted'), { once: true })));
    const answer = await Promise.race([request.answer, aborted]);
    if (answer === 'aborted' || !answer.granted) {
      request.release();
      return undefined;
    }
    return request;
  }

  /** Writes the run's progress and hears whether its owner asked it to stop (through any process). */
  private async saveProgress(job: LiveRun): Promise<void> {
    if (job.stop.signal.aborted) return;
    try {
      if (await saveProgress(job.id, job.progress, job.startedAt || this.now())) job.stop.abort(conflict('cancelled by its owner'));
    } catch (e) {
      this.logger.warn({ run: job.id, type: (e as Error).name }, 'could not keep an outbreak run’s progress in the graph');
    }
  }
}
