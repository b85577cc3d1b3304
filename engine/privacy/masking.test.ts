import { maskBirthDate, maskName, maskPhone, maskRawKey } from './masking';

describe('masking', () => {
  it('keeps only the initials of a Vietnamese name, diacritics included', () => {
    expect(maskName('Nguyễn Thị Ánh')).toBe('N. T. Á.');
    expect(maskName('  Đỗ   Văn  ')).toBe('Đ. V.');
    // NFD input gives the same initials as NFC
    expect(maskName('Ánh'.normalize('NFD'))).toBe('Á.');
  });

  it('keeps the last three digits of a phone and of a document number', () => {
    expect(maskPhone('0901 234 567')).toBe('*******567');
    expect(maskPhone('12')).toBe('**');
    expect(maskRawKey('079090001234')).toBe('*********234');
    expect(maskRawKey('ab')).toBe('**');
  });

  it('keeps the year of a birth date only', () => {
    expect(maskBirthDate('1990-04-30')).toBe('1990');
    expect(maskBirthDate('unknown')).toBe('');
  });
});
