import { OpenedTraces } from './opened';
import type { OpenedTrace } from './codec';

/** The results kept open between page reads: how long, how many, how large. */

const trace = (size: number): OpenedTrace => ({ size, columns: {} as OpenedTrace['columns'] });

function cache(o: { ttlMs?: number; maxEntries?: number; maxBytes?: number } = {}) {
  const clock = { t: 1_000 };
  const c = new OpenedTraces({ ttlMs: o.ttlMs ?? 60_000, maxEntries: o.maxEntries ?? 8, maxBytes: o.maxBytes ?? 1_000, now: () => clock.t });
  return { c, clock };
}

it('keeps an entry for the wait after its last read, not after it was opened', () => {
  const { c, clock } = cache({ ttlMs: 100 });
  const a = trace(10);
  c.put('a', a);
  clock.t += 99;
  expect(c.get('a')).toBe(a);
  clock.t += 99; // 198 after opening, 99 after the last read
  expect(c.get('a')).toBe(a);
  clock.t += 101; // past the wait after the last read
  expect(c.get('a')).toBeUndefined();
  expect(c.size).toBe(0);
});

it('drops the least recently read entry when full', () => {
  const { c } = cache({ maxEntries: 2 });
  c.put('a', trace(1));
  c.put('b', trace(1));
  c.get('a');
  c.put('c', trace(1));
  expect(c.get('b')).toBeUndefined();
  expect(c.get('a')).toBeDefined();
  expect(c.get('c')).toBeDefined();
});

it('keeps the sum under its byte limit, and never an entry larger than it', () => {
  const { c } = cache({ maxBytes: 100 });
  c.put('a', trace(60));
  c.put('b', trace(30));
  c.put('c', trace(50)); // a goes: 30 + 50 fit
  expect(c.get('a')).toBeUndefined();
  expect(c.get('b')).toBeDefined();
  expect(c.get('c')).toBeDefined();
  c.put('huge', trace(101));
  expect(c.get('huge')).toBeUndefined();
  expect(c.size).toBe(2);
  // Putting an id again replaces it and counts its size once.
  c.put('b', trace(50));
  c.put('d', trace(1));
  expect(c.size).toBe(2);
  expect(c.get('c')).toBeUndefined();
});

it('forgets what it is told to', () => {
  const { c } = cache();
  c.put('a', trace(1));
  c.drop('a');
  expect(c.get('a')).toBeUndefined();
  c.put('b', trace(1));
  c.clear();
  expect(c.size).toBe(0);
});

it('frees expired entries with no read to do it', async () => {
  const c = new OpenedTraces({ ttlMs: 30, maxEntries: 8, maxBytes: 1_000 });
  c.put('a', trace(1));
  await new Promise((r) => setTimeout(r, 80));
  expect(c.size).toBe(0);
});
