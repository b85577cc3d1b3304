import neo4j, { Neo4jError } from 'neo4j-driver';
import { closeDriver, readStatements } from '../engine/db/driver';
import { TruyvetError } from '../engine/errors';

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
