import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseInstant } from '../time';
import { PrefixHasher, hashPrefix } from './checkpoint';
import { readCsv } from './csv';
import { parseMapSpec, planColumns, renames } from './header';
import { loadProfile } from './profiles';
import { formatReportRow, neutralize, reportValue } from './report';
import { dayFirstToIso, instant, passageValidator, stationValidator } from './rows';

describe('instants without offset', () => {
  it('gives what parseInstant gives, every 53 minutes of a year, in zones with and without daylight saving', () => {
    let checked = 0;
    for (const tz of ['Asia/Ho_Chi_Minh', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe']) {
      for (let ms = Date.UTC(2021, 0, 1); ms < Date.UTC(2022, 0, 1); ms += 53 * 60_000 + 13_000) {
        const text = new Date(ms).toISOString().slice(0, 19);
        expect(instant(text, tz)).toEqual(parseInstant(text, tz));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(35_000);
  });

  it('reads day-first dates as Vietnamese spreadsheets write them', () => {
    expect(dayFirstToIso('02/08/2021 07:30')).toBe('2021-08-02T07:30:00');
    expect(dayFirstToIso('2/8/2021')).toBe('2021-08-02');
    expect(dayFirstToIso('2021-08-02T07:30')).toBe('2021-08-02T07:30');
  });
});

describe('row rules', () => {
  const NOW = Date.UTC(2021, 7, 15);
  const passage = passageValidator({ dayFirst: false, zones: new Map([['S1', 'Asia/Ho_Chi_Minh']]), now: NOW });
  const row = { passage_id: '', person_id: 'P1', station_id: 'S1', at: '2021-08-02T07:30:00', left_at: '', source: 'qr' };

  it('reads an instant without offset in the station zone and stores UTC', () => {
    expect(passage(row)).toEqual({ ok: true, value: { passageId: undefined, rawPersonId: 'P1', stationId: 'S1', at: Date.UTC(2021, 7, 2, 0, 30), leftAt: Date.UTC(2021, 7, 2, 0, 30), source: 'qr' } });
  });

  it('names the first bad field in column order', () => {
    expect(passage({ ...row, person_id: '', at: 'x' })).toMatchObject({ ok: false, field: 'person_id' });
    expect(passage({ ...row, station_id: 'S2', at: 'x' })).toMatchObject({ ok: false, field: 'station_id' });
  });

  it("rejects a known station outside the import's jurisdiction with its own reason", () => {
    const scoped = passageValidator({ dayFirst: false, zones: new Map([['S1', 'Asia/Ho_Chi_Minh']]), outside: new Set(['S9']), now: NOW });
    expect(scoped({ ...row, station_id: 'S9' })).toEqual({ ok: false, field: 'station_id', reason: "station 'S9' is outside your jurisdiction" });
    expect(scoped({ ...row, station_id: 'S8' })).toMatchObject({ ok: false, field: 'station_id', reason: expect.stringMatching(/^unknown station 'S8'/) as unknown });
    expect(scoped(row)).toMatchObject({ ok: true });
  });

  it.each([
    ['at', { at: '0021-08-02T07:30:00' }, 'before 2000-01-01'],
    ['at', { at: '0021-08-02T07:30:00+07:00' }, 'before 2000-01-01'],
    ['at', { at: '1999-12-31T23:59:59Z' }, 'before 2000-01-01'],
    ['at', { at: '9999-08-02T07:30:00' }, 'more than a day after now'],
    ['at', { at: '2021-08-16T07:00:01' }, 'more than a day after now'],
    ['left_at', { left_at: '2021-08-16T07:00:01' }, 'more than a day after now'],
  ])('rejects an instant outside [2000, now + 1 day] naming the field %s (%o)', (field, over, reason) => {
    const r = passage({ ...row, ...over });
    expect(r).toMatchObject({ ok: false, field, reason: expect.stringContaining(reason) as unknown });
  });

  it('accepts instants up to a day after now, in the station zone', () => {
    expect(passage({ ...row, at: '2021-08-16T07:00:00' })).toMatchObject({ ok: true, value: { at: NOW + 86_400_000 } });
    expect(passage({ ...row, at: '2000-01-01T07:00:00' })).toMatchObject({ ok: true, value: { at: Date.UTC(2000, 0, 1) } });
  });

  it('keeps formula-like text as it is', () => {
    expect(passage({ ...row, person_id: '=HYPERLINK("x")', source: '@SUM(1)' })).toMatchObject({ ok: true, value: { rawPersonId: '=HYPERLINK("x")', source: '@SUM(1)' } });
  });

  it('translates Vietnamese station kinds and defaults the zone', () => {
    const st = stationValidator()({ station_id: 'S', name: 'Chợ', province: '79', district: '', commune: '26734', lat: '10.7', lon: '106.7', tz: '', kind: 'Chợ' });
    expect(st).toMatchObject({ ok: true, value: { kind: 'market', tz: 'Asia/Ho_Chi_Minh', district: '' } });
  });
});

describe('headers', () => {
  it('matches names whatever their case, spacing and Unicode form, through a profile', () => {
    const header = ['  SỐ CCCD '.normalize('NFD'), 'Mã chốt', 'Thời gian vào', 'Ghi chú'];
    const plan = planColumns('passages', header, renames('passages', loadProfile('vn'), {}));
    expect([...plan.index.entries()]).toEqual([['person_id', 0], ['station_id', 1], ['at', 2]]);
    expect(plan.warnings).toEqual(["ignored column 'Ghi chú': not a passages column"]);
  });

  it('finds the registry columns of a tokhaiyte.vn export with its profile', () => {
    const header = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'platforms', 'tokhaiyte.csv'), 'utf8').split('\n')[0]!;
    const plan = planColumns('people', header.match(/("[^"]*"|[^,]+)/g)!.map((h) => h.replace(/^"|"$/g, '')), renames('people', loadProfile('tokhaiyte'), {}));
    expect([...plan.index.keys()].sort()).toEqual(['commune', 'district', 'full_name', 'person_id', 'phone', 'province', 'sex']);
  });

  it('reads --map and refuses a destination that is not a column', () => {
    expect(parseMapSpec('Số CCCD=person_id, time = at')).toEqual({ 'Số CCCD': 'person_id', time: 'at' });
    expect(() => parseMapSpec('cccd')).toThrow('not SRC=DEST');
    expect(() => renames('passages', undefined, { x: 'name' })).toThrow("'name' is not a column of passages files");
  });
});

describe('rejects report', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(['=1+1', '+1', '-1', '@A1', '\tx', 'ok'].map(neutralize)).toEqual(["'=1+1", "'+1", "'-1", "'@A1", "'\tx", 'ok']);
    expect(formatReportRow({ line: 3, field: 'station_id', reason: 'unknown station', value: '=HYPERLINK("x")' })).toBe(
      `3,"station_id","unknown station","'=HYPERLINK(""x"")"\n`,
    );
  });

  it('never copies personal fields, and keeps one reject on one line', () => {
    expect(reportValue('person_id', '079123456789')).toBe('');
    expect(reportValue('source', 'a\nb')).toBe('a\\nb');
  });
});

