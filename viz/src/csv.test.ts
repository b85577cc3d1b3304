import { BOM, csvCell, neutralizeCell, peopleCsv, toCsv } from './csv';
import { sampleTrace, stations } from './testing/sample';

const stationMap = new Map(stations.map((s) => [s.id, s]));

/** Splits our CSV (CRLF rows, RFC 4180 quotes) back into cells. */
function parse(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i]!;
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && csv[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('CSV cells', () => {
  it.each(['=1+1', '+84901', '-2', '@SUM(A1)', '\tx', '\rx'])('prefixes a formula-like cell %j with an apostrophe', (v) => {
    expect(neutralizeCell(v)).toBe(`'${v}`);
  });

  it('leaves ordinary text alone', () => {
    expect(neutralizeCell('Nguyễn Văn An')).toBe('Nguyễn Văn An');
    expect(neutralizeCell('0901234567')).toBe('0901234567');
  });

  it('quotes cells with commas, quotes or line breaks, doubling the quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
  });

  it('writes a BOM, CRLF line ends and a final line break', () => {
    expect(toCsv([['a', 'b'], ['c', 'd']])).toBe(`${BOM}a,b\r\nc,d\r\n`);
  });
});

describe('peopleCsv', () => {
  const csv = peopleCsv(sampleTrace(), stationMap, 'en');
  const rows = parse(csv.slice(1));

  it('starts with the UTF-8 BOM so Excel reads Vietnamese names', () => {
    expect(csv.startsWith(BOM)).toBe(true);
  });

  it('has a header, F0, then every person in the engine order', () => {
    expect(rows[0]).toEqual([
      'Generation',
      'Person key',
      'Full name',
      'Birth date',
      'Sex',
      'Phone',
      'In the registry',
      'Exposed at (Ho Chi Minh City time)',
      'Risk score',
      'Via',
      'Contacts',
      'First contact place',
      'Contacts on national QR (lower trust)',
    ]);
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['F0', '079090005444'],
      ['F1', '079190000001'],
      ['F1', "'@SUM(1)"],
      ['F2', '079190000003'],
      ['F2', '079190000004'],
    ]);
  });

  it('neutralizes formula-like names, keys and phones from the data', () => {
    expect(rows[2]![2]).toBe(`'=HYPERLINK("http://x.invalid")`);
    expect(rows[4]![5]).toBe("'+84903000003");
    expect(rows[4]![2]).toBe('Trần Thị "Bé", Ba');
  });

  it('gives exposure times in Ho Chi Minh City time, via as person keys, and the evidence count', () => {
    expect(rows[2]!.slice(7, 12)).toEqual(['2021-08-01 07:30:00', '0.632', '079090005444', '2', 'Chợ Bến Thành']);
    expect(rows[5]!.slice(9, 11)).toEqual(['079190000001 @SUM(1)', '2']);
    expect(rows[3]![6]).toBe('no');
  });

  it('counts the contacts that rest on a national-QR passage (lower-trust evidence)', () => {
    expect(rows.slice(1).map((r) => [r[0], r[12]])).toEqual([
      ['F0', ''],
      ['F1', '0'],
      ['F1', '0'],
      ['F2', '0'],
      ['F2', '1'],
    ]);
  });

  it('labels the columns in Vietnamese when the view is in Vietnamese', () => {
    const vi = parse(peopleCsv(sampleTrace(), stationMap, 'vi').slice(1));
    expect(vi[0]![0]).toBe('Thế hệ');
    expect(vi[0]![2]).toBe('Họ tên');
  });
});
