import { LocalProgressBoard } from './trace-progress';
import { clusterProgressBoard, relayProgress } from './cluster-progress';
import type { ProgressBoard } from './trace-progress';

/** The progress board of running traces, alone and across the workers of `serve --workers N` (messages in one process, asynchronous as over node:cluster). */

describe('a process’s board', () => {
  it('tells the owner how far a trace has come, forgets it at its end, and keys it by owner', () => {
    let now = 1_000;
    const board = new LocalProgressBoard(() => now);
    const p = board.begin('tracer-a', 'x', [900, 300]);
    expect(board.read('tracer-a', 'x')).toEqual({ phase: 'queued', generation: 1, people: 0, contacts: 0, pass: 1, passes: 2, toleranceSeconds: 900, elapsedMs: 0 });
    now += 700;
    p.generation({ toleranceSeconds: 300, generation: 2, people: 40, contacts: 90, done: false });
    expect(board.read('tracer-a', 'x')).toMatchObject({ phase: 'tracing', generation: 2, people: 40, contacts: 90, pass: 2, toleranceSeconds: 300, elapsedMs: 700 });
    expect(board.read('tracer-b', 'x')).toBeUndefined();
    let refused: unknown;
    try {
      board.begin('tracer-a', 'x', [900]);
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ status: 409, code: 'progress_in_use' });
    p.end();
    expect(board.read('tracer-a', 'x')).toBeUndefined();
  });

  it('aborts a waiting or running trace with a 499 cancelled reason, but not one being stored', () => {
    const board = new LocalProgressBoard(() => 0);
    const running = board.begin('t', 'run', [900]);
    expect(board.cancel('t', 'run')).toBe('cancelled');
    expect(running.signal.aborted).toBe(true);
    expect(running.signal.reason).toMatchObject({ status: 499, code: 'cancelled' });
    const storing = board.begin('t', 'store', [900]);
    storing.phase('storing');
    expect(board.cancel('t', 'store')).toBe('too_late');
    expect(storing.signal.aborted).toBe(false);
    expect(board.cancel('other', 'store')).toBe('unknown');
  });
});

/** Workers 1…n with their own boards, and the primary between them. */
function cluster(n: number, answerMs = 200, silent: readonly number[] = []) {
  const toWorker = new Map<number, (m: unknown) => void>();
  let toPrimary: (id: number, m: unknown) => void = () => undefined;
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  relayProgress(
    {
      workers: () => ids,
      send: (id, m) => {
        const deliver = toWorker.get(id);
        if (deliver === undefined) throw new Error('channel closed');
        setImmediate(() => deliver(m));
      },
      onMessage: (l) => (toPrimary = l),
    },
    answerMs,
  );
  const locals = ids.map(() => new LocalProgressBoard(() => 0));
  const boards: ProgressBoard[] = ids.map((id, i) =>
    clusterProgressBoard(locals[i]!, { send: (m) => setImmediate(() => toPrimary(id, m)), onMessage: (l) => toWorker.set(id, silent.includes(id) ? () => undefined : l) }, 2_000),
  );
  return { boards, locals };
}

describe('across workers', () => {
  it('answers a poll and a cancel that reach another worker than the trace', async () => {
    const { boards } = cluster(3);
    const running = boards[1]!.begin('t', 'x', [900]);
    running.generation({ toleranceSeconds: 900, generation: 2, people: 5, contacts: 7, done: false });
    expect(await boards[0]!.read('t', 'x')).toMatchObject({ phase: 'tracing', generation: 2, people: 5 });
    expect(await boards[2]!.read('other', 'x')).toBeUndefined();
    expect(await boards[2]!.cancel('t', 'x')).toBe('cancelled');
    expect(running.signal.aborted).toBe(true);
    running.end();
    expect(await boards[0]!.cancel('t', 'x')).toBe('unknown');
  });

  it('says "not found" once the primary stops waiting for a worker that does not answer, or when there is no primary', async () => {
    // Worker 2 is stuck: it never answers the primary.
    const { boards } = cluster(2, 100, [2]);
    const started = Date.now();
    expect(await boards[0]!.read('t', 'nothing')).toBeUndefined();
    expect(await boards[0]!.cancel('t', 'nothing')).toBe('unknown');
    expect(Date.now() - started).toBeLessThan(1_000);
    const alone = clusterProgressBoard(new LocalProgressBoard(() => 0), { send: () => { throw new Error('no primary'); }, onMessage: () => undefined }, 5_000);
    expect(await alone.read('t', 'nothing')).toBeUndefined();
  });
});
