import type { Options } from 'express-rate-limit';
import { SharedRequestLimitHub, SharedRequestLimitStore, type PrimaryChannel, type WorkerChannel } from './shared-request-limit';

/**
 * The batched request limit of `serve --workers N`, with the primary and its workers in one
 * process: messages are queued as node:cluster would carry them and delivered when a test says.
 */

const WINDOW = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % WINDOW) + 5_000; // 5 s into a window

class Wires {
  clock = T0;
  private readonly toPrimary: [number, unknown][] = [];
  private readonly toWorker = new Map<number, unknown[]>();
  private primaryListener: (w: number, m: unknown) => void = () => undefined;
  private readonly workerListeners = new Map<number, (m: unknown) => void>();
  readonly dead = new Set<number>();
  readonly hub: SharedRequestLimitHub;

  constructor() {
    const primary: PrimaryChannel = {
      // As node:cluster may, it lists a worker whose channel has just closed.
      workers: () => [...this.workerListeners.keys()],
      send: (w, m) => {
        if (this.dead.has(w)) throw new Error('channel closed');
        this.toWorker.get(w)!.push(m);
      },
      onMessage: (l) => (this.primaryListener = l),
    };
    this.hub = new SharedRequestLimitHub(primary);
  }

  worker(id: number): SharedRequestLimitStore {
    this.toWorker.set(id, []);
    const channel: WorkerChannel = {
      send: (m) => this.toPrimary.push([id, m]),
      onMessage: (l) => this.workerListeners.set(id, l),
    };
    const store = new SharedRequestLimitStore(channel, () => this.clock);
    store.init({ windowMs: WINDOW } as Options);
    store.shutdown(); // the tests sync by hand
    return store;
  }

  /** Delivers what the workers sent, lets the hub publish, and delivers that. */
  exchange(...stores: SharedRequestLimitStore[]): void {
    for (const s of stores) s.sync();
    for (const [w, m] of this.toPrimary.splice(0)) this.primaryListener(w, m);
    this.hub.publish();
    for (const [w, queue] of this.toWorker) for (const m of queue.splice(0)) this.workerListeners.get(w)!(m);
  }

  /** Sends a message to the hub as if a worker had, e.g. one that arrives late. */
  deliverRaw(worker: number, m: unknown): void {
    this.primaryListener(worker, m);
  }
}

const hitsOf = (s: SharedRequestLimitStore, key: string, times: number): number => {
  let last = 0;
  for (let i = 0; i < times; i++) last = s.increment(key).totalHits;
  return last;
};

it('counts one worker exactly, in windows aligned to the clock', () => {
  const w = new Wires();
  const a = w.worker(1);
  expect(hitsOf(a, 'k', 3)).toBe(3);
  expect(a.increment('k').resetTime).toEqual(new Date(T0 - 5_000 + WINDOW));
  expect(a.increment('other').totalHits).toBe(1);
  w.clock = T0 - 5_000 + WINDOW; // the next window starts
  expect(a.increment('k')).toEqual({ totalHits: 1, resetTime: new Date(T0 - 5_000 + 2 * WINDOW) });
});

it("adds the other workers' hits once they have synced, never a worker's own twice", () => {
  const w = new Wires();
  const a = w.worker(1);
  const b = w.worker(2);
  hitsOf(a, 'k', 5);
  // Before a sync, b knows only its own hits.
  expect(b.increment('k').totalHits).toBe(1);
  w.exchange(a, b);
  expect(b.increment('k').totalHits).toBe(7); // 5 of a + 2 of its own
  expect(a.increment('k').totalHits).toBe(6 + 1); // its own 6 + b's 1 synced (b's second not yet)
  w.exchange(a, b);
  expect(a.increment('k').totalHits).toBe(7 + 2);
  expect(b.increment('k').totalHits).toBe(3 + 6); // a's seventh is not synced yet
  // Other clients are counted apart.
  expect(b.increment('someone else').totalHits).toBe(1);
});

it('refuses a client spread over two workers at the limit, not at twice the limit', () => {
  const w = new Wires();
  const workers = [w.worker(1), w.worker(2)];
  const limit = 100;
  let allowed = 0;
  for (let i = 0; i < 400; i++) {
    // Round robin, a sync every 10 requests: at most the other worker's last 5 are unknown.
    if (workers[i % 2]!.increment('k').totalHits <= limit) allowed++;
    if (i % 10 === 9) w.exchange(...workers);
  }
  expect(allowed).toBeGreaterThanOrEqual(limit);
  expect(allowed).toBeLessThanOrEqual(limit + 5);
});

it('starts every window afresh and drops counts of a window that has ended', () => {
  const w = new Wires();
  const a = w.worker(1);
  const b = w.worker(2);
  hitsOf(a, 'k', 4);
  w.clock += WINDOW; // a's unsent hits belong to the ended window
  w.exchange(a, b);
  expect(b.increment('k').totalHits).toBe(1);
  w.exchange(a, b);
  expect(a.increment('k').totalHits).toBe(2);
  // A count of the previous window reaching the hub late changes nothing.
  const window = Math.floor(w.clock / WINDOW);
  w.deliverRaw(1, { tag: 'truyvet-request-limit', window: window - 1, hits: [['k', 50]] });
  w.exchange(a, b);
  expect(b.increment('k').totalHits).toBe(2 + 1); // its own 2, a's 1; not a's late 50
});

it('shares decrements, and clamps a worker at zero', () => {
  const w = new Wires();
  const a = w.worker(1);
  const b = w.worker(2);
  hitsOf(a, 'k', 3);
  a.decrement('k');
  a.decrement('never seen');
  w.exchange(a, b);
  expect(b.increment('k').totalHits).toBe(2 + 1);
  a.resetKey('k');
  expect(a.increment('k').totalHits).toBe(1);
  w.exchange(a, b);
  // a's reset took its 2 earlier hits out of the shared count: b sees a's 1 new hit and its own 2.
  expect(b.increment('k').totalHits).toBe(1 + 2);
});

it("counts a dead worker's hits for the worker that replaces it, and skips a closed channel", () => {
  const w = new Wires();
  const a = w.worker(1);
  const b = w.worker(2);
  hitsOf(a, 'k', 6);
  w.exchange(a, b);
  w.dead.add(1);
  const c = w.worker(3);
  hitsOf(b, 'k', 1);
  // Sending to the dead worker throws; the hub still reaches b and c, and c learns of a's 6 once the key changes.
  w.exchange(b, c);
  expect(c.increment('k').totalHits).toBe(6 + 1 + 1);
  expect(b.increment('k').totalHits).toBe(2 + 6);
});

it('sends nothing when nothing was counted', () => {
  const sent: unknown[] = [];
  const store = new SharedRequestLimitStore({ send: (m) => sent.push(m), onMessage: () => undefined }, () => T0);
  store.init({ windowMs: WINDOW } as Options);
  store.shutdown();
  store.sync();
  expect(sent).toEqual([]);
  store.increment('k');
  store.increment('k');
  store.sync();
  store.sync();
  expect(sent).toEqual([{ tag: 'truyvet-request-limit', window: Math.floor(T0 / WINDOW), hits: [['k', 2]] }]);
});
