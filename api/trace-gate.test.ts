import { HttpError } from './errors';
import { createTraceGate } from './trace-gate';

/** A promise the test settles by hand. */
function held<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const ticks = () => new Promise((r) => setImmediate(r));

describe('the trace gate', () => {
  test('runs at most `concurrency` at once and starts the waiting ones in arrival order', async () => {
    const gate = createTraceGate({ concurrency: 2, queue: 10, maxWaitMs: 10_000 });
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const releases = Array.from({ length: 6 }, () => held());
    const all = releases.map((h, i) =>
      gate.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await h.promise;
        running--;
        return i * 10;
      }),
    );
    await ticks();
    expect(started).toEqual([0, 1]);
    expect(gate.active).toBe(2);
    expect(gate.waiting).toBe(4);
    // Releasing out of order: the freed slot goes to the oldest waiter.
    releases[1]!.resolve();
    await ticks();
    expect(started).toEqual([0, 1, 2]);
    for (const h of releases) h.resolve();
    expect(await Promise.all(all)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(gate.active).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  test('refuses at once with 503 and Retry-After when the queue is full, and takes work again once it drains', async () => {
    const gate = createTraceGate({ concurrency: 1, queue: 1, maxWaitMs: 10_000 });
    const h = held();
    const first = gate.run(() => h.promise);
    const second = gate.run(() => Promise.resolve('second'));
    const third = gate.run(() => Promise.resolve('third'));
    const refused = await third.catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(503);
    expect((refused as HttpError).code).toBe('busy');
    // Nothing has run yet to estimate from.
    expect((refused as HttpError).retryAfterSeconds).toBe(2);
    expect(gate.refused).toBe(1);
    h.resolve();
    await first;
    expect(await second).toBe('second');
    expect(await gate.run(() => Promise.resolve('later'))).toBe('later');
  });

  test('a queue of 0 admits only as many as run at once', async () => {
    const gate = createTraceGate({ concurrency: 1, queue: 0, maxWaitMs: 10_000 });
    const h = held();
    const first = gate.run(() => h.promise);
    await expect(gate.run(() => Promise.resolve())).rejects.toMatchObject({ status: 503 });
    h.resolve();
    await first;
  });

  test('Retry-After follows the run times seen: waiting × mean ÷ concurrency, at least 1 s', async () => {
    const gate = createTraceGate({ concurrency: 1, queue: 1, maxWaitMs: 10_000 });
    await gate.run(() => new Promise((r) => setTimeout(r, 1_200)));
    const h = held();
    const running = gate.run(() => h.promise);
    await ticks();
    const waiting = gate.run(() => Promise.resolve());
    const refused = (await gate.run(() => Promise.resolve()).catch((e: unknown) => e)) as HttpError;
    // One waiting plus this one, ~1.2 s each, one at a time: 2.4 s, 3 once rounded up (4 if the
    // timer fired very late on a loaded machine).
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(3);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(4);
    h.resolve();
    await Promise.all([running, waiting]);
  });

  test('a trace that waits past maxWaitMs is refused and never runs; the slot goes to the next', async () => {
    const gate = createTraceGate({ concurrency: 1, queue: 5, maxWaitMs: 50 });
    const h = held();
    const first = gate.run(() => h.promise);
    let ran = false;
    const late = gate.run(() => {
      ran = true;
      return Promise.resolve();
    });
    await expect(late).rejects.toMatchObject({ status: 503, code: 'busy' });
    expect(gate.waiting).toBe(0);
    expect(gate.refused).toBe(1);
    const next = gate.run(() => Promise.resolve('next'));
    h.resolve();
    await first;
    expect(await next).toBe('next');
    expect(ran).toBe(false);
  });

  test("a failing trace rejects its own caller only and frees its slot", async () => {
    const gate = createTraceGate({ concurrency: 1, queue: 5, maxWaitMs: 10_000 });
    const failing = gate.run(() => Promise.reject(new Error('boom')));
    const after = gate.run(() => Promise.resolve('after'));
    await expect(failing).rejects.toThrow('boom');
    expect(await after).toBe('after');
    expect(gate.active).toBe(0);
  });

  test('a waiting trace whose client left (its signal aborted) is dropped with 499 and never runs; one already running is not stopped', async () => {
    const gate = createTraceGate({ concurrency: 1, queue: 5, maxWaitMs: 10_000 });
    const h = held();
    const left = new AbortController();
    const first = gate.run(() => h.promise, left.signal);
    await ticks();
    const waitingLeft = new AbortController();
    let ran = false;
    const dropped = gate.run(() => {
      ran = true;
      return Promise.resolve();
    }, waitingLeft.signal);
    const next = gate.run(() => Promise.resolve('next'));
    expect(gate.waiting).toBe(2);
    waitingLeft.abort();
    await expect(dropped).rejects.toMatchObject({ status: 499, code: 'cancelled' });
    expect(gate.waiting).toBe(1);
    // A client that left was not refused.
    expect(gate.refused).toBe(0);
    // The running one's client leaving changes nothing: its work was already under way.
    left.abort();
    h.resolve();
    await expect(first).resolves.toBeUndefined();
    expect(await next).toBe('next');
    expect(ran).toBe(false);
    await expect(gate.run(() => Promise.resolve(), waitingLeft.signal)).rejects.toMatchObject({ status: 499 });
  });
});

