import { BOM, csvCell, neutralizeCell, peopleCsv, toCsv } from './csv';
import { A, B, sampleTrace, stations } from './testing/sample';

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

  const col = (name: string) => rows[0]!.indexOf(name);

  it('has a header, F0, then every person in the engine order', () => {
    expect(rows[0]).toEqual([
      'Generation',
      'Person key',
      'Full name',
      'Birth date',
      'Sex',
      'Phone',
      'In the registry',
      'Home ward/commune',
      'Home district',
      'Home province',
      'Contact class',
      'Exposed at (Ho Chi Minh City time)',
      'Risk score',
      'Via',
      'Via (names, in your jurisdiction)',
      'Contacts',
      'First contact at (Ho Chi Minh City time)',
      'First contact place',
      'First contact, time together (minutes)',
      'Contacts on national QR (lower trust)',
      'Evidence trust',
      'Request reference',
    ]);
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['F0', '079090005444'],
      ['F1', '079190000001'],
      ['F1', "'@SUM(1)"],
      ['F2', '079190000003'],
      ['F2', '079190000004'],
    ]);
  });

  it('keeps the leading 0 of a phone in the file, and neutralizes formula-like names, keys and phones from the data', () => {
    expect(rows[1]![col('Phone')]).toBe('0901234567');
    expect(rows[2]![2]).toBe(`'=HYPERLINK("http://x.invalid")`);
    expect(rows[4]![5]).toBe("'+84903000003");
    expect(rows[4]![2]).toBe('Trần Thị "Bé", Ba');
  });

  it('gives exposure times in Ho Chi Minh City time, via as person keys and names, and the evidence count', () => {
    const a = rows[2]!;
    expect([a[col('Exposed at (Ho Chi Minh City time)')], a[col('Risk score')], a[col('Via')], a[col('Via (names, in your jurisdiction)')], a[col('Contacts')]]).toEqual([
      '2021-08-01 07:30:00',
      '0.632',
      '079090005444',
      'Nguyễn Văn An',
      '2',
    ]);
    const d = rows[5]!;
    // B has no name in the data: only the names there are.
    expect([d[col('Via')], d[col('Via (names, in your jurisdiction)')], d[col('Contacts')]]).toEqual(['079190000001 @SUM(1)', "'=HYPERLINK(\"http://x.invalid\")", '2']);
    expect(rows[3]![6]).toBe('no');
  });

  it('gives the first contact’s time, place and minutes together, and the request reference on every row', () => {
    const a = rows[2]!;
    expect([a[col('First contact at (Ho Chi Minh City time)')], a[col('First contact place')], a[col('First contact, time together (minutes)')]]).toEqual([
      '2021-08-01 07:30:00',
      'Chợ Bến Thành',
      '10',
    ]);
    expect(rows.slice(1).map((r) => r[col('Request reference')])).toEqual(Array(5).fill('123/SYT-NVY'));
    expect(rows[1]![col('First contact place')]).toBe('');
  });

  it('counts the contacts that rest on a national-QR passage (lower-trust evidence), and says the trust', () => {
    expect(rows.slice(1).map((r) => [r[0], r[col('Contacts on national QR (lower trust)')], r[col('Evidence trust')]])).toEqual([
      ['F0', '', ''],
      ['F1', '0', 'standard'],
      ['F1', '0', 'standard'],
      ['F2', '0', 'standard'],
      ['F2', '1', 'lower (a national QR scan)'],
    ]);
  });

  it('writes the home ward, district and province (codes when the names are missing), and each person’s class', () => {
    const withHomes = sampleTrace({
      identities: { ...sampleTrace().identities, [A]: { ...sampleTrace().identities[A]!, home: { province: '79', provinceName: 'TP. Hồ Chí Minh', district: '760', districtName: 'Quận 1', commune: '26734' } } },
      outside: { [B]: { registered: true, province: '74', provinceName: 'Bình Dương', district: '718' } },
      people: sampleTrace().people.map((p, i) => ({ ...p, class: i === 0 ? ('close' as const) : ('brief' as const) })),
    });
    const r = parse(peopleCsv(withHomes, stationMap, 'en').slice(1));
    expect(r[2]!.slice(col('Home ward/commune'), col('Contact class') + 1)).toEqual(['26734', 'Quận 1', 'TP. Hồ Chí Minh', 'Close']);
    expect(r[3]!.slice(col('Home ward/commune'), col('Contact class') + 1)).toEqual(['', '718', 'Bình Dương', 'Brief']);
    expect(r[1]![col('Contact class')]).toBe('');
  });

  it('labels the columns in Vietnamese when the view is in Vietnamese', () => {
    const vi = parse(peopleCsv(sampleTrace(), stationMap, 'vi').slice(1));
    expect(vi[0]![0]).toBe('Thế hệ');
    expect(vi[0]![2]).toBe('Họ tên');
  });
});
