import { awaitIndexes, describeIndexProgress, existingSchemaNames, migrate, SCHEMA, type IndexProgress } from '../engine/db/schema';
import { closeDriver, readQuery, runAutoCommit } from '../engine/db/driver';

afterAll(closeDriver);

describe('schema migration', () => {
  it('creates every constraint and index of the graph shape', async () => {
    await migrate();
    const { constraints, indexes } = await existingSchemaNames();
    for (const item of SCHEMA) {
      if (item.kind === 'constraint') expect(constraints).toContain(item.name);
      else expect(indexes).toContain(item.name);
    }
  });

  it('declares each constraint on the label and properties the graph shape names', async () => {
    const rows = await readQuery(
      'SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN name, type, labelsOrTypes, properties',
      {},
      (r: { name: string; type: string; labelsOrTypes: string[]; properties: string[] }) => r,
    );
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const item of SCHEMA.filter((i) => i.kind === 'constraint')) {
      const found = byName.get(item.name);
      expect(found?.labelsOrTypes).toEqual([item.entity]);
      expect(found?.properties).toEqual(item.properties);
      expect(found?.type).toMatch(/UNIQUENESS/);
    }
  });

  it('is idempotent: running it twice leaves the same schema', async () => {
    await migrate();
    const first = await existingSchemaNames();
    await migrate();
    const second = await existingSchemaNames();
    expect(second.constraints.sort()).toEqual(first.constraints.sort());
    expect(second.indexes.sort()).toEqual(first.indexes.sort());
  });

  it('refuses a window size different from the one the database was set up with', async () => {
    await migrate();
    const before = process.env['TRUYVET_WINDOW_SECONDS'];
    process.env['TRUYVET_WINDOW_SECONDS'] = '1800';
    try {
      await expect(migrate()).rejects.toThrow(/windows/);
    } finally {
      if (before === undefined) delete process.env['TRUYVET_WINDOW_SECONDS'];
      else process.env['TRUYVET_WINDOW_SECONDS'] = before;
    }
  });
});

describe('waiting for indexes', () => {
  const run = `p${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const index = `idx_probe_${run}`;

  afterAll(async () => {
    await runAutoCommit(`DROP INDEX ${index} IF EXISTS`);
    await runAutoCommit('MATCH (n:IdxProbe {run: $run}) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS', { run });
  });

  it('returns only once a new index on existing data is online, reporting the ones still building', async () => {
    await runAutoCommit('UNWIND range(1, 200000) AS i CALL (i) { CREATE (:IdxProbe {run: $run, k: i}) } IN TRANSACTIONS OF 20000 ROWS', { run });
    await runAutoCommit(`CREATE INDEX ${index} FOR (n:IdxProbe) ON (n.run, n.k)`);
    const reports: IndexProgress[][] = [];
    await awaitIndexes((b) => reports.push(b), 20);
    const [state] = await readQuery('SHOW INDEXES YIELD name, state WHERE name = $index RETURN state', { index }, (r: { state: string }) => r.state);
    expect(state).toBe('ONLINE');
    for (const r of reports) for (const b of r) expect(b.percent).toBeGreaterThanOrEqual(0);
    for (const r of reports) for (const b of r) expect(b.percent).toBeLessThanOrEqual(100);
  });

  it('words the progress for a person to read', () => {
    expect(describeIndexProgress([{ name: 'passage_cell', percent: 45.2 }, { name: 'passage_person', percent: 3 }])).toBe('building indexes: passage_cell 45.2 %, passage_person 3 %');
  });
});
