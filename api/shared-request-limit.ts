import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { toPrimary, toWorkers, type ToPrimary, type ToWorkers } from './cluster-channel';

/**
 * The general per-client request limit, counted for all workers of `serve --workers N` without a
 * round trip per request. Asking the primary on every request (as the login limit does) cost 7–17 %
 * of the scans/s (docs/benchmarks.md, "What was tried"); here each worker counts its own hits in memory, sends
 * what it counted to the primary every `syncMs`, and the primary sends each worker what the
 * others counted. A client is refused once its own worker's hits plus the others' last known hits
 * pass the limit: exact for what one worker sees, and the others' hits arrive within about two
 * sync periods — a client spread over N workers gets at most the limit plus what it sent to the
 * other workers in that lag (instead of N times the limit).
 *
 * Windows are fixed and aligned to the clock (all processes run on one machine, so they agree on
 * which minute it is): a worker's count of an older window is dropped wherever it arrives.
 */

const TAG = 'truyvet-request-limit';

/** Worker → primary: hits counted since the last sync, by key. */
interface Counted {
  readonly tag: typeof TAG;
  readonly window: number;
  readonly hits: [string, number][];
}
/** Primary → worker: each changed key's hits counted by the other workers. */
interface Others {
  readonly tag: typeof TAG;
  readonly window: number;
  readonly others: [string, number][];
}

const isCounted = (m: unknown): m is Counted => (m as Counted | null)?.tag === TAG && Array.isArray((m as Counted).hits);
const isOthers = (m: unknown): m is Others => (m as Others | null)?.tag === TAG && Array.isArray((m as Others).others);

export const DEFAULT_SYNC_MS = 100;

export type WorkerChannel = ToPrimary<Counted>;

export class SharedRequestLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private window = -1;
  private readonly own = new Map<string, number>();
  private readonly others = new Map<string, number>();
  private readonly unsent = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: WorkerChannel = toPrimary(),
    private readonly now: () => number = Date.now,
    private readonly syncMs = DEFAULT_SYNC_MS,
  ) {
    channel.onMessage((m) => {
      if (!isOthers(m)) return;
      this.roll(m.window);
      if (m.window !== this.window) return;
      for (const [key, n] of m.others) this.others.set(key, n);
    });
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.timer = setInterval(() => this.sync(), this.syncMs);
    this.timer.unref();
  }

  increment(key: string): ClientRateLimitInfo {
    this.roll(Math.floor(this.now() / this.windowMs));
    const own = (this.own.get(key) ?? 0) + 1;
    this.own.set(key, own);
    this.unsent.set(key, (this.unsent.get(key) ?? 0) + 1);
    return { totalHits: own + (this.others.get(key) ?? 0), resetTime: new Date((this.window + 1) * this.windowMs) };
  }

  decrement(key: string): void {
    const own = this.own.get(key);
    if (own === undefined || own === 0) return;
    this.own.set(key, own - 1);
    this.unsent.set(key, (this.unsent.get(key) ?? 0) - 1);
  }

  /** Forgets this worker's view of the key; what the other workers counted comes back at their next sync. */
  resetKey(key: string): void {
    const own = this.own.get(key) ?? 0;
    if (own > 0) this.unsent.set(key, (this.unsent.get(key) ?? 0) - own);
    this.own.delete(key);
    this.others.delete(key);
  }

  shutdown(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Sends the hits counted since the last sync (called every `syncMs`; tests call it directly). */
  sync(): void {
    this.roll(Math.floor(this.now() / this.windowMs));
    if (this.unsent.size === 0) return;
    const hits = [...this.unsent];
    this.unsent.clear();
    try {
      this.channel.send({ tag: TAG, window: this.window, hits });
    } catch {
      // The primary is gone (the worker is stopping): nothing left to share with.
    }
  }

  private roll(window: number): void {
    if (window <= this.window) return;
    this.window = window;
    this.own.clear();
    this.others.clear();
    this.unsent.clear();
  }
}

export type PrimaryChannel = Pick<ToWorkers<Others>, 'workers' | 'send' | 'onMessage'>;

/** The primary's side: sums the workers' hits of the current window and sends each the others'. */
export class SharedRequestLimitHub {
  private window = -1;
  /** key → hits by worker id. */
  private readonly hits = new Map<string, Map<number, number>>();
  private readonly changed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: PrimaryChannel = toWorkers(),
    private readonly syncMs = DEFAULT_SYNC_MS,
  ) {
    channel.onMessage((worker, m) => {
      if (!isCounted(m) || m.window < this.window) return;
      if (m.window > this.window) {
        this.window = m.window;
        this.hits.clear();
        this.changed.clear();
      }
      for (const [key, n] of m.hits) {
        let byWorker = this.hits.get(key);
        if (byWorker === undefined) this.hits.set(key, (byWorker = new Map<number, number>()));
        byWorker.set(worker, Math.max(0, (byWorker.get(worker) ?? 0) + n));
        this.changed.add(key);
      }
    });
  }

  start(): this {
    this.timer = setInterval(() => this.publish(), this.syncMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Sends every worker the others' hits of the keys that changed since the last publish. */
  publish(): void {
    if (this.changed.size === 0) return;
    const keys = [...this.changed];
    this.changed.clear();
    for (const w of this.channel.workers()) {
      const others: [string, number][] = keys.map((key) => {
        let sum = 0;
        for (const [from, n] of this.hits.get(key)!) if (from !== w) sum += n;
        return [key, sum];
      });
      try {
        this.channel.send(w, { tag: TAG, window: this.window, others });
      } catch {
        // A worker that has just died: the primary replaces it, and the new one starts from the next publish.
      }
    }
  }
}
