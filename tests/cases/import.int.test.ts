import fs from 'node:fs';
import path from 'node:path';
import { changeCaseStatus } from '../../engine/cases';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { upsertPeople } from '../../engine/db/people';
import { pseudonym } from '../../engine/identity';
import { loadProfile } from '../../engine/import';
import { registryRow, runProvince } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { checkpointFiles, countsOf, csv, importFile, rejectsOf, tempDir, writeFile } from '../helpers/imports';

/**
 * `truyvet cases import` through the import pipeline, against the real Neo4j: the rules corpus
 * (fixtures/import/cases-rules.csv), what the graph holds afterwards, idempotence, corrections and
 * conflicts, the rejects report, a resume after a cut, and a laboratory's export with Vietnamese
 * headers (fixtures/import/cases-lab-vn.csv, --profile lab-vn).
 */

const run = newRunId('cimp');
const dir = tempDir('cases');
const CORPUS = path.join(__dirname, '..', '..', 'fixtures', 'import');
const home = runProvince();
const people = Array.from({ length: 60 }, (_, i) => `${run}P${i + 1}`);

function corpus(name: string): string {
  return writeFile(dir, name, csv(fs.readFileSync(path.join(CORPUS, name), 'utf8'), run));
}

interface StoredCaseRow {
  id: string;
  personId: string;
  confirmedAt: number;
  onsetAt: number | null;
  infectiousFrom: number | null;
  infectiousTo: number | null;
  status: string;
  source: string;
  updatedAt: number;
  /** The person its OF relationship points to, and whether they are registered. */
  of: string | null;
  registered: boolean | null;
}

async function storedCases(): Promise<StoredCaseRow[]> {
  return readQuery(
    `MATCH (c:Case) WHERE c.id STARTS WITH $run
     OPTIONAL MATCH (c)-[:OF]->(p:Person)
     RETURN c.id AS id, c.personId AS personId, c.confirmedAt AS confirmedAt, c.onsetAt AS onsetAt, c.infectiousFrom AS infectiousFrom,
       c.infectiousTo AS infectiousTo, c.status AS status, c.source AS source, c.updatedAt AS updatedAt, p.id AS of, p.registered AS registered
     ORDER BY id`,
    { run },
    (r) => r as unknown as StoredCaseRow,
  );
}

const byId = async () => new Map((await storedCases()).map((c) => [c.id, c]));
const hcm = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h - 7, mi);

beforeAll(async () => {
  // P1, P2, P4 live in the run's province; the others are not in the registry.
  await upsertPeople([1, 2, 4].map((i) => registryRow(`${run}P${i}`, { province: home, district: '001', commune: '00001' })));
});

