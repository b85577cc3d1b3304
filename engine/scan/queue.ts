import { unavailable, type TruyvetError } from '../errors';
import { decideScans, type ScanDecision, type ScanInput, type ScanOutcome } from './service';

/**
 * Groups concurrent scans into batches: a checkpoint rush is many small requests, and one
 * transaction per batch costs far less than one per scan (each commit is a disk
 * flush). A batch leaves when it is full or `maxWaitMs` after its first scan, whichever comes
 * first, so a lone scan waits at most that long. Build one queue per process (the API app) and
 * `close()` it on shutdown.
 */

export interface ScanQueueOptions {
  /** Default 256. */
  readonly maxBatch?: number;
  /** Default 2 ms. */
  readonly maxWaitMs?: number;
  /** Batches in flight at once (default 2: this machine has 2 cores). */
  readonly concurrency?: number;
  /** What decides a batch (default decideScans); a test of the batching alone gives its own. */
  readonly decide?: (inputs: readonly ScanInput[]) => Promise<ScanOutcome[]>;
}

interface Waiting {
  readonly input: ScanInput;
  readonly resolve: (d: ScanDecision) => void;
  readonly reject: (e: unknown) => void;
}

export class ScanQueue {
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly concurrency: number;
  private readonly decide: (inputs: readonly ScanInput[]) => Promise<ScanOutcome[]>;
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly ready: Waiting[][] = [];
  private closed = false;
  private readonly idle = new Set<() => void>();

  constructor(options: ScanQueueOptions = {}) {
    this.maxBatch = options.maxBatch ?? 256;
    this.maxWaitMs = options.maxWaitMs ?? 2;
    this.concurrency = options.concurrency ?? 2;
    this.decide = options.decide ?? decideScans;
  }

  submit(input: ScanInput): Promise<ScanDecision> {
    if (this.closed) return Promise.reject(unavailable('the scan queue is closed'));
    return new Promise<ScanDecision>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.waiting.length >= this.maxBatch) this.cut();
      else this.timer ??= setTimeout(() => this.cut(), this.maxWaitMs);
    });
  }

  /** Stops taking scans and resolves once every accepted scan is decided. */
  async close(): Promise<void> {
    this.closed = true;
    this.cut();
    if (this.inFlight === 0 && this.ready.length === 0) return;
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  private cut(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length > 0) {
      this.ready.push(this.waiting);
      this.waiting = [];
    }
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.ready.length > 0) {
      // Batches cut while every slot was busy leave together: a transaction costs the same
      // whatever its size, so scans that waited anyway share one.
      const batch = this.ready.shift()!;
      while (this.ready.length > 0 && batch.length + this.ready[0]!.length <= this.maxBatch) batch.push(...this.ready.shift()!);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.ready.length === 0 && this.waiting.length === 0) {
          for (const done of this.idle) done();
          this.idle.clear();
        }
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await this.decide(batch.map((w) => w.input));
      batch.forEach((w, i) => {
        const o = outcomes[i]!;
        if (o.ok) w.resolve(o.decision);
        else w.reject(o.error satisfies TruyvetError);
      });
    } catch (e) {
      for (const w of batch) w.reject(e);
    }
  }
}

export function createScanQueue(options: ScanQueueOptions = {}): ScanQueue {
  return new ScanQueue(options);
}
