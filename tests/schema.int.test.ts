import { existingSchemaNames, migrate, SCHEMA } from '../engine/db/schema';
import { closeDriver, readQuery } from '../engine/db/driver';

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
