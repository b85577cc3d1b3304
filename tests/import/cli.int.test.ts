import fs from 'node:fs';
import path from 'node:path';
import { closeDriver } from '../../engine/db/driver';
import { stationsCsv } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';
import { tempDir, writeFile } from '../helpers/imports';

/**
 * `truyvet import` as scripts see it: the JSON summary's exact shape on stdout, exit codes, one
 * line of error on stderr. Runs the real command (bin/truyvet.js) against the test database.
 */

const run = newRunId('icli');
const dir = tempDir('cli');
const H = 'passage_id,person_id,station_id,at,left_at,source';

const truyvet = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env: { TRUYVET_IMPORT_STATE_DIR: path.join(dir, 'state'), ...env } });

beforeAll(async () => {
  const r = await truyvet(['import', 'stations', writeFile(dir, 'stations.csv', stationsCsv(run, 1)), '--json']);
  expect(r.code).toBe(0);
});

afterAll(async () => {
  await removeRun(run, { passagePeople: true });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('truyvet import … --json', () => {
  it('prints exactly one line: the DESIGN.md summary fields first, in order', async () => {
    const file = writeFile(dir, 'p.csv', `${H}\n${run}a,${run}P1,${run}S1,2021-08-02T07:30:00+07:00,,qr\n${run}b,${run}P1,${run}S9,2021-08-02T07:31:00+07:00,,qr\n`);
    const r = await truyvet(['import', 'passages', file, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(summary).slice(0, 8)).toEqual(['file', 'read', 'imported', 'duplicates', 'rejected', 'seconds', 'rowsPerSecond', 'rejects']);
    expect(summary).toMatchObject({ file, read: 2, imported: 1, duplicates: 0, rejected: 1, rejects: [{ line: 3, field: 'station_id' }] });
    expect((summary['rejects'] as { reason: string }[])[0]?.reason).toBe(`unknown station '${run}S9' (import its stations file first)`);
    expect(typeof summary['seconds']).toBe('number');
    expect(typeof summary['rowsPerSecond']).toBe('number');
  });

  it('rejects a 10-MB field by line and column and goes on, with every reject in the report', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const breaks = 'ab\n'.repeat(3_500_000); // a 10.5-MB quoted field with 3.5 million line breaks
    const text = [
      H,
      `${run}z1,${big},${run}S1,2021-08-02T22:00:00+07:00,,qr`,
      `${run}z2,${run}P1,${run}S1,2021-08-02T22:05:00+07:00,,"${breaks}"`,
      `${run}z3,${run}P1,${run}S404,2021-08-02T22:10:00+07:00,,qr`,
      `${run}z4,${run}P1,${run}S1,2021-08-02T22:15:00+07:00,,qr`,
    ].join('\n');
    const report = path.join(dir, 'big-rejects.csv');
    const r = await truyvet(['import', 'passages', writeFile(dir, 'big.csv', text), '--json', '--report', report]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { read: number; imported: number; rejected: number; rejects: { line: number; field: string }[]; report: string };
    expect([s.read, s.imported, s.rejected]).toEqual([4, 1, 3]);
    expect(s.rejects.map((x) => [x.line, x.field])).toEqual([[2, 'person_id'], [3, 'source'], [3_500_004, 'station_id']]);
    expect(s.report).toBe(report);
    const lines = fs.readFileSync(report, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['line', '2', '3', '3500004']);
    // The person_id is personal data: the report leaves its value out. The source's is clipped.
    expect(lines[1]).toMatch(/,""$/);
    expect(lines[2]!.length).toBeLessThan(400);
  });

  it('caps the summary at 100 rejects and says where the rest would be', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => `${run}c${i},${run}P1,${run}S1,not a time,,qr`);
    const r = await truyvet(['import', 'passages', writeFile(dir, 'many.csv', [H, ...rows].join('\n')), '--json']);
    const s = JSON.parse(r.stdout) as { rejected: number; rejects: unknown[]; warnings: string[] };
    expect([s.rejected, s.rejects.length]).toEqual([150, 100]);
    expect(s.warnings).toContainEqual(expect.stringContaining('50 more rejects'));
  });
});

describe('truyvet import: what stops it', () => {
  it('exits 4 with one line on stderr when the file is missing', async () => {
    const r = await truyvet(['import', 'passages', path.join(dir, 'missing.csv'), '--json']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([`truyvet: ${path.join(dir, 'missing.csv')}: no such file`]);
  });

  it('exits 2 naming the missing column', async () => {
    const r = await truyvet(['import', 'passages', writeFile(dir, 'nocol.csv', 'person_id,at\nx,2021-08-02T07:30:00Z\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no station_id column');
  });

  it('exits 5 with one line when the database does not answer', async () => {
    const file = writeFile(dir, 'down.csv', `${H}\n`);
    const r = await truyvet(['import', 'passages', file, '--json'], { NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'x' });
    expect(r.code).toBe(5);
    expect(r.stderr.trim()).toBe('truyvet: the database is not reachable');
  });

  it('exits 2 on an unknown kind of file', async () => {
    const r = await truyvet(['import', 'checkpoints', path.join(dir, 'x.csv')]);
    expect(r.code).toBe(2);
  });
});