describe('reading CSV', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-csv-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('numbers physical lines through BOM, CRLF inside quotes and blank lines', async () => {
    const file = path.join(dir, 'a.csv');
    fs.writeFileSync(file, '\uFEFFa,b\r\n"x\r\ny",2\r\n\r\n3,4\r\n');
    const items = [];
    for await (const it of readCsv(file)) items.push(it.kind === 'record' ? [it.line, it.endLine, it.fields] : [it.line]);
    expect(items).toEqual([[1, 1, ['a', 'b']], [2, 3, ['x\r\ny', '2']], [5, 5, ['3', '4']]]);
  });

  it('resumes at a record boundary with the right line numbers', async () => {
    const file = path.join(dir, 'b.csv');
    fs.writeFileSync(file, 'a,b\n1,2\n3,4\n');
    const all = [];
    for await (const it of readCsv(file)) all.push(it);
    const second = all[1]!;
    const rest = [];
    for await (const it of readCsv(file, { startByte: second.endByte, startLine: second.endLine + 1 })) rest.push(it);
    expect(rest).toEqual([all[2]]);
  });

  it('hashes the same prefix whether it is fed in chunks or read again', async () => {
    const file = path.join(dir, 'c.csv');
    const text = Buffer.from('a,b\n'.repeat(1000));
    fs.writeFileSync(file, text);
    const h = new PrefixHasher();
    for (let o = 0; o < text.length; o += 333) h.feed(text.subarray(o, o + 333), o);
    const at1000 = h.digestTo(1000);
    expect(at1000).toBe((await hashPrefix(file, 1000)).hex);
    expect(h.digestTo(3001)).toBe((await hashPrefix(file, 3001)).hex);
  });
});