afterAll(async () => {
  await removeRun(run, { people });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('cases.csv: the rules corpus', () => {
  it('imports the valid rows and rejects each bad one with its line and field', async () => {
    const report = path.join(dir, 'rejects.csv');
    const r = await importFile('cases', corpus('cases-rules.csv'), { reportFile: report });
    expect(countsOf(r)).toEqual({ read: 12, imported: 3, duplicates: 1, rejected: 8 });
    expect(rejectsOf(r)).toEqual([
      [4, 'case_id'],
      [5, 'person_id'],
      [6, 'confirmed_at'],
      [7, 'confirmed_at'],
      [8, 'infectious_from'],
      [9, 'onset_at'],
      [11, 'case_id'],
      [12, 'row'],
    ]);
    expect(r.rejects[3]?.reason).toMatch(/before 2000-01-01/);
    expect(r.rejects[6]?.reason).toBe(`case_id '${run}-C2' repeats line 3 with other data`);
    // The report lists every reject; the person's key never appears in it.
    const lines = fs.readFileSync(report, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('line,field,reason,value');
    expect(lines).toHaveLength(9);
    expect(lines[2]).toBe('5,"person_id","person_id is empty",""');
    expect(lines[3]).toBe('6,"confirmed_at","confirmed_at: not an ISO 8601 date-time (e.g. 2021-08-02T07:30:00+07:00)","yesterday"');
    expect(fs.readFileSync(report, 'utf8')).not.toContain(`${run}P`);
    // Onset after confirmation is accepted, and said; the unregistered person too.
    expect(r.warnings).toEqual([
      expect.stringMatching(/^1 case is of people not in the population registry/),
      expect.stringMatching(/^1 case has onset after confirmation/),
    ]);
  });

  it('stores each case with its person by pseudonym, status confirmed, and an unknown person as an unregistered Person', async () => {
    const got = await byId();
    expect([...got.keys()]).toEqual([`${run}-C1`, `${run}-C10`, `${run}-C2`]);
    expect(got.get(`${run}-C1`)).toMatchObject({
      personId: pseudonym(`${run}P1`),
      of: pseudonym(`${run}P1`),
      registered: true,
      confirmedAt: hcm(2021, 8, 2, 9),
      onsetAt: null,
      infectiousFrom: null,
      infectiousTo: null,
      status: 'confirmed',
      source: 'import',
    });
    expect(got.get(`${run}-C2`)).toMatchObject({ confirmedAt: hcm(2021, 8, 2, 9), onsetAt: hcm(2021, 8, 1, 8), infectiousFrom: hcm(2021, 7, 30), infectiousTo: hcm(2021, 8, 2, 12) });
    expect(got.get(`${run}-C10`)).toMatchObject({ personId: pseudonym(`${run}P10`), of: pseudonym(`${run}P10`), registered: false });
    // No raw key in the graph's case.
    const text = JSON.stringify([...got.values()]);
    expect(text).not.toContain(`${run}P`);
  });

  it('imports nothing the second time: every valid row is a duplicate and the graph is as it was', async () => {
    const before = await storedCases();
    const r = await importFile('cases', corpus('cases-rules.csv'));
    expect(countsOf(r)).toEqual({ read: 12, imported: 0, duplicates: 4, rejected: 8 });
    expect(r.updated).toBe(0);
    expect(await storedCases()).toEqual(before);
  });
});

describe('cases.csv: a case already stored', () => {
  const H = 'case_id,person_id,confirmed_at,onset_at,infectious_from,infectious_to';

  it('with other dates for the same person, is updated (counted and named in the warnings); its status stays', async () => {
    await changeCaseStatus({ id: `${run}-C1`, status: 'recovered', by: `${run}-tracer`, now: Date.now(), scope: undefined });
    const file = writeFile(dir, 'corrected.csv', `${H}\n${run}-C1,${run}P1,2021-08-02T09:00:00+07:00,2021-08-01T07:00:00+07:00,,\n`);
    const r = await importFile('cases', file);
    expect(countsOf(r)).toEqual({ read: 1, imported: 1, duplicates: 0, rejected: 0 });
    expect(r.updated).toBe(1);
    expect(r.warnings).toEqual([`1 case already stored was updated with this file's dates (status kept): '${run}-C1'`]);
    expect((await byId()).get(`${run}-C1`)).toMatchObject({ onsetAt: hcm(2021, 8, 1, 7), status: 'recovered' });
  });

  it('for another person, is rejected on person_id and the stored case stays', async () => {
    const before = (await byId()).get(`${run}-C1`);
    const file = writeFile(dir, 'other-person.csv', `${H}\n${run}-C1,${run}P2,2021-08-02T09:00:00+07:00,,,\n`);
    const r = await importFile('cases', file);
    expect(countsOf(r)).toEqual({ read: 1, imported: 0, duplicates: 0, rejected: 1 });
    expect(r.rejects).toEqual([{ line: 2, field: 'person_id', reason: `case_id '${run}-C1' is already stored for another person (the stored case stays)` }]);
    expect((await byId()).get(`${run}-C1`)).toEqual(before);
  });

  it('given twice with other data in one run, is a conflict at the second row even when the first row is in an earlier batch', async () => {
    const file = writeFile(dir, 'twice.csv', `${H}\n${run}-C20,${run}P20,2021-08-03T09:00,,,\n${run}-C20,${run}P20,2021-08-03T10:00,,,\n`);
    const r = await importFile('cases', file, { batchSize: 1 });
    expect(countsOf(r)).toEqual({ read: 2, imported: 1, duplicates: 0, rejected: 1 });
    expect(r.rejects).toEqual([{ line: 3, field: 'case_id', reason: `case_id '${run}-C20' repeats an earlier row of this file with other data` }]);
    expect((await byId()).get(`${run}-C20`)?.confirmedAt).toBe(hcm(2021, 8, 3, 9));
  });
});

describe('cases.csv: an interrupted import', () => {
  const state = path.join(dir, 'state');
  const before = process.env['TRUYVET_IMPORT_STATE_DIR'];
  beforeAll(() => {
    process.env['TRUYVET_IMPORT_STATE_DIR'] = state;
  });
  afterAll(() => {
    if (before === undefined) delete process.env['TRUYVET_IMPORT_STATE_DIR'];
    else process.env['TRUYVET_IMPORT_STATE_DIR'] = before;
  });

  it('resumes after the last committed batch and ends with what a clean import gives', async () => {
    const rows = Array.from({ length: 45 }, (_, i) => `${run}-R${String(i).padStart(2, '0')},${run}P${30 + (i % 30)},2021-08-0${1 + (i % 5)}T08:${String(i).padStart(2, '0')}:00+07:00,,,`);
    const file = writeFile(dir, 'resume.csv', `case_id,person_id,confirmed_at,onset_at,infectious_from,infectious_to\n${rows.join('\n')}\n`);
    // Cut after the first batch of 10 is committed.
    const stop = new AbortController();
    await expect(importFile('cases', file, { batchSize: 10, resume: true, signal: stop.signal, onProgress: () => stop.abort(new Error('cut')) })).rejects.toThrow('cut');
    expect(checkpointFiles(state)).toHaveLength(1);
    const cut = (await storedCases()).filter((c) => c.id.startsWith(`${run}-R`));
    expect(cut.length).toBeGreaterThanOrEqual(10);
    expect(cut.length).toBeLessThan(45);

    const r = await importFile('cases', file, { batchSize: 10, resume: true });
    expect(r.resumedAtLine).toBeGreaterThan(1);
    expect(countsOf(r)).toEqual({ read: 45, imported: 45, duplicates: 0, rejected: 0 });
    expect(checkpointFiles(state)).toHaveLength(0);
    const after = (await storedCases()).filter((c) => c.id.startsWith(`${run}-R`));
    expect(after.map((c) => c.id)).toEqual(rows.map((l) => l.split(',')[0]));
    // A clean import of the same file now finds every case stored.
    expect(countsOf(await importFile('cases', file))).toEqual({ read: 45, imported: 0, duplicates: 45, rejected: 0 });
  });
});

describe('a laboratory export with Vietnamese headers (--profile lab-vn)', () => {
  it('reads Mã ca bệnh, CCCD, Ngày có kết quả, Ngày khởi phát, Ngày cách ly with day-first dates, ignoring the other columns', async () => {
    const r = await importFile('cases', corpus('cases-lab-vn.csv'), { profile: loadProfile('lab-vn') });
    expect(countsOf(r)).toEqual({ read: 5, imported: 3, duplicates: 0, rejected: 2 });
    expect(rejectsOf(r)).toEqual([
      [5, 'confirmed_at'],
      [6, 'infectious_to'],
    ]);
    expect(r.warnings[0]).toBe("ignored columns 'STT', 'Họ tên', 'Địa chỉ': not a cases column");
    expect(r.warnings.slice(1)).toEqual([expect.stringMatching(/^1 case is of people not in the population registry/), expect.stringMatching(/^1 case has onset after confirmation/)]);
    const got = await byId();
    expect(got.get(`${run}-BN1`)).toMatchObject({ personId: pseudonym(`${run}P1`), confirmedAt: hcm(2021, 8, 2, 9, 15), onsetAt: hcm(2021, 7, 31), infectiousTo: hcm(2021, 8, 2, 12) });
    // A bare date is its midnight in Ho Chi Minh City.
    expect(got.get(`${run}-BN2`)).toMatchObject({ confirmedAt: hcm(2021, 8, 2), onsetAt: null });
    expect(got.get(`${run}-BN3`)).toMatchObject({ registered: false, onsetAt: hcm(2021, 8, 5) });
  });
});
