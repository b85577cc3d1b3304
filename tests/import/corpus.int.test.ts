import fs from 'node:fs';
import path from 'node:path';
import { closeDriver } from '../../engine/db/driver';
import { rawKeys, readIdentities } from '../../engine/db/people';
import { listStations } from '../../engine/db/stations';
import { pseudonym } from '../../engine/identity';
import { loadProfile } from '../../engine/import';
import { stationsCsv } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { countsOf, csv, graphCounts, importFile, rejectsOf, storedPassages, tempDir, writeFile } from '../helpers/imports';

/**
 * The bad-input corpus (fixtures/import/README.md): each file or generated input against the
 * exact rejects (line, field) and counts. Files use `{R}` for the run prefix, so station ids,
 * passage ids and person ids are this run's own.
 */

const run = newRunId('imp');
const dir = tempDir('corpus');
const CORPUS = path.join(__dirname, '..', '..', 'fixtures', 'import');
const H = 'passage_id,person_id,station_id,at,left_at,source';
const utc = (h: number, m: number, s = 0) => Date.UTC(2021, 7, 2, h, m, s);

/** The corpus file with this run's prefix, written to the temp folder. */
function corpus(name: string, extra: Record<string, string> = {}): string {
  let text = fs.readFileSync(path.join(CORPUS, name)).toString('utf8');
  for (const [k, v] of Object.entries(extra)) text = text.replaceAll(k, v);
  return writeFile(dir, name, csv(text, run));
}

beforeAll(async () => {
  const stations = writeFile(dir, 'stations.csv', stationsCsv(run, 2, { 2: 'Europe/Paris' }));
  const r = await importFile('stations', stations);
  expect(countsOf(r)).toEqual({ read: 2, imported: 2, duplicates: 0, rejected: 0 });
});

