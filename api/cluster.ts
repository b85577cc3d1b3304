import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { ClusterMemoryStorePrimary } from '@express-rate-limit/cluster-memory-store';
import { envText } from '../engine/config';
import { closeDriver, migrate } from '../engine/db';
import type { Logger } from '../engine/logger';
import { clusterStatusChannel, gatherWorkerStatus } from './cluster-status';
import { relayProgress } from './cluster-progress';
import { ensureFirstAdmin, warnCollisions } from './main';
import type { ApiSettings } from './settings';
import { SharedPermitsHub } from './shared-permits';
import { SharedRequestLimitHub } from './shared-request-limit';

/**
 * `truyvet serve --workers N`: N server processes behind one port (node:cluster). One process
 * runs the API on one thread, and a checkpoint rush keeps that thread busy while the machine's
 * other cores wait (docs/benchmarks.md, "Scans, API and trace pages"); workers use them.
 *
 * The primary migrates the schema and makes the first admin once, forks the workers (each runs
 * the whole app: api/main.ts `serve` with `worker` set), prints the address once they all listen,
 * starts a new worker for one that dies, and on SIGTERM/SIGINT stops them all gracefully. What
 * lives in the graph is shared as it is with one process: accounts, lockouts, the audit chain
 * (appends lock its head), traces, import jobs (named by the server run the workers share and
 * the worker's pid, so none takes a live one's running job for a cut-off one). The per-client
 * limits are counted for all workers in the primary: login attempts and declarations before each
 * is answered, the general request limit in batches every 100 ms (api/shared-request-limit.ts);
 * login lockouts live in the graph. `GET /api/status` gathers every worker's figures through the
 * primary (api/cluster-status.ts), and a running trace's progress and cancel through it
 * (api/cluster-progress.ts). The trace gate's and the import queue's permits are counted
 * in the primary too (api/shared-permits.ts): TRUYVET_TRACE_CONCURRENCY traces and one import at
 * a time for the whole server. What lives in a process is per worker: the scan batches, and the
 * upload and job of each import (queued in the worker that received it). Worker 1 alone runs the daily
 * purge. Every worker, as it starts, takes up the imports of processes that are gone (each job is
 * claimed once): the worker that replaces a dead one resumes the import that one was running.
 */

export const WORKER_INDEX_ENV = 'TRUYVET_WORKER_INDEX';
export const SERVER_RUN_ENV = 'TRUYVET_SERVER_RUN';

/** The worker's place in the cluster, when this process is a worker of `serve --workers`. */
export function workerRole(): { index: number; serverRun: string } | undefined {
  if (!cluster.isWorker) return undefined;
  const index = Number(envText(WORKER_INDEX_ENV));
  const serverRun = envText(SERVER_RUN_ENV);
  if (!Number.isInteger(index) || index < 1 || serverRun === undefined) return undefined;
  return { index, serverRun };
}

export interface ClusterOptions {
  readonly workers: number;
  readonly settings: ApiSettings;
  readonly logger: Logger;
}

export interface RunningCluster {
  /** Resolves with the URL once every worker listens. */
  readonly url: Promise<string>;
  /** Resolves once every worker has stopped. */
  readonly closed: Promise<void>;
  readonly stop: () => Promise<void>;
}

/** A worker that dies this soon after it started counts towards a crash loop. */
const EARLY_MS = 10_000;
/** Early deaths in a row after which the primary gives up and stops the rest. */
const MAX_EARLY_DEATHS = 5;

export async function serveCluster(o: ClusterOptions): Promise<RunningCluster> {
  const { logger, settings } = o;
  warnCollisions(logger, await migrate((building) => logger.info({ building }, 'building indexes before serving')));
  await ensureFirstAdmin(logger, settings.auditChain);
  // The workers open their own drivers; the primary's is done.
  await closeDriver();
  // Counts the per-route limits (login attempts, declarations) of all workers in one place.
  new ClusterMemoryStorePrimary().init();
  // Sums the general per-client request limit's counts, which the workers send in batches.
  const requestLimits = new SharedRequestLimitHub().start();
  // Traces, imports and outbreak runs admitted for the whole server, not per worker.
  new SharedPermitsHub({ traces: { concurrency: settings.traceConcurrency, queue: settings.traceQueue }, imports: { concurrency: 1 }, outbreaks: { concurrency: 1 } });
  const serverRun = randomBytes(9).toString('base64url');
  let stopping = false;
  let earlyDeaths = 0;
  const started = new Map<Worker, { index: number; at: number }>();
  // Answers `GET /api/status` with every worker's figures.
  gatherWorkerStatus(clusterStatusChannel((id) => [...started].find(([w]) => w.id === id)?.[1].index));
  // Passes a tracer's progress poll or cancel to the worker that runs the trace (api/cluster-progress.ts).
  relayProgress();
  let resolveUrl: (u: string) => void = () => undefined;
  let rejectUrl: (e: Error) => void = () => undefined;
  const url = new Promise<string>((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  url.catch(() => undefined);
  const listening = new Set<number>();
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  void closed.then(() => requestLimits.stop());

  const fork = (index: number): void => {
    const w = cluster.fork({ [WORKER_INDEX_ENV]: String(index), [SERVER_RUN_ENV]: serverRun });
    started.set(w, { index, at: Date.now() });
  };
  cluster.on('listening', (w, address) => {
    const me = started.get(w);
    if (me === undefined) return;
    listening.add(me.index);
    if (listening.size === o.workers) {
      const host = address.address === undefined || address.address === null ? '127.0.0.1' : String(address.address);
      resolveUrl(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
    }
  });
  cluster.on('exit', (w, code, signal) => {
    const me = started.get(w);
    started.delete(w);
    if (me === undefined) return;
    // Stopping, or a worker that stopped gracefully (Ctrl-C reaches every process of the
    // terminal's group before the primary says so): not replaced.
    if (stopping || (code === 0 && signal === null)) {
      if (started.size === 0) {
        stopping = true;
        resolveClosed();
      }
      return;
    }
    earlyDeaths = Date.now() - me.at < EARLY_MS ? earlyDeaths + 1 : 0;
    logger.error({ worker: me.index, code, signal }, 'a worker stopped; starting another');
    if (earlyDeaths >= MAX_EARLY_DEATHS) {
      logger.error({ deaths: earlyDeaths }, 'workers keep dying at start; stopping the server');
      rejectUrl(new Error('the workers keep dying at start: see the log'));
      void stop();
      return;
    }
    fork(me.index);
  });

  const stop = (): Promise<void> => {
    if (!stopping) {
      stopping = true;
      logger.info('shutting down the workers');
      if (started.size === 0) resolveClosed();
      // Each worker stops as `serve` does alone: in-flight requests, scans and an import's batch finish.
      for (const w of started.keys()) w.process.kill('SIGTERM');
    }
    return closed;
  };

  for (let i = 1; i <= o.workers; i++) fork(i);
  return { url, closed, stop };
}
