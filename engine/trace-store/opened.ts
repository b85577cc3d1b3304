import { LRUCache } from 'lru-cache';
import type { OpenedTrace } from './codec';

/**
 * Stored trace results kept open between page reads, a few and briefly. The view reads a large
 * trace a page at a time, and each page had to fetch the whole sealed result from Neo4j, unseal,
 * inflate and parse it again: ~45–65 ms a page for 16,000–18,000 people, over a second for the
 * whole trace (docs/benchmarks.md, "Scans, API and trace pages"). Held here, a page costs only its own slice.
 *
 * What is held is what the process held while answering the last page (pseudonymous ids,
 * stations, instants; no identity), for at most `ttlMs` after that read, and only for traces whose
 * stored result still exists: the caller checks the record (and the reader's right to it) on every
 * read, and drops the entry once retention has removed the result.
 */

export interface OpenedTracesOptions {
  /** How long an entry stays after its last read. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Entries larger than this are not kept; the sum of entries stays under it too. */
  readonly maxBytes: number;
  readonly now?: () => number;
}

/**
 * An lru-cache: the least recently read entry goes first when full, an entry expires `ttlMs`
 * after its last read, and expired entries are freed by timers with no read to do it.
 */
export class OpenedTraces<T extends { readonly size: number } = OpenedTrace> {
  private readonly cache: LRUCache<string, T>;

  constructor(o: OpenedTracesOptions) {
    this.cache = new LRUCache<string, T>({
      max: o.maxEntries,
      maxSize: o.maxBytes,
      sizeCalculation: (opened) => Math.max(1, opened.size),
      ttl: o.ttlMs,
      // The clock read on every check, not cached for a millisecond (a few reads per page).
      ttlResolution: 0,
      updateAgeOnGet: true,
      ttlAutopurge: true,
      ...(o.now ? { perf: { now: o.now } } : {}),
    });
  }

  get(id: string): T | undefined {
    return this.cache.get(id);
  }

  put(id: string, opened: T): void {
    this.cache.set(id, opened);
  }

  drop(id: string): void {
    this.cache.delete(id);
  }

  get size(): number {
    return this.cache.size;
  }

  clear(): void {
    this.cache.clear();
  }
}
