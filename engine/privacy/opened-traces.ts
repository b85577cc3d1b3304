import type { OpenedTrace } from './trace-codec';

/**
 * Stored trace results kept open between page reads, a few and briefly. The view reads a large
 * trace a page at a time, and each page had to fetch the whole sealed result from Neo4j, unseal,
 * inflate and parse it again: ~45–65 ms a page for 16,000–18,000 people, over a second for the
 * whole trace (README, "The API"). Held here, a page costs only its own slice.
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

export class OpenedTraces {
  private readonly entries = new Map<string, { opened: OpenedTrace; until: number }>();
  private bytes = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: OpenedTracesOptions) {
    this.now = o.now ?? Date.now;
  }

  get(id: string): OpenedTrace | undefined {
    this.sweep();
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    // Most recently read last: the first entry is the one to drop when full.
    this.entries.delete(id);
    this.entries.set(id, { opened: e.opened, until: this.now() + this.o.ttlMs });
    return e.opened;
  }

  put(id: string, opened: OpenedTrace): void {
    this.drop(id);
    if (opened.size > this.o.maxBytes) return;
    this.sweep();
    for (const old of this.entries.keys()) {
      if (this.entries.size < this.o.maxEntries && this.bytes + opened.size <= this.o.maxBytes) break;
      this.drop(old);
    }
    this.entries.set(id, { opened, until: this.now() + this.o.ttlMs });
    this.bytes += opened.size;
    this.scheduleSweep();
  }

  drop(id: string): void {
    const e = this.entries.get(id);
    if (e === undefined) return;
    this.entries.delete(id);
    this.bytes -= e.opened.size;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, e] of this.entries) if (e.until <= t) this.drop(id);
  }

  /** Frees expired entries even when no read comes to do it. */
  private scheduleSweep(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setTimeout(() => {
      this.sweeper = undefined;
      this.sweep();
      if (this.entries.size > 0) this.scheduleSweep();
    }, this.o.ttlMs);
    this.sweeper.unref();
  }
}
