import { compareNames, foldName, nationalQrName, stripDiacritics } from './names';

describe('name comparison', () => {
  it('treats case, spacing and Unicode normalisation as the same name', () => {
    const decomposed = 'Nguyễn Thị Ánh'.normalize('NFD');
    expect(compareNames(`  ${decomposed.toUpperCase()} `, 'Nguyễn  Thị Ánh')).toBe('same');
    expect(foldName(' TRẦN   Văn\tBình ')).toBe('trần văn bình');
  });

  it('accepts a name missing all or some diacritics, with a warning', () => {
    expect(compareNames('NGUYEN THI ANH', 'Nguyễn Thị Ánh')).toBe('missing_diacritics');
    expect(compareNames('Nguyen Thị Ánh', 'Nguyễn Thị Ánh')).toBe('missing_diacritics');
    expect(compareNames('Dang Van Duc', 'Đặng Văn Đức')).toBe('missing_diacritics');
  });

  it('rejects a different diacritic, a different letter, or a different length', () => {
    expect(compareNames('Nguyên Thị Ánh', 'Nguyễn Thị Ánh')).toBe('different');
    expect(compareNames('Nguyễn Thị Anh Thư', 'Nguyễn Thị Ánh')).toBe('different');
    expect(compareNames('Nguyễn Thi Ánh', 'Nguyen Thị Ánh')).toBe('different');
    expect(compareNames('Nguyễn Văn Ánh', 'Nguyễn Thị Ánh')).toBe('different');
  });

  it('writes names the way the national QR code does', () => {
    expect(stripDiacritics('Đặng Thị Ánh Nguyệt')).toBe('Dang Thi Anh Nguyet');
    expect(nationalQrName(' Đặng  thị ánh ')).toBe('DANG THI ANH');
  });
});
