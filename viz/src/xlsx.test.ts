import ExcelJS from 'exceljs';
import { peopleTable } from './export-rows';
import { A, sampleTrace, stations } from './testing/sample';
import { peopleWorkbook } from './xlsx';

const stationMap = new Map(stations.map((s) => [s.id, s]));

/** The workbook written as the view writes it, read back as Excel would. */
async function readBack(lang: 'vi' | 'en' = 'en'): Promise<ExcelJS.Worksheet> {
  const trace = sampleTrace({
    identities: { ...sampleTrace().identities, [A]: { ...sampleTrace().identities[A]!, home: { province: '79', district: '760', districtName: 'Quận 1', communeName: 'Bến Nghé' } } },
  });
  const bytes = await peopleWorkbook(ExcelJS, peopleTable(trace, stationMap, lang), { sheet: 'Trace list', title: 'truyvet · test', createdAt: new Date('2021-08-03T00:00:00Z') });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no sheet');
  return ws;
}

describe('the people as an Excel workbook', () => {
  let ws: ExcelJS.Worksheet;
  const col = (name: string) => (ws.getRow(2).values as unknown[]).indexOf(name);

  beforeAll(async () => {
    ws = await readBack();
  });

  it('has a title row, then the header, then F0 and every person', () => {
    expect(ws.name).toBe('Trace list');
    expect(ws.getCell(1, 1).value).toBe('truyvet · test');
    expect(ws.getCell(2, 1).value).toBe('Generation');
    expect(ws.getRow(2).cellCount).toBe(22);
    expect([3, 4, 5, 6, 7].map((r) => ws.getCell(r, 1).value)).toEqual(['F0', 'F1', 'F1', 'F2', 'F2']);
  });

  it('keeps phones and national ids as text cells, leading 0 included (not 7.9E+10)', () => {
    const phone = ws.getCell(3, col('Phone'));
    expect(phone.type).toBe(ExcelJS.ValueType.String);
    expect(phone.value).toBe('0901234567');
    expect(phone.numFmt).toBe('@');
    const key = ws.getCell(3, col('Person key'));
    expect(key.type).toBe(ExcelJS.ValueType.String);
    expect(key.value).toBe('079090005444');
    expect(ws.getColumn(col('Phone')).numFmt).toBe('@');
  });

  it('writes a formula-like value as the text it is, never as a formula', () => {
    const name = ws.getCell(4, col('Full name'));
    expect(name.type).toBe(ExcelJS.ValueType.String);
    expect(name.value).toBe('=HYPERLINK("http://x.invalid")');
  });

  it('writes scores and counts as numbers, times as dates in Ho Chi Minh City wall time', () => {
    expect(ws.getCell(4, col('Risk score')).value).toBe(0.632);
    expect(ws.getCell(4, col('Contacts')).value).toBe(2);
    const at = ws.getCell(4, col('Exposed at (Ho Chi Minh City time)'));
    expect(at.type).toBe(ExcelJS.ValueType.Date);
    expect((at.value as Date).toISOString()).toBe('2021-08-01T07:30:00.000Z');
    expect(at.numFmt).toBe('dd/mm/yyyy hh:mm');
    expect(ws.getCell(3, col('Contacts')).value).toBeNull();
  });

  it('names the home ward and district', () => {
    expect([ws.getCell(4, col('Home ward/commune')).value, ws.getCell(4, col('Home district')).value]).toEqual(['Bến Nghé', 'Quận 1']);
  });

  it('freezes the header and filters it', () => {
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(ws.autoFilter).toBeDefined();
  });
});
