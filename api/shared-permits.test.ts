import { localPermits, type PermitAnswer, type Permits } from './permits';
import { SharedPermits, SharedPermitsHub, type GateLimits, type PrimaryChannel, type WorkerChannel } from './shared-permits';
import { createTraceGate } from './trace-gate';
import { HttpError } from './errors';

/**
 * Permits first come, first served: in one process (localPermits), and for the workers of
 * `serve --workers N` in the primary (SharedPermitsHub), with the primary and its workers in one
 * process: messages wait in queues, as node:cluster carries them, until a test delivers them.
 */

class Wires {
  private readonly toPrimary: [number, unknown][] = [];
  private readonly toWorker: [number, unknown][] = [];
  private primaryListener: (w: number, m: unknown) => void = () => undefined;
  private exitListener: (w: number) => void = () => undefined;
  private readonly workerListeners = new Map<number, ((m: unknown) => void)[]>();
  readonly dead = new Set<number>();
  readonly hub: SharedPermitsHub;

  constructor(gates: Record<string, GateLimits>) {
    const primary: PrimaryChannel = {
      send: (w, m) => {
        if (this.dead.has(w)) throw new Error('channel closed');
        this.toWorker.push([w, m]);
      },
      onMessage: (l) => (this.primaryListener = l),
      onExit: (l) => (this.exitListener = l),
    };
    this.hub = new SharedPermitsHub(gates, primary);
  }

  worker(id: number, gate: string): SharedPermits {
    const channel: WorkerChannel = {
      send: (m) => {
        if (this.dead.has(id)) throw new Error('channel closed');
        this.toPrimary.push([id, m]);
      },
      onMessage: (l) => this.workerListeners.set(id, [...(this.workerListeners.get(id) ?? []), l]),
    };
    return new SharedPermits(gate, channel);
  }

  /** Delivers every message both ways until none is left, then lets promise callbacks run. */
  async flush(): Promise<void> {
    while (this.toPrimary.length + this.toWorker.length > 0) {
      for (const [w, m] of this.toPrimary.splice(0)) this.primaryListener(w, m);
      for (const [w, m] of this.toWorker.splice(0)) if (!this.dead.has(w)) for (const l of this.workerListeners.get(w) ?? []) l(m);
      await ticks();
    }
    await ticks();
  }

  /** Delivers only what the workers sent so far (the answers stay on their way). */
  deliverToPrimary(): void {
    for (const [w, m] of this.toPrimary.splice(0)) this.primaryListener(w, m);
  }

  kill(id: number): void {
    this.dead.add(id);
    this.exitListener(id);
  }
}

const ticks = () => new Promise((r) => setImmediate(r));

/** The answer if it has come, else 'pending'. */
async function state(answer: Promise<PermitAnswer>): Promise<PermitAnswer | 'pending'> {
  return Promise.race([answer, ticks().then(() => 'pending' as const)]);
}

describe('local permits', () => {
  test('grants `concurrency` at once, queues the next in order, refuses beyond the queue', async () => {
    const p: Permits = localPermits(2, 1);
    const [a, b, c, d] = [p.request(), p.request(), p.request(), p.request()];
    expect(await state(a.answer)).toEqual({ granted: true });
    expect(await state(b.answer)).toEqual({ granted: true });
    expect(await state(c.answer)).toBe('pending');
    expect(await state(d.answer)).toEqual({ granted: false, waiting: 1 });
    b.release();
    b.release(); // twice gives back one permit only
    expect(await state(c.answer)).toEqual({ granted: true });
    const e = p.request();
    expect(await state(e.answer)).toBe('pending');
    e.release(); // gives up waiting: never granted, and its place is free
    const f = p.request();
    a.release();
    expect(await state(e.answer)).toBe('pending');
    expect(await state(f.answer)).toEqual({ granted: true });
  });
});