afterAll(async () => {
  await removeRun(run, { people: [`${run}H1`, `${run}H6`], passagePeople: true });
  await closeDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('passages: valid input', () => {
  it('stores instants in UTC, reading those without offset in the station zone', async () => {
    const r = await importFile('passages', corpus('passages-valid.csv'));
    expect(countsOf(r)).toEqual({ read: 4, imported: 4, duplicates: 0, rejected: 0 });
    const got = await storedPassages(run);
    const byId = new Map(got.map((p) => [p.id, p]));
    expect(byId.get(`${run}x1`)).toMatchObject({ at: utc(0, 30), leftAt: utc(0, 30), stationId: `${run}S1`, links: 1, source: 'qr' });
    // 07:30–08:10 in Ho Chi Minh City = 00:30–01:10 UTC: one passage node, whatever the dwell.
    expect(byId.get(`${run}x2`)).toMatchObject({ at: utc(0, 30), leftAt: utc(1, 10), links: 1 });
    expect(byId.get(`${run}x4`)).toMatchObject({ at: utc(0, 30) });
    // 07:30 in Paris in August (UTC+2); the id is derived because the file gave none.
    const paris = got.find((p) => p.stationId === `${run}S2`);
    expect(paris).toMatchObject({ at: utc(5, 30), personId: pseudonym(`${run}P3`) });
    expect(paris?.id).toMatch(/^h[0-9a-f]{24}$/);
  });

  it('accepts offsets written +0700, +07, Z with fractions, and a space before the time', async () => {
    const r = await importFile('passages', corpus('passages-offsets.csv'));
    expect(countsOf(r)).toEqual({ read: 4, imported: 4, duplicates: 0, rejected: 0 });
    const got = new Map((await storedPassages(run)).map((p) => [p.id, p.at]));
    expect([`${run}o1`, `${run}o2`, `${run}o3`, `${run}o4`].map((id) => got.get(id))).toEqual([utc(12, 0), utc(12, 5), utc(12, 10), utc(12, 15) + 250]);
  });

  it('counts every row of a re-imported file as a duplicate and leaves the graph as it was', async () => {
    const before = await graphCounts(run);
    const r = await importFile('passages', corpus('passages-valid.csv'));
    expect(countsOf(r)).toEqual({ read: 4, imported: 0, duplicates: 4, rejected: 0 });
    expect(await graphCounts(run)).toEqual(before);
  });
});

describe('passages: the rejects corpus', () => {
  const cases: [file: string, counts: [read: number, imported: number, duplicates: number, rejected: number], rejects: [number, string][]][] = [
    ['passages-bom-crlf.csv', [3, 2, 0, 1], [[3, 'at']]],
    ['passages-quoted-newlines.csv', [4, 2, 0, 2], [[3, 'source'], [6, 'station_id']]],
    ['passages-truncated-last-line.csv', [2, 1, 0, 1], [[3, 'row']]],
    ['passages-truncated-in-quote.csv', [2, 1, 0, 1], [[3, 'row']]],
    ['passages-wrong-column-count.csv', [4, 1, 0, 3], [[2, 'row'], [3, 'row'], [5, 'row']]],
    ['passages-unknown-station.csv', [2, 1, 0, 1], [[2, 'station_id']]],
    ['passages-left-at.csv', [3, 1, 0, 2], [[2, 'left_at'], [3, 'left_at']]],
    ['passages-bad-instants.csv', [8, 1, 0, 7], [[2, 'at'], [3, 'at'], [4, 'at'], [5, 'at'], [6, 'left_at'], [7, 'at'], [9, 'at']]],
    ['passages-out-of-range.csv', [7, 1, 0, 6], [[2, 'at'], [3, 'at'], [4, 'at'], [5, 'at'], [6, 'at'], [7, 'left_at']]],
    ['passages-repeats.csv', [5, 2, 2, 1], [[6, 'passage_id']]],
    ['passages-blank-lines.csv', [2, 1, 0, 1], [[6, 'station_id']]],
  ];
  it.each(cases)('%s: counts %j, rejects %j', async (file, [read, imported, duplicates, rejected], rejects) => {
    const r = await importFile('passages', corpus(file));
    expect(countsOf(r)).toEqual({ read, imported, duplicates, rejected });
    expect(rejectsOf(r)).toEqual(rejects);
    expect(r.read).toBe(r.imported + r.duplicates + r.rejected);
  });

  it('names the reason of each bad instant without repeating personal data', async () => {
    const r = await importFile('passages', corpus('passages-bad-instants.csv'));
    expect(r.rejects.map((x) => x.reason)).toEqual([
      expect.stringContaining('day 30 does not exist in 2021-02'),
      expect.stringContaining('month 13 out of range'),
      expect.stringContaining("'yesterday' is not an ISO 8601 date-time"),
      expect.stringContaining('out of range'),
      expect.stringContaining('left_at'),
      'at is empty',
      expect.stringContaining("offset '+15:00' out of range"),
    ]);
    for (const x of r.rejects) expect(x.reason).not.toContain(`${run}P1`);
  });

  it('says why an instant is out of range: before 2000, or more than a day after the import ran', async () => {
    const r = await importFile('passages', corpus('passages-out-of-range.csv'), { now: Date.UTC(2021, 7, 15) });
    expect(r.rejects.map((x) => x.reason)).toEqual([
      expect.stringContaining('before 2000-01-01'),
      expect.stringContaining('before 2000-01-01'),
      expect.stringContaining('before 2000-01-01'),
      expect.stringContaining('more than a day after now (2021-08-15T00:00:00.000Z)'),
      expect.stringContaining('more than a day after now'),
      expect.stringMatching(/^left_at: .*more than a day after now/),
    ]);
  });

  it('rejects an id that is empty, longer than 64 characters or holds a control character', async () => {
    const id64 = `${run}P`.padEnd(64, 'x');
    const text = [
      H,
      `${run}i1,,${run}S1,2021-08-02T20:00:00+07:00,,qr`,
      `${run}i2,${id64}y,${run}S1,2021-08-02T20:00:00+07:00,,qr`,
      `${run}i3,${id64},${run}S1,2021-08-02T20:00:00+07:00,,qr`,
      `${`${run}i4`.padEnd(65, 'z')},${run}P1,${run}S1,2021-08-02T20:00:00+07:00,,qr`,
      `${run}i5,${run}P1,,2021-08-02T20:00:00+07:00,,qr`,
      `${run}i6,"${run}P\t1",${run}S1,2021-08-02T20:00:00+07:00,,qr`,
    ].join('\n');
    const r = await importFile('passages', writeFile(dir, 'ids.csv', text));
    expect(countsOf(r)).toEqual({ read: 6, imported: 1, duplicates: 0, rejected: 5 });
    expect(rejectsOf(r)).toEqual([[2, 'person_id'], [3, 'person_id'], [5, 'passage_id'], [6, 'station_id'], [7, 'person_id']]);
    expect(r.rejects[1]?.reason).toBe('person_id is longer than 64 characters');
  });

  it('reads NFD Vietnamese ids as their NFC form: one person, and the length counted in NFC', async () => {
    const nfc = `${run}NGUYỄN-ĐỨC`;
    const long = `${run}Ễ`.padEnd(64, 'Ễ'); // 64 characters in NFC, more in NFD
    expect(long.normalize('NFD').length).toBeGreaterThan(64);
    const text = [
      H,
      `,${nfc.normalize('NFD')},${run}S1,2021-08-02T21:00:00+07:00,,qr`,
      `,${nfc},${run}S1,2021-08-02T21:00:00+07:00,,qr`,
      `,${long.normalize('NFD')},${run}S1,2021-08-02T21:05:00+07:00,,qr`,
    ].join('\n');
    const r = await importFile('passages', writeFile(dir, 'nfd.csv', text));
    expect(countsOf(r)).toEqual({ read: 3, imported: 2, duplicates: 1, rejected: 0 });
    const keys = await rawKeys([pseudonym(nfc), pseudonym(long)]);
    expect(keys.get(pseudonym(nfc))).toBe(nfc);
    expect(keys.get(pseudonym(long))).toBe(long);
  });

  it('rejects a field that is not valid UTF-8, naming the column', async () => {
    const head = Buffer.from(`${H}\n${run}g1,${run}P1,${run}S1,2021-08-02T21:10:00+07:00,,q`);
    const text = Buffer.concat([head, Buffer.from([0xff, 0xfe]), Buffer.from(`r\n${run}g2,${run}P1,${run}S1,2021-08-02T21:15:00+07:00,,qr\n`)]);
    const r = await importFile('passages', writeFile(dir, 'latin1.csv', text));
    expect(countsOf(r)).toEqual({ read: 2, imported: 1, duplicates: 0, rejected: 1 });
    expect(rejectsOf(r)).toEqual([[2, 'source']]);
    expect(r.rejects[0]?.reason).toContain('not valid UTF-8');
  });

  it('stores formula-like text literally and neutralises it in the rejects report', async () => {
    const report = path.join(dir, 'formulas-rejects.csv');
    const r = await importFile('passages', corpus('passages-formulas.csv'), { reportFile: report });
    expect(countsOf(r)).toEqual({ read: 3, imported: 2, duplicates: 0, rejected: 1 });
    expect(rejectsOf(r)).toEqual([[4, 'station_id']]);
    const got = await storedPassages(run);
    const hyper = got.find((p) => p.id === `=HYPERLINK("http://x.test/${run}","click")`);
    expect(hyper).toMatchObject({ source: '@SUM(A1)', personId: pseudonym(`+${run}84901234567`) });
    expect(got.find((p) => p.id === `-${run}2`)).toMatchObject({ source: '=1+2', personId: pseudonym(`=${run}1+1`) });
    expect((await rawKeys([pseudonym(`+${run}84901234567`)])).get(pseudonym(`+${run}84901234567`))).toBe(`+${run}84901234567`);
    const lines = fs.readFileSync(report, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('line,field,reason,value');
    expect(lines[1]).toMatch(/^4,"station_id","unknown station '=cmd.*","'=cmd\|' \/C calc'!A0"$/);
  });

  it('takes a stray quote inside an unquoted field literally', async () => {
    const r = await importFile('passages', corpus('passages-stray-quote.csv'));
    expect(countsOf(r)).toEqual({ read: 1, imported: 1, duplicates: 0, rejected: 0 });
    expect((await storedPassages(run)).find((p) => p.id === `${run}s"1`)).toMatchObject({ source: 'q"r' });
  });

  it('rejects a known passage id that comes back with other content, and keeps the stored one', async () => {
    const text = `${H}\n${run}x1,${run}P1,${run}S1,2021-08-02T07:31:00+07:00,,qr\n`;
    const r = await importFile('passages', writeFile(dir, 'conflict.csv', text));
    expect(countsOf(r)).toEqual({ read: 1, imported: 0, duplicates: 0, rejected: 1 });
    expect(rejectsOf(r)).toEqual([[2, 'passage_id']]);
    expect((await storedPassages(run)).find((p) => p.id === `${run}x1`)?.at).toBe(utc(0, 30));
  });
});

describe('passages: files that cannot be imported', () => {
  it('stops on an empty file', async () => {
    await expect(importFile('passages', corpus('passages-empty.csv'))).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(importFile('passages', corpus('passages-empty.csv'))).rejects.toThrow('is empty: a header row is required');
  });

  it('imports nothing from a header-only file and says so', async () => {
    const r = await importFile('passages', corpus('passages-header-only.csv'));
    expect(countsOf(r)).toEqual({ read: 0, imported: 0, duplicates: 0, rejected: 0 });
  });

  it('stops on a missing required column, naming it', async () => {
    const file = corpus('passages-missing-column.csv');
    await expect(importFile('passages', file)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(importFile('passages', file)).rejects.toThrow('the header has no station_id column');
  });

  it('stops on a column given twice', async () => {
    await expect(importFile('passages', corpus('passages-duplicate-column.csv'))).rejects.toThrow("the header gives person_id twice: columns 'person_id' and 'person_id'");
  });

  it('stops on a missing file', async () => {
    await expect(importFile('passages', path.join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('passages: headers of other shapes', () => {
  it('finds columns in any order and ignores extra ones with a warning', async () => {
    const r = await importFile('passages', corpus('passages-extra-column.csv'));
    expect(countsOf(r)).toEqual({ read: 1, imported: 1, duplicates: 0, rejected: 0 });
    expect(r.warnings).toEqual(["ignored column 'note': not a passages column"]);
  });

  it('renames columns with --map', async () => {
    const r = await importFile('passages', corpus('passages-mapped.csv'), { map: { id: 'passage_id', cccd: 'person_id', checkpoint: 'station_id', time: 'at' } });
    expect(countsOf(r)).toEqual({ read: 1, imported: 1, duplicates: 0, rejected: 0 });
    expect((await storedPassages(run)).find((p) => p.id === `${run}w1`)?.at).toBe(utc(11, 30));
  });

  it('reads Vietnamese headers and day-first dates with the vn profile', async () => {
    const r = await importFile('passages', corpus('passages-vn-profile.csv'), { profile: loadProfile('vn') });
    expect(countsOf(r)).toEqual({ read: 3, imported: 2, duplicates: 0, rejected: 1 });
    expect(rejectsOf(r)).toEqual([[4, 'at']]);
    const got = new Map((await storedPassages(run)).map((p) => [p.id, p]));
    expect(got.get(`${run}v1`)).toMatchObject({ at: utc(10, 30), leftAt: utc(11, 0), source: 'ncovi' });
    expect(got.get(`${run}v2`)?.at).toBe(utc(10, 45));
  });
});

describe('stations', () => {
  it('validates ids, codes, coordinates, zones and kinds, and stores names literally', async () => {
    const r = await importFile('stations', corpus('stations-rules.csv'));
    expect(countsOf(r)).toEqual({ read: 10, imported: 2, duplicates: 1, rejected: 7 });
    expect(rejectsOf(r)).toEqual([[4, 'lat'], [5, 'province'], [6, 'tz'], [7, 'kind'], [8, 'name'], [10, 'lat'], [13, 'station_id']]);
    const got = await listStations({ ids: [`${run}T1`, `${run}T7`] });
    expect(got.map((s) => [s.id, s.name, s.kind, s.district])).toEqual([
      [`${run}T1`, 'Chợ\nBến Thành', 'market', '760'],
      [`${run}T7`, '=HYPERLINK("http://evil.test","x")', 'other', ''],
    ]);
  });

  it('counts an unchanged re-import as duplicates and a changed station as updated', async () => {
    const file = writeFile(dir, 'st2.csv', stationsCsv(run, 2, { 2: 'Europe/Paris' }));
    expect(countsOf(await importFile('stations', file))).toEqual({ read: 2, imported: 0, duplicates: 2, rejected: 0 });
    const changed = writeFile(dir, 'st3.csv', stationsCsv(run, 2, { 2: 'Europe/Berlin' }));
    const r = await importFile('stations', changed);
    expect({ ...countsOf(r), updated: r.updated }).toEqual({ read: 2, imported: 1, duplicates: 1, rejected: 0, updated: 1 });
    await importFile('stations', file);
  });
});

describe('people', () => {
  it('validates registry rows, stores names in NFC and marks people registered', async () => {
    const nfd = 'Nguyễn Thị Ánh'.normalize('NFD');
    const r = await importFile('people', corpus('people-rules.csv', { '{NFD_NAME}': nfd }));
    expect(countsOf(r)).toEqual({ read: 9, imported: 2, duplicates: 1, rejected: 6 });
    expect(rejectsOf(r)).toEqual([[3, 'birth_date'], [4, 'sex'], [5, 'full_name'], [6, 'phone'], [9, 'person_id'], [10, 'commune']]);
    const ids = await readIdentities([pseudonym(`${run}H1`), pseudonym(`${run}H6`)]);
    expect(ids.get(pseudonym(`${run}H1`))).toMatchObject({ fullName: 'Nguyễn Thị Ánh', phone: '0901234567', sex: 'F', birthDate: '1990-04-30' });
    expect(ids.get(pseudonym(`${run}H1`))?.fullName).toBe('Nguyễn Thị Ánh'.normalize('NFC'));
    expect(ids.get(pseudonym(`${run}H6`))?.fullName).toBe('=HYPERLINK("http://evil.test")');
    for (const x of r.rejects) expect(x.reason).not.toMatch(/Trần|Lê Chi|Phạm|Someone/);
  });

  it('counts the same registry file again as duplicates only', async () => {
    const nfd = 'Nguyễn Thị Ánh'.normalize('NFD');
    const r = await importFile('people', corpus('people-rules.csv', { '{NFD_NAME}': nfd }));
    expect(countsOf(r)).toEqual({ read: 9, imported: 0, duplicates: 3, rejected: 6 });
  });
});
