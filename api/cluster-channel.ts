import cluster from 'node:cluster';

/**
 * node:cluster's message channels, as the pieces shared between the workers of `serve --workers N`
 * use them (api/shared-request-limit.ts, api/shared-permits.ts, api/cluster-status.ts). Each
 * piece takes these as parameters, so its tests carry the messages themselves.
 */

/** A worker's line to its primary. */
export interface ToPrimary<M> {
  /** Throws when there is no primary to send to any more (the worker is being stopped). */
  readonly send: (m: M) => void;
  readonly onMessage: (listener: (m: unknown) => void) => void;
}

/** The primary's lines to its workers, by node:cluster's worker id. */
export interface ToWorkers<M> {
  /** The workers still connected. */
  readonly workers: () => number[];
  /** Throws when that worker is gone (it has just died: the primary replaces it). */
  readonly send: (worker: number, m: M) => void;
  readonly onMessage: (listener: (worker: number, m: unknown) => void) => void;
  readonly onExit: (listener: (worker: number) => void) => void;
}

export function toPrimary<M extends object>(): ToPrimary<M> {
  return {
    send: (m) => {
      if (process.send === undefined || !process.connected) throw new Error('no primary');
      process.send(m);
    },
    onMessage: (listener) => process.on('message', listener),
  };
}

export function toWorkers<M extends object>(): ToWorkers<M> {
  return {
    workers: () =>
      Object.values(cluster.workers ?? {})
        .filter((w) => w !== undefined && w.isConnected())
        .map((w) => w!.id),
    send: (id, m) => {
      const w = cluster.workers?.[id];
      if (w === undefined || !w.isConnected()) throw new Error('no such worker');
      w.send(m);
    },
    onMessage: (listener) => cluster.on('message', (w, m) => listener(w.id, m)),
    onExit: (listener) => cluster.on('exit', (w) => listener(w.id)),
  };
}
