import { awaitIndexes, describeIndexProgress, existingSchemaNames, migrate, SCHEMA, type IndexProgress } from '../../engine/db/schema';
import { getCredentials } from '../../engine/accounts/accounts';
import { closeDriver, readQuery, runAutoCommit, writeQuery } from '../../engine/db/driver';
import { newRunId, removeRun } from '../helpers/cleanup';

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
  const run = newRunId('p');
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

describe('usernames unique whatever their case', () => {
  const run = newRunId('uk');
  const names = [`${run}-demo-admin`, `${run}-DEMO-ADMIN`, `${run}-Demo-Admin`, `${run}-alone`];

  afterAll(async () => {
    await removeRun(run);
  });

  it('gives accounts stored before the rule their lower-case key, and reports the ones that collide instead of failing', async () => {
    // Accounts as an older truyvet stored them: no key; the first made first.
    await writeQuery(
      `UNWIND range(0, size($names) - 1) AS i
       CREATE (:Account {username: $names[i], passwordHash: '', role: 'auditor', disabled: false, tokenVersion: 0, failedLogins: 0, createdAt: 1000 + i, updatedAt: 1000 + i})`,
      { names },
      () => undefined,
    );
    const report = await migrate();
    const mine = report.usernameCollisions.filter((c) => c.key.startsWith(run));
    expect(mine).toEqual([{ key: `${run}-demo-admin`, kept: `${run}-demo-admin`, others: [`${run}-DEMO-ADMIN`, `${run}-Demo-Admin`] }]);
    const keys = await readQuery('MATCH (a:Account) WHERE a.username IN $names RETURN a.username AS u, a.usernameKey AS k', { names }, (r) => [r['u'] as string, r['k'] as string | null] as const);
    expect(new Map(keys)).toEqual(
      new Map([
        [`${run}-demo-admin`, `${run}-demo-admin`],
        [`${run}-DEMO-ADMIN`, null],
        [`${run}-Demo-Admin`, null],
        [`${run}-alone`, `${run}-alone`],
      ]),
    );
    // Reported again on every migration until an admin resolves it; the keyed one is not.
    expect((await migrate()).usernameCollisions.filter((c) => c.key.startsWith(run))).toEqual(mine);
    // Each keeps its exact name to log in with; another case finds the one that holds the key.
    expect((await getCredentials(`${run}-DEMO-ADMIN`))?.account.username).toBe(`${run}-DEMO-ADMIN`);
    expect((await getCredentials(`${run}-dEmO-aDmIn`))?.account.username).toBe(`${run}-demo-admin`);
    const [constraint] = await readQuery("SHOW CONSTRAINTS YIELD name, properties WHERE name = 'account_username_key' RETURN properties", {}, (r) => r['properties'] as string[]);
    expect(constraint).toEqual(['usernameKey']);
  });
});

describe('stored results unique by id', () => {
  const run = newRunId('sr');
  const id = `ex${run}`;

  afterAll(async () => {
    await removeRun(run);
  });

  it('declares a uniqueness constraint on the id of every kind of stored result', () => {
    for (const label of ['TraceRecord', 'ExposureRecord', 'OutbreakRun', 'ImportJob']) {
      expect([label, SCHEMA.some((i) => i.kind === 'constraint' && i.entity === label && i.properties.join() === 'id')]).toEqual([label, true]);
    }
  });

  it('refuses a second stored venue exposure with the same id once migrated', async () => {
    await migrate();
    const make = () => writeQuery('CREATE (:ExposureRecord {id: $id, owner: $owner, createdAt: 0})', { id, owner: `${run}-tracer` }, () => undefined);
    await make();
    await expect(make()).rejects.toThrow(/already exists|ConstraintValidation/i);
  });
});
