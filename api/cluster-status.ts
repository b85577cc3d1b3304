import cluster from 'node:cluster';
import { toPrimary, toWorkers, type ToPrimary, type ToWorkers } from './cluster-channel';

/**
 * `GET /api/status` with `serve --workers N`: the answering worker asks the primary, the primary
 * asks every worker for its own figures and answers with all of them. A worker that does not
 * answer within `answerMs` (stuck in a long synchronous step, or just dying) is listed as such:
 * the operator sees it instead of waiting for it.
 */

const TAG = 'truyvet-status';

/** One process's figures, as api/handlers/status.ts reads them. */
export interface ProcessFigures {
  readonly pid: number;
  readonly uptimeSeconds: number;
  readonly memory: { readonly rssMB: number; readonly heapUsedMB: number };
  readonly traces: { readonly running: number; readonly waiting: number; readonly refused: number };
}

export type WorkerFigures = { readonly index: number; readonly answered: true } & ProcessFigures;
export type WorkerSilent = { readonly index: number; readonly pid: number; readonly answered: false };
export type WorkerStatus = WorkerFigures | WorkerSilent;

/** Worker → primary: who is asking. */
interface Query {
  readonly tag: typeof TAG;
  readonly query: number;
}
/** Primary → worker: tell me your figures. */
interface Ask {
  readonly tag: typeof TAG;
  readonly ask: number;
}
/** Worker → primary: my figures. */
interface Answer {
  readonly tag: typeof TAG;
  readonly answer: number;
  readonly figures: ProcessFigures;
}
/** Primary → the asking worker: everyone's. */
interface Reply {
  readonly tag: typeof TAG;
  readonly reply: number;
  readonly workers: WorkerStatus[];
}

const tagged = (m: unknown): m is Record<string, unknown> => (m as { tag?: unknown } | null)?.tag === TAG;

export type StatusWorkerChannel = ToPrimary<Query | Answer>;

/**
 * The worker's side: answers the primary's asks with `figures()`, and returns the function that
 * asks for every worker's (rejecting after `replyMs` if the primary does not reply).
 */
export function statusOfWorkers(
  figures: () => ProcessFigures,
  channel: StatusWorkerChannel = toPrimary(),
  replyMs = 3_000,
): () => Promise<WorkerStatus[]> {
  let next = 0;
  const waiting = new Map<number, (workers: WorkerStatus[]) => void>();
  const trySend = (m: Query | Answer): boolean => {
    try {
      channel.send(m);
      return true;
    } catch {
      // No primary any more: this worker is being stopped.
      return false;
    }
  };
  channel.onMessage((m) => {
    if (!tagged(m)) return;
    if (typeof m['ask'] === 'number') trySend({ tag: TAG, answer: m['ask'], figures: figures() });
    else if (typeof m['reply'] === 'number') waiting.get(m['reply'])?.((m as unknown as Reply).workers);
  });
  return () =>
    new Promise<WorkerStatus[]>((resolve, reject) => {
      const query = next++;
      const timer = setTimeout(() => {
        waiting.delete(query);
        reject(new Error('the primary did not answer'));
      }, replyMs);
      waiting.set(query, (workers) => {
        clearTimeout(timer);
        waiting.delete(query);
        resolve(workers);
      });
      if (!trySend({ tag: TAG, query })) {
        clearTimeout(timer);
        waiting.delete(query);
        reject(new Error('no primary to ask'));
      }
    });
}

export interface LiveWorker {
  readonly id: number;
  readonly index: number;
  readonly pid: number;
}

export type StatusPrimaryChannel = Pick<ToWorkers<Ask | Reply>, 'send' | 'onMessage'> & { readonly workers: () => LiveWorker[] };

/** The primary's side: gathers every live worker's figures for the worker that asked. */
export function gatherWorkerStatus(channel: StatusPrimaryChannel, answerMs = 1_000): void {
  let next = 0;
  const rounds = new Map<number, { readonly expected: LiveWorker[]; readonly got: Map<number, ProcessFigures>; readonly done: () => void }>();
  const trySend = (id: number, m: Ask | Reply) => {
    try {
      channel.send(id, m);
    } catch {
      // A worker that has just died: it shows as silent, and the primary replaces it.
    }
  };
  channel.onMessage((from, m) => {
    if (!tagged(m)) return;
    if (typeof m['answer'] === 'number') {
      const round = rounds.get(m['answer']);
      if (round === undefined) return;
      round.got.set(from, (m as unknown as Answer).figures);
      if (round.expected.every((w) => round.got.has(w.id))) round.done();
      return;
    }
    if (typeof m['query'] !== 'number') return;
    const query = m['query'];
    const ask = next++;
    const expected = channel.workers();
    const got = new Map<number, ProcessFigures>();
    const done = () => {
      clearTimeout(timer);
      rounds.delete(ask);
      const workers: WorkerStatus[] = expected
        .map((w): WorkerStatus => {
          const f = got.get(w.id);
          return f === undefined ? { index: w.index, pid: w.pid, answered: false } : { index: w.index, answered: true, ...f };
        })
        .sort((a, b) => a.index - b.index);
      trySend(from, { tag: TAG, reply: query, workers });
    };
    const timer = setTimeout(done, answerMs);
    rounds.set(ask, { expected, got, done });
    for (const w of expected) trySend(w.id, { tag: TAG, ask });
  });
}

/** node:cluster's channel, for api/cluster.ts: `indexOf` names a worker's place. */
export function clusterStatusChannel(indexOf: (id: number) => number | undefined): StatusPrimaryChannel {
  const channel = toWorkers<Ask | Reply>();
  return {
    workers: () =>
      channel.workers().flatMap((id) => {
        const index = indexOf(id);
        const pid = cluster.workers?.[id]?.process.pid;
        return index === undefined || pid === undefined ? [] : [{ id, index, pid }];
      }),
    send: channel.send,
    onMessage: channel.onMessage,
  };
}
