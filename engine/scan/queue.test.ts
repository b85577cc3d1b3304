import { ScanQueue } from './queue';
import type { ScanInput, ScanOutcome } from './service';

// The batching alone, with a decider that records each batch and answers when the test says.
function recorder() {
  const batches: string[][] = [];
  const release: (() => void)[] = [];
  const decide = (inputs: readonly ScanInput[]): Promise<ScanOutcome[]> => {
    batches.push(inputs.map((i) => i.scanId));
    return new Promise((resolve) => release.push(() => resolve(inputs.map((i) => ({ ok: true, decision: { scanId: i.scanId } as never })))));
  };
  return { batches, release, decide };
}
const input = (scanId: string) => ({ scanId }) as ScanInput;
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ScanQueue batching', () => {
  it('sends a lone scan after maxWaitMs, and a full batch at once', async () => {
    const r = recorder();
    const q = new ScanQueue({ maxBatch: 3, maxWaitMs: 5, concurrency: 2, decide: r.decide });
    const lone = q.submit(input('a'));
    expect(r.batches).toEqual([]);
    await tick(20);
    expect(r.batches).toEqual([['a']]);
    const full = ['b', 'c', 'd'].map((id) => q.submit(input(id)));
    expect(r.batches).toEqual([['a'], ['b', 'c', 'd']]);
    r.release.forEach((f) => f());
    expect((await lone).scanId).toBe('a');
    expect((await Promise.all(full)).map((d) => d.scanId)).toEqual(['b', 'c', 'd']);
    await q.close();
  });

  it('merges the batches cut while every slot was busy into one, up to maxBatch', async () => {
    const r = recorder();
    const q = new ScanQueue({ maxBatch: 4, maxWaitMs: 2, concurrency: 1, decide: r.decide });
    const all = [q.submit(input('a'))];
    await tick(10);
    expect(r.batches).toEqual([['a']]);
    // Four cuts while the only slot is busy: two of one scan, one of two, one of three.
    for (const group of [['b'], ['c'], ['d', 'e'], ['f', 'g', 'h']]) {
      all.push(...group.map((id) => q.submit(input(id))));
      await tick(10);
    }
    expect(r.batches).toEqual([['a']]);
    r.release.shift()!();
    await tick(0);
    // b + c + d,e fill 4; f,g,h would pass maxBatch, so they wait for the next slot.
    expect(r.batches).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    r.release.shift()!();
    await tick(0);
    expect(r.batches).toEqual([['a'], ['b', 'c', 'd', 'e'], ['f', 'g', 'h']]);
    r.release.shift()!();
    expect((await Promise.all(all)).map((d) => d.scanId)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    await q.close();
  });
});
