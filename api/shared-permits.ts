import { toPrimary, toWorkers, type ToPrimary, type ToWorkers } from './cluster-channel';
import type { PermitAnswer, PermitRequest, Permits } from './permits';

/**
 * Permits counted for all workers of `serve --workers N` in the primary: the trace gate's
 * TRUYVET_TRACE_CONCURRENCY and its queue, and one import at a time, hold for the whole server
 * rather than per worker (with per-worker counts, two workers ran 2 × 3 traces and two imports
 * at once against the same Neo4j). A permit costs a message to the primary and one back (well
 * under a millisecond on one machine) against a trace's hundreds of milliseconds; requests are
 * served first come, first served across workers. A worker that dies gives back everything it
 * held or waited for.
 */

const TAG = 'truyvet-permits';

/** Worker → primary. `release` gives back a held permit or withdraws a waiting request. */
interface Ask {
  readonly tag: typeof TAG;
  readonly gate: string;
  readonly op: 'acquire' | 'release';
  readonly ticket: number;
}
/** Primary → worker. */
interface Answer {
  readonly tag: typeof TAG;
  readonly gate: string;
  readonly ticket: number;
  readonly granted: boolean;
  /** With a refusal: how many were waiting. */
  readonly waiting?: number;
}

const isAsk = (m: unknown): m is Ask => (m as Ask | null)?.tag === TAG && ((m as Ask).op === 'acquire' || (m as Ask).op === 'release');
const isAnswer = (m: unknown): m is Answer => (m as Answer | null)?.tag === TAG && typeof (m as Answer).granted === 'boolean';

export type WorkerChannel = ToPrimary<Ask>;
export type PrimaryChannel = Pick<ToWorkers<Answer>, 'send' | 'onMessage' | 'onExit'>;

export interface GateLimits {
  readonly concurrency: number;
  /** Most requests waiting; beyond, refused at once. Default: no limit. */
  readonly queue?: number;
}

/** A worker's permits of one named gate, granted by the primary's SharedPermitsHub. */
export class SharedPermits implements Permits {
  private nextTicket = 1;
  private readonly pending = new Map<number, { resolve: (a: PermitAnswer) => void; state: 'waiting' | 'holding' | 'done' }>();

  constructor(
    private readonly gate: string,
    private readonly channel: WorkerChannel = toPrimary(),
  ) {
    channel.onMessage((m) => {
      if (!isAnswer(m) || m.gate !== this.gate) return;
      const p = this.pending.get(m.ticket);
      if (p === undefined) return;
      if (!m.granted) {
        this.pending.delete(m.ticket);
        p.resolve({ granted: false, waiting: m.waiting ?? 0 });
        return;
      }
      if (p.state === 'done') {
        // Given up while the grant was on its way: straight back.
        this.pending.delete(m.ticket);
        this.send('release', m.ticket);
        return;
      }
      p.state = 'holding';
      p.resolve({ granted: true });
    });
  }

  request(): PermitRequest {
    const ticket = this.nextTicket++;
    let resolve: (a: PermitAnswer) => void = () => undefined;
    const answer = new Promise<PermitAnswer>((r) => (resolve = r));
    const entry = { resolve, state: 'waiting' as 'waiting' | 'holding' | 'done' };
    this.pending.set(ticket, entry);
    if (!this.send('acquire', ticket)) {
      // No primary to ask (the worker is being stopped): nothing more may start.
      this.pending.delete(ticket);
      return { answer: Promise.resolve({ granted: false, waiting: 0 }), release: () => undefined };
    }
    return {
      answer,
      release: () => {
        if (!this.pending.has(ticket) || entry.state === 'done') return;
        const held = entry.state === 'holding';
        entry.state = 'done';
        // A waiting request stays known until its answer arrives, so a late grant is given back.
        if (held) this.pending.delete(ticket);
        this.send('release', ticket);
      },
    };
  }

  private send(op: Ask['op'], ticket: number): boolean {
    try {
      this.channel.send({ tag: TAG, gate: this.gate, op, ticket });
      return true;
    } catch {
      return false;
    }
  }
}

/** The primary's side: every gate's permits, held and waiting, by worker. */
export class SharedPermitsHub {
  private readonly gates = new Map<string, { limits: GateLimits; held: Set<string>; waiting: { worker: number; ticket: number }[] }>();

  constructor(
    gates: Record<string, GateLimits>,
    private readonly channel: PrimaryChannel = toWorkers(),
  ) {
    for (const [name, limits] of Object.entries(gates)) this.gates.set(name, { limits, held: new Set(), waiting: [] });
    channel.onMessage((worker, m) => {
      if (!isAsk(m)) return;
      const g = this.gates.get(m.gate);
      if (g === undefined) return;
      const key = `${worker}:${m.ticket}`;
      if (m.op === 'acquire') {
        if (g.held.size < g.limits.concurrency) {
          g.held.add(key);
          this.answer(worker, m.gate, m.ticket, true);
        } else if (g.waiting.length >= (g.limits.queue ?? Infinity)) {
          this.answer(worker, m.gate, m.ticket, false, g.waiting.length);
        } else {
          g.waiting.push({ worker, ticket: m.ticket });
        }
      } else if (g.held.delete(key)) {
        this.grantNext(m.gate);
      } else {
        const i = g.waiting.findIndex((w) => w.worker === worker && w.ticket === m.ticket);
        if (i >= 0) {
          g.waiting.splice(i, 1);
          // Its worker waits for an answer to forget the ticket by.
          this.answer(worker, m.gate, m.ticket, false, g.waiting.length);
        }
      }
    });
    channel.onExit((worker) => {
      for (const [name, g] of this.gates) {
        g.waiting = g.waiting.filter((w) => w.worker !== worker);
        for (const key of [...g.held]) if (key.startsWith(`${worker}:`)) g.held.delete(key);
        this.grantNext(name);
      }
    });
  }

  /** Permits held and requests waiting, per gate (tests, status). */
  counts(gate: string): { held: number; waiting: number } {
    const g = this.gates.get(gate);
    return { held: g?.held.size ?? 0, waiting: g?.waiting.length ?? 0 };
  }

  private grantNext(gate: string): void {
    const g = this.gates.get(gate)!;
    while (g.held.size < g.limits.concurrency && g.waiting.length > 0) {
      const w = g.waiting.shift()!;
      g.held.add(`${w.worker}:${w.ticket}`);
      if (!this.answer(w.worker, gate, w.ticket, true)) g.held.delete(`${w.worker}:${w.ticket}`);
    }
  }

  private answer(worker: number, gate: string, ticket: number, granted: boolean, waiting?: number): boolean {
    try {
      this.channel.send(worker, { tag: TAG, gate, ticket, granted, ...(waiting === undefined ? {} : { waiting }) });
      return true;
    } catch {
      // A worker that has just died: its exit gives back what it held.
      return false;
    }
  }
}
