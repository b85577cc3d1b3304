import { SOURCES, sexLabel, sourceLabel } from './words';

describe('registry and source codes in words', () => {
  it('says the sex in the page’s language', () => {
    expect([sexLabel('vi', 'F'), sexLabel('vi', 'M'), sexLabel('en', 'F'), sexLabel('en', 'M')]).toEqual(['Nữ', 'Nam', 'Female', 'Male']);
    expect([sexLabel('vi', ''), sexLabel('vi', undefined), sexLabel('vi', 'X')]).toEqual(['', '', 'X']);
  });

  it('names every source platform in both languages, and leaves an unknown code as it is', () => {
    for (const s of SOURCES) {
      expect(sourceLabel('vi', s)).not.toBe(s);
      expect(sourceLabel('en', s)).not.toBe(s);
    }
    expect(sourceLabel('vi', 'qr')).toBe('Quét mã QR tại chốt');
    expect(sourceLabel('en', 'vhd')).toBe('Vietnam Health Declaration (tokhaiyte.vn)');
    expect(sourceLabel('en', 'fax')).toBe('fax');
  });
});
