import { headerRecord, MAX_HEADER_BYTES } from './header';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('the header of an upload, read from its first bytes', () => {
  it('waits for the end of the header line, then gives its fields', () => {
    expect(headerRecord(b('person_id,stat'), false)).toBe('more');
    expect(headerRecord(b('person_id,station_id,at\nP,S'), false)).toEqual({ fields: ['person_id', 'station_id', 'at'] });
    // A file of a header only, without a line break.
    expect(headerRecord(b('person_id,station_id,at'), true)).toEqual({ fields: ['person_id', 'station_id', 'at'] });
  });

  it('skips a BOM and blank lines, ends the line at CR or LF, and keeps a quoted line break inside a name', () => {
    expect(headerRecord(b('\uFEFF\r\n\r\nat,person_id\r\nx'), false)).toEqual({ fields: ['at', 'person_id'] });
    expect(headerRecord(b('"Số\nCCCD",at'), false)).toBe('more');
    expect(headerRecord(b('"Số\nCCCD",at\n'), false)).toEqual({ fields: ['Số\nCCCD', 'at'] });
  });

  it('says why bytes cannot start a CSV file', () => {
    expect(() => headerRecord(b(''), true)).toThrow(/the upload is empty: a header row is required/);
    expect(() => headerRecord(b('\n\n'), true)).toThrow(/empty/);
    expect(() => headerRecord(b(',, ,\nx'), false)).toThrow(/the header row is empty/);
    expect(() => headerRecord(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), false)).toThrow(/not CSV text/);
    expect(() => headerRecord(Buffer.from([0x61, 0xfa, 0x0a]), false)).toThrow(/not UTF-8/);
    expect(() => headerRecord(b('x'.repeat(MAX_HEADER_BYTES + 1)), false)).toThrow(/longer than 64 KiB/);
  });
});
