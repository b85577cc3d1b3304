import fs from 'node:fs';
import path from 'node:path';
import { closeDriver } from '../../engine/db/driver';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';
import { csv, tempDir, writeFile } from '../helpers/imports';

/**
 * The real `truyvet cases import` command: its `--json` summary (DESIGN.md's import summary
 * shape), its exit codes, and the audit event it writes (to the run's own chain).
 */

const run = newRunId('ccli');
const dir = tempDir('cases-cli');
const env = { TRUYVET_AUDIT_CHAIN: run, TRUYVET_IMPORT_STATE_DIR: path.join(dir, 'state') };
const truyvet = (args: string[]) => runCli(args, { env });
const fixture = (name: string) => writeFile(dir, name, csv(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'import', name), 'utf8'), run));

afterAll(async () => {
  await removeRun(run, { people: [1, 2, 4, 5, 9].map((i) => `${run}P${i}`) });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('imports a laboratory export with --profile lab-vn, prints the import summary as JSON and writes the rejects report; the audit records counts only', async () => {
  const report = path.join(dir, 'rejects.csv');
  const r = await truyvet(['cases', 'import', fixture('cases-lab-vn.csv'), '--profile', 'lab-vn', '--json', '--report', report]);
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout) as Record<string, unknown>;
  for (const k of ['file', 'read', 'imported', 'duplicates', 'rejected', 'seconds', 'rowsPerSecond', 'rejects']) expect(summary).toHaveProperty(k);
  expect(summary).toMatchObject({ kind: 'cases', read: 5, imported: 3, duplicates: 0, rejected: 2, report });
  expect(summary['rejects']).toEqual([
    { line: 5, field: 'confirmed_at', reason: expect.any(String) as unknown },
    { line: 6, field: 'infectious_to', reason: expect.any(String) as unknown },
  ]);
  expect(r.stderr).toContain("warning: ignored columns 'STT', 'Họ tên', 'Địa chỉ'");
  expect(fs.readFileSync(report, 'utf8').split('\n')[1]).toMatch(/^5,"confirmed_at",/);

  const audit = await truyvet(['audit', 'list', '--chain', run, '--action', 'cases.import']);
  expect(audit.code).toBe(0);
  const events = audit.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { role: string; count: number; details: Record<string, number> });
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ role: 'cli', count: 3, details: { read: 5, imported: 3, updated: 0, duplicates: 0, rejected: 2 } });
  expect(audit.stdout).not.toContain(`${run}P`);

  // The same file through `truyvet import cases`: the same pipeline, nothing new.
  const again = await truyvet(['import', 'cases', fixture('cases-lab-vn.csv'), '--profile', 'lab-vn', '--json']);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ read: 5, imported: 0, duplicates: 3, rejected: 2 });
});

it('stops with exit 2 and names the missing column when the header has no confirmed_at', async () => {
  const r = await truyvet(['cases', 'import', writeFile(dir, 'no-date.csv', `case_id,person_id\n${run}-X,${run}P1\n`)]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/no confirmed_at column/);
});
