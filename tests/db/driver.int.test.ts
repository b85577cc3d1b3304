import net from 'node:net';
import neo4j, { Neo4jError } from 'neo4j-driver';
import { coalesceBoltWrites, installed as coalescing } from '../../engine/db/coalesce-writes';
import { closeDriver, readStatements } from '../../engine/db/driver';
import { TruyvetError } from '../../engine/errors';

afterAll(async () => {
  await closeDriver();
});

describe('readStatements', () => {
  it('runs several statements on one session and returns what the work returns', async () => {
    const out = await readStatements(async (run) => {
      const a = await run('RETURN $x AS x', { x: 2 });
      const b = await run('UNWIND range(1, $n) AS i RETURN i', { n: neo4j.int(3) });
      return [a[0]!.get('x') as number, b.length];
    });
    expect(out).toEqual([2, 3]);
  });

  it('runs the work again on a new session after a retryable failure (a broken pooled connection)', async () => {
    let attempts = 0;
    const out = await readStatements(async (run) => {
      attempts++;
      const rows = await run('RETURN 1 AS one', {});
      if (attempts === 1) throw new Neo4jError('connection reset', neo4j.error.SERVICE_UNAVAILABLE, 'N/A', 'N/A');
      return rows.length;
    });
    expect(out).toBe(1);
    expect(attempts).toBe(2);
  });

  it('does not retry a failure that is not retryable, and maps it for callers', async () => {
    let attempts = 0;
    await expect(
      readStatements(async (run) => {
        attempts++;
        return run('RETURN 1 / $zero AS boom', { zero: neo4j.int(0) });
      }),
    ).rejects.toThrow(/by zero/i);
    expect(attempts).toBe(1);
    let own = 0;
    await expect(
      readStatements(() => {
        own++;
        throw new TruyvetError('invalid_input', 'too large');
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(own).toBe(1);
  });

  it('bounds its statements together by timeoutMs, as one transaction was bounded', async () => {
    let ran = 0;
    await expect(
      readStatements(
        async (run) => {
          await run('RETURN 1 AS one', {});
          ran++;
          await new Promise((resolve) => setTimeout(resolve, 400));
          await run('RETURN 2 AS two', {});
          ran++;
        },
        { timeoutMs: 300 },
      ),
    ).rejects.toMatchObject({ code: 'unavailable', message: 'the query took longer than its time limit' });
    expect(ran).toBe(1);
    await expect(readStatements(async (run) => (await run('RETURN 1 AS one', {})).length, { timeoutMs: 5_000 })).resolves.toBe(1);
  });

  it('gives up with unavailable once retrying would pass its time limit', async () => {
    let attempts = 0;
    const started = Date.now();
    await expect(
      readStatements(() => {
        attempts++;
        throw new Neo4jError('no route', neo4j.error.SERVICE_UNAVAILABLE, 'N/A', 'N/A');
      }),
    ).rejects.toMatchObject({ code: 'unavailable' });
    expect(attempts).toBeGreaterThan(2);
    expect(Date.now() - started).toBeLessThan(6_000);
  });
});

describe('Bolt writes', () => {
  /** Socket writes (write and writev calls reaching the kernel) while `work` runs. */
  async function socketWrites(work: () => Promise<unknown>): Promise<{ single: number; vector: number }> {
    const proto = net.Socket.prototype as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    const counts = { single: 0, vector: 0 };
    const w = proto._write;
    const wv = proto._writev;
    proto._write = function (this: unknown, ...a: unknown[]) {
      counts.single++;
      return w.apply(this, a);
    };
    proto._writev = function (this: unknown, ...a: unknown[]) {
      counts.vector++;
      return wv.apply(this, a);
    };
    try {
      await work();
    } finally {
      proto._write = w;
      proto._writev = wv;
    }
    return counts;
  }

  it("leave in one system call per statement, however many of the driver's 1,400-byte buffers a message fills", async () => {
    await readStatements((run) => run('RETURN 1', {})); // a pooled connection, already open
    expect(coalescing()).toBe(true);
    const big = Array.from({ length: 2000 }, (_, i) => `station-${i}`); // ~30 kB of parameters: ~22 buffers
    const run = () => readStatements((r) => r('RETURN size($xs) AS n', { xs: big }));
    // A statement that finds no idle pooled connection (the last one not yet released) opens one,
    // whose handshake is writes of its own: the best of three attempts is the statement's alone.
    let corked = await socketWrites(run);
    for (let i = 0; i < 2 && corked.single > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      corked = await socketWrites(run);
    }
    expect(corked).toEqual({ single: 0, vector: 1 });
    coalesceBoltWrites(false);
    try {
      const plain = await socketWrites(run);
      expect(plain.single).toBeGreaterThan(15);
    } finally {
      coalesceBoltWrites(true);
    }
  });
});
