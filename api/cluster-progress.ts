import { toPrimary, toWorkers, type ToPrimary, type ToWorkers } from './cluster-channel';
import type { CancelOutcome, LocalProgressBoard, ProgressBoard, ProgressView } from './trace-progress';

/**
 * The progress board (api/trace-progress.ts) with `serve --workers N`: a trace runs in the worker
 * that received its POST, but the tracer's poll or cancel may reach any worker. A worker answers
 * from its own board when it holds the trace; else it asks the primary, which asks every worker
 * and replies with the first that holds it (or "unknown" once all have answered, or after
 * `answerMs`). Nothing is kept in the primary: the boards stay where the traces run. Only the
 * owner's username and the client's random progressId travel, never personal data.
 */

const TAG = 'truyvet-progress';

type Op = 'read' | 'cancel';
type Result = ProgressView | CancelOutcome | null;

/** Worker → primary: does anyone hold this trace? */
interface Query {
  readonly tag: typeof TAG;
  readonly query: number;
  readonly op: Op;
  readonly owner: string;
  readonly id: string;
}
/** Primary → worker: do you? */
interface Ask {
  readonly tag: typeof TAG;
  readonly ask: number;
  readonly op: Op;
  readonly owner: string;
  readonly id: string;
}
/** Worker → primary: what my board says (null or 'unknown': not here). */
interface Answer {
  readonly tag: typeof TAG;
  readonly answer: number;
  readonly result: Result;
}
/** Primary → the asking worker: the holder's answer, or not found. */
interface Reply {
  readonly tag: typeof TAG;
  readonly reply: number;
  readonly result: Result;
}

const tagged = (m: unknown): m is Record<string, unknown> => (m as { tag?: unknown } | null)?.tag === TAG;
const found = (r: Result): boolean => r !== null && r !== 'unknown';
const isOp = (v: unknown): v is Op => v === 'read' || v === 'cancel';

export type ProgressWorkerChannel = ToPrimary<Query | Answer>;

/** The worker's side: its own board, asking the others through the primary when a trace is not here. */
export function clusterProgressBoard(local: LocalProgressBoard, channel: ProgressWorkerChannel = toPrimary(), replyMs = 2_000): ProgressBoard {
  let next = 0;
  const waiting = new Map<number, (r: Result) => void>();
  const trySend = (m: Query | Answer): boolean => {
    try {
      channel.send(m);
      return true;
    } catch {
      // No primary any more: this worker is being stopped.
      return false;
    }
  };
  const here = (op: Op, owner: string, id: string): Result => (op === 'read' ? (local.read(owner, id) ?? null) : local.cancel(owner, id));
  channel.onMessage((m) => {
    if (!tagged(m)) return;
    if (typeof m['ask'] === 'number' && isOp(m['op']) && typeof m['owner'] === 'string' && typeof m['id'] === 'string') {
      trySend({ tag: TAG, answer: m['ask'], result: here(m['op'], m['owner'], m['id']) });
    } else if (typeof m['reply'] === 'number') {
      waiting.get(m['reply'])?.((m as unknown as Reply).result);
    }
  });
  const elsewhere = (op: Op, owner: string, id: string): Promise<Result> =>
    new Promise<Result>((resolve) => {
      const query = next++;
      const done = (r: Result) => {
        clearTimeout(timer);
        waiting.delete(query);
        resolve(r);
      };
      // No answer in time: as if no worker held it (the client polls again).
      const timer = setTimeout(() => done(null), replyMs);
      waiting.set(query, done);
      if (!trySend({ tag: TAG, query, op, owner, id })) done(null);
    });
  return {
    begin: (owner, id, tolerances) => local.begin(owner, id, tolerances),
    async read(owner, id) {
      const mine = local.read(owner, id);
      if (mine !== undefined) return mine;
      const r = await elsewhere('read', owner, id);
      return r !== null && typeof r === 'object' ? r : undefined;
    },
    async cancel(owner, id) {
      const mine = local.cancel(owner, id);
      if (mine !== 'unknown') return mine;
      const r = await elsewhere('cancel', owner, id);
      return typeof r === 'string' ? r : 'unknown';
    },
  };
}

export type ProgressPrimaryChannel = Pick<ToWorkers<Ask | Reply>, 'send' | 'onMessage' | 'workers'>;

/** The primary's side: passes a worker's question to every worker and the holder's answer back. */
export function relayProgress(channel: ProgressPrimaryChannel = toWorkers(), answerMs = 1_000): void {
  let next = 0;
  const rounds = new Map<number, { readonly expected: number[]; readonly answered: Set<number>; readonly finish: (r: Result) => void }>();
  const trySend = (worker: number, m: Ask | Reply) => {
    try {
      channel.send(worker, m);
    } catch {
      // A worker that has just died holds no trace any more.
    }
  };
  channel.onMessage((from, m) => {
    if (!tagged(m)) return;
    if (typeof m['answer'] === 'number') {
      const round = rounds.get(m['answer']);
      if (round === undefined) return;
      round.answered.add(from);
      const result = (m as unknown as Answer).result;
      if (found(result)) round.finish(result);
      else if (round.expected.every((w) => round.answered.has(w))) round.finish(result);
      return;
    }
    if (typeof m['query'] !== 'number' || !isOp(m['op']) || typeof m['owner'] !== 'string' || typeof m['id'] !== 'string') return;
    const query = m['query'];
    const op = m['op'];
    const ask = next++;
    const expected = channel.workers();
    const finish = (r: Result) => {
      if (!rounds.delete(ask)) return;
      clearTimeout(timer);
      trySend(from, { tag: TAG, reply: query, result: found(r) ? r : op === 'read' ? null : 'unknown' });
    };
    const timer = setTimeout(() => finish(null), answerMs);
    rounds.set(ask, { expected, answered: new Set(), finish });
    if (expected.length === 0) finish(null);
    for (const w of expected) trySend(w, { tag: TAG, ask, op, owner: m['owner'], id: m['id'] });
  });
}