describe('permits shared by the workers through the primary', () => {
  test('counts the permits of all workers together and grants them first come, first served', async () => {
    const wires = new Wires({ traces: { concurrency: 2, queue: 10 } });
    const w1 = wires.worker(1, 'traces');
    const w2 = wires.worker(2, 'traces');
    const a = w1.request();
    const b = w2.request();
    const c = w2.request();
    const d = w1.request();
    await wires.flush();
    expect(await state(a.answer)).toEqual({ granted: true });
    expect(await state(b.answer)).toEqual({ granted: true });
    // Per worker, each would have had two: here both are full together.
    expect(await state(c.answer)).toBe('pending');
    expect(await state(d.answer)).toBe('pending');
    expect(wires.hub.counts('traces')).toEqual({ held: 2, waiting: 2 });
    // A permit given back in worker 1 goes to the oldest waiter, in worker 2.
    a.release();
    await wires.flush();
    expect(await state(c.answer)).toEqual({ granted: true });
    expect(await state(d.answer)).toBe('pending');
    b.release();
    await wires.flush();
    expect(await state(d.answer)).toEqual({ granted: true });
    c.release();
    d.release();
    await wires.flush();
    expect(wires.hub.counts('traces')).toEqual({ held: 0, waiting: 0 });
  });

  test('refuses at once when the shared queue is full, saying how many wait', async () => {
    const wires = new Wires({ traces: { concurrency: 1, queue: 1 } });
    const w1 = wires.worker(1, 'traces');
    const w2 = wires.worker(2, 'traces');
    const held = w1.request();
    const waits = w2.request();
    const refused = w1.request();
    await wires.flush();
    expect(await state(held.answer)).toEqual({ granted: true });
    expect(await state(waits.answer)).toBe('pending');
    expect(await state(refused.answer)).toEqual({ granted: false, waiting: 1 });
    refused.release(); // nothing to give back
    await wires.flush();
    expect(wires.hub.counts('traces')).toEqual({ held: 1, waiting: 1 });
  });

  test('a request given up while it waits leaves the queue; one given up while its grant is on the way gives it straight back', async () => {
    const wires = new Wires({ imports: { concurrency: 1 } });
    const w1 = wires.worker(1, 'imports');
    const w2 = wires.worker(2, 'imports');
    const a = w1.request();
    const b = w2.request();
    const c = w2.request();
    await wires.flush();
    b.release();
    await wires.flush();
    expect(wires.hub.counts('imports')).toEqual({ held: 1, waiting: 1 });
    // a goes back; the hub grants c, but c gives up before the grant reaches its worker.
    a.release();
    wires.deliverToPrimary();
    c.release();
    await wires.flush();
    expect(await state(c.answer)).toBe('pending');
    expect(wires.hub.counts('imports')).toEqual({ held: 0, waiting: 0 });
    const e = w1.request();
    await wires.flush();
    expect(await state(e.answer)).toEqual({ granted: true });
  });

  test("a dead worker's permits and waiting requests are freed for the others", async () => {
    const wires = new Wires({ traces: { concurrency: 1, queue: 5 } });
    const w1 = wires.worker(1, 'traces');
    const w2 = wires.worker(2, 'traces');
    const w3 = wires.worker(3, 'traces');
    w1.request();
    w1.request();
    const later = w3.request();
    const mine = w2.request();
    await wires.flush();
    expect(wires.hub.counts('traces')).toEqual({ held: 1, waiting: 3 });
    // Worker 3 dies too, with its request waiting: the permit skips it.
    wires.kill(3);
    wires.kill(1);
    await wires.flush();
    expect(await state(later.answer)).toBe('pending');
    expect(await state(mine.answer)).toEqual({ granted: true });
    expect(wires.hub.counts('traces')).toEqual({ held: 1, waiting: 0 });
  });

  test('gates are counted apart, and a worker without a primary gets no permit', async () => {
    const wires = new Wires({ traces: { concurrency: 1 }, imports: { concurrency: 1 } });
    const t = wires.worker(1, 'traces').request();
    const i = wires.worker(1, 'imports').request();
    await wires.flush();
    expect(await state(t.answer)).toEqual({ granted: true });
    expect(await state(i.answer)).toEqual({ granted: true });
    wires.dead.add(2);
    expect(await state(wires.worker(2, 'traces').request().answer)).toEqual({ granted: false, waiting: 0 });
  });

  test("the trace gates of two workers admit TRUYVET_TRACE_CONCURRENCY traces in all, and refuse past the server's queue", async () => {
    const wires = new Wires({ traces: { concurrency: 2, queue: 1 } });
    const options = { concurrency: 2, queue: 1, maxWaitMs: 10_000 };
    const gates = [createTraceGate(options, wires.worker(1, 'traces')), createTraceGate(options, wires.worker(2, 'traces'))];
    let running = 0;
    let most = 0;
    const finish: (() => void)[] = [];
    const work = () =>
      new Promise<string>((resolve) => {
        most = Math.max(most, ++running);
        finish.push(() => {
          running--;
          resolve('done');
        });
      });
    const outcomes = [0, 1, 0, 1].map((g) => gates[g]!.run(work).catch((e: unknown) => e));
    await wires.flush();
    expect(running).toBe(2);
    expect(gates.map((g) => g.active + g.waiting)).toEqual([2, 1]);
    const refused = await state(outcomes[3] as Promise<never>);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 503, code: 'busy' });
    while (finish.length > 0) {
      finish.shift()!();
      await wires.flush();
    }
    expect(await Promise.all(outcomes.slice(0, 3))).toEqual(['done', 'done', 'done']);
    expect(most).toBe(2);
    await wires.flush();
    expect(wires.hub.counts('traces')).toEqual({ held: 0, waiting: 0 });
  });
});
