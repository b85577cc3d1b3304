import type { Edge } from './assemble';
import { resolveTraceParams } from './params';
import { traceGenerations, type GenerationProgress, type GenerationRunner } from './trace';

/** traceGenerations' progress and cancel, on a stand-in generation runner (no database: F1 is never empty here). */

const T = Date.parse('2021-08-01T00:00:00Z');
const params = resolveTraceParams({ f0: 'f0', from: T, to: T + 86_400_000, depth: 3, toleranceSeconds: 900 });
const edge = (source: string, target: string, generation: number, at: number): Edge => ({ source, target, stationId: 's', at, overlapMs: 0, generation, passages: [`${source}-p`, `${target}-p`] });

/** F0 meets a and b; a meets c; nobody after that. */
const runner: GenerationRunner = (q) =>
  Promise.resolve(
    q.generation === 1
      ? [edge('f0', 'a', 1, T + 1000), edge('f0', 'b', 1, T + 2000)]
      : q.generation === 2
        ? [edge('a', 'c', 2, T + 5000)]
        : [],
  );

describe('a trace tells how far it has come and stops when cancelled', () => {
  it('reports each generation as it starts, with the people and contacts found before it, then the end', async () => {
    const seen: GenerationProgress[] = [];
    const r = await traceGenerations(params, { runGeneration: runner, onGeneration: (p) => seen.push(p) });
    expect(r.people.map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual([
      { toleranceSeconds: 900, generation: 1, people: 0, contacts: 0, done: false },
      { toleranceSeconds: 900, generation: 2, people: 2, contacts: 2, done: false },
      { toleranceSeconds: 900, generation: 3, people: 3, contacts: 3, done: false },
      { toleranceSeconds: 900, generation: 3, people: 3, contacts: 3, done: true },
    ]);
  });

  it('stops before the next generation once its signal is aborted, throwing the reason', async () => {
    const cancel = new AbortController();
    const reason = new Error('cancelled by its tracer');
    const asked: number[] = [];
    const run: GenerationRunner = async (q, o) => {
      asked.push(q.generation);
      const rows = await runner(q, o);
      if (q.generation === 1) cancel.abort(reason);
      return rows;
    };
    await expect(traceGenerations(params, { runGeneration: run, signal: cancel.signal })).rejects.toBe(reason);
    expect(asked).toEqual([1]);
  });

  it('does not start at all with a signal aborted before it', async () => {
    const cancel = new AbortController();
    cancel.abort(new Error('gone'));
    const run = jest.fn(runner);
    await expect(traceGenerations(params, { runGeneration: run, signal: cancel.signal })).rejects.toThrow('gone');
    expect(run).not.toHaveBeenCalled();
  });
});
