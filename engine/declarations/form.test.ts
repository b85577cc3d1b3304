import { cccdCenturyDigit, checkCccdConsistency, checkDocumentFormat } from '../reference/documents';
import { normalizePhone, validateDeclaration, type UnifiedDeclarationInput } from './form';

const valid = (): UnifiedDeclarationInput => ({
  document: { type: 'CCCD', number: '079190123456' },
  fullName: 'Nguyễn Thị Ánh',
  birthDate: '1990-04-30',
  sex: 'female',
  phone: '0901234567',
  address: { province: '79', district: '760', commune: '26734', detail: '12 Lê Lợi' },
  trip: { from: { province: '79' }, to: { province: '01', district: '001', commune: '00001' }, date: '2021-08-14', means: 'motorbike' },
  symptoms: [],
  exposure: { visitedAffectedArea: false, contactWithCase: false, contactWithSymptomatic: false, contactWithTraveller: false },
  platform: 'truyvet',
  declaredAt: '2021-08-14T07:30:00+07:00',
});

const codes = (input: unknown) => {
  const r = validateDeclaration(input);
  return r.ok ? [] : r.issues.map((i) => `${i.path}:${i.code}`);
};

describe('the unified declaration form', () => {
  it('accepts a complete declaration and canonicalises it', () => {
    const r = validateDeclaration({ ...valid(), fullName: '  Nguyễn   Thị Ánh ', phone: '+84 90 123 4567', document: { type: 'CCCD', number: '079 190 123 456' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.fullName).toBe('Nguyễn Thị Ánh');
    expect(r.value.phone).toBe('0901234567');
    expect(r.value.document.number).toBe('079190123456');
    expect(r.value.declaredAt).toBe('2021-08-14T00:30:00.000Z');
  });

  it('reads a declaredAt without offset as Ho Chi Minh City time', () => {
    const r = validateDeclaration({ ...valid(), declaredAt: '2021-08-14T07:30:00' });
    expect(r.ok && r.value.declaredAt).toBe('2021-08-14T00:30:00.000Z');
  });

  it('gives every issue with a path, a code and a message in Vietnamese and English', () => {
    const r = validateDeclaration({ ...valid(), phone: '12345', fullName: undefined });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        { path: 'fullName', code: 'required', message_vi: 'Họ và tên: bắt buộc phải khai.', message_en: 'Full name is required.' },
        expect.objectContaining({ path: 'phone', code: 'phone_format', message_vi: expect.stringContaining('Số điện thoại') as string, message_en: expect.stringContaining('Phone number') as string }),
      ]),
    );
  });

  it('refuses a field it does not know', () => {
    expect(codes({ ...valid(), favouriteColour: 'blue' })).toEqual(['declaration:unrecognized_keys']);
  });

  it('refuses a symptom outside the canonical list and a repeated one', () => {
    expect(codes({ ...valid(), symptoms: ['fever', 'headache'] })).toEqual(['symptoms.1:invalid_value']);
    expect(codes({ ...valid(), symptoms: ['fever', 'fever'] })).toEqual(['symptoms:duplicate']);
  });

  it('accepts a 2025 two-level address (province › commune) and refuses a commune of another province', () => {
    expect(codes({ ...valid(), address: { province: '79', commune: '25747' } })).toEqual([]);
    expect(codes({ ...valid(), address: { province: '01', commune: '25747' } })).toEqual(['address.commune:unit_outside_parent']);
  });

  it('refuses a district outside its province and an unknown province', () => {
    expect(codes({ ...valid(), address: { province: '01', district: '760', commune: '26734' } })).toEqual(['address.district:unit_outside_parent']);
    expect(codes({ ...valid(), trip: { ...valid().trip!, from: { province: '99' } } })).toEqual(['trip.from.province:unknown_unit']);
    expect(codes({ ...valid(), address: { province: '7', commune: '26734' } })).toEqual(['address.province:code_format']);
  });

  it('accepts a birth year alone and refuses a date that does not exist', () => {
    expect(codes({ ...valid(), birthDate: '1990' })).toEqual([]);
    expect(codes({ ...valid(), birthDate: '1990-02-30' })).toEqual(['birthDate:birth_date_format']);
    expect(codes({ ...valid(), birthDate: '1899-12-31', document: { type: 'CMND', number: '025123456' } })).toEqual(['birthDate:birth_date_range']);
  });

  it('refuses a birth date after now and a declaration from the future when now is given', () => {
    const now = Date.UTC(2021, 7, 14, 12);
    const r = validateDeclaration({ ...valid(), document: { type: 'CMND', number: '025123456' }, birthDate: '2021-09-01', declaredAt: '2021-08-15T00:00:00Z' }, { now });
    expect(r.ok ? [] : r.issues.map((i) => `${i.path}:${i.code}`)).toEqual(['birthDate:birth_date_range', 'declaredAt:in_future']);
  });
});

describe('CCCD numbers', () => {
  const cccd = (number: string, birthDate: string, sex: 'male' | 'female' | 'other') => codes({ ...valid(), document: { type: 'CCCD', number }, birthDate, sex });

  it('accepts the century/sex digit of each century and sex', () => {
    expect(cccd('079087012345', '1987-01-18', 'male')).toEqual([]);
    expect(cccd('001190000123', '1990-04-30', 'female')).toEqual([]);
    expect(cccd('048201004567', '2001-12-05', 'male')).toEqual([]);
    expect(cccd('079303111222', '2003-06-09', 'female')).toEqual([]);
    expect(cccd('079300111222', '2000-06-09', 'female')).toEqual([]);
  });

  it('refuses a number that is not exactly 12 digits', () => {
    expect(cccd('07919012345', '1990-04-30', 'female')).toEqual(['document.number:cccd_format']);
    expect(cccd('0791901234567', '1990-04-30', 'female')).toEqual(['document.number:cccd_format']);
    expect(cccd('07919012345a', '1990-04-30', 'female')).toEqual(['document.number:cccd_format']);
  });

  it('refuses a prefix that is no province code (000, 003, 099, 790)', () => {
    for (const prefix of ['000', '003', '099', '790']) {
      expect(checkDocumentFormat('CCCD', `${prefix}190123456`)).toEqual([{ key: 'cccd_province', prefix }]);
    }
    expect(checkDocumentFormat('CCCD', '096190123456')).toEqual([]); // Cà Mau, the last code
  });

  it('refuses a century digit that does not match the birth year', () => {
    expect(cccd('079290123456', '1990-04-30', 'male')).toEqual(['document.number:cccd_century']);
    expect(cccd('079000123456', '2000-04-30', 'male')).toEqual(['document.number:cccd_century']);
  });

  it('refuses a sex digit that contradicts the declared sex, and checks only the century for other', () => {
    expect(cccd('079090123456', '1990-04-30', 'female')).toEqual(['document.number:cccd_sex']);
    expect(cccd('079190123456', '1990-04-30', 'male')).toEqual(['document.number:cccd_sex']);
    expect(cccd('079190123456', '1990-04-30', 'other')).toEqual([]);
    expect(cccd('079090123456', '1990-04-30', 'other')).toEqual([]);
  });

  it('refuses year digits that are not the last two of the birth year, even with a year alone', () => {
    expect(cccd('079191123456', '1990-04-30', 'female')).toEqual(['document.number:cccd_year']);
    expect(cccd('079191123456', '1990', 'female')).toEqual(['document.number:cccd_year']);
  });

  it('reports the CCCD inconsistency even when other fields fail too', () => {
    expect(codes({ ...valid(), phone: 'x', document: { type: 'CCCD', number: '079290123456' }, sex: 'male' })).toEqual(
      expect.arrayContaining(['phone:phone_format', 'document.number:cccd_century']),
    );
  });

  it('maps centuries 1900–2399 to digits 0–9', () => {
    expect([1900, 1999, 2000, 2099, 2100, 2200, 2300, 2399].map((y) => cccdCenturyDigit(y, 'female'))).toEqual([1, 1, 3, 3, 5, 7, 9, 9]);
    expect(cccdCenturyDigit(1899, 'male')).toBeUndefined();
    expect(cccdCenturyDigit(2400, 'male')).toBeUndefined();
    expect(checkCccdConsistency('079890123456', 2390, 'male')).toEqual([]);
  });
});

describe('other documents and phones', () => {
  it('checks CMND as 9 digits and passports as a letter and 7 digits', () => {
    expect(codes({ ...valid(), document: { type: 'CMND', number: '025123456' } })).toEqual([]);
    expect(codes({ ...valid(), document: { type: 'CMND', number: '02512345' } })).toEqual(['document.number:cmnd_format']);
    expect(codes({ ...valid(), document: { type: 'PASSPORT', number: 'c1234567' } })).toEqual([]);
    expect(codes({ ...valid(), document: { type: 'PASSPORT', number: 'CC123456' } })).toEqual(['document.number:passport_format']);
    expect(codes({ ...valid(), document: { type: 'VISA', number: '1' } })).toEqual(['document.type:invalid_value']);
  });

  it('reads mobile and landline numbers in their usual spellings', () => {
    expect(normalizePhone('090 123 4567')).toBe('0901234567');
    expect(normalizePhone('+84901234567')).toBe('0901234567');
    expect(normalizePhone('84-90-123-4567')).toBe('0901234567');
    expect(normalizePhone('(028) 3812 3456')).toBe('02838123456');
    expect(normalizePhone('0101234567')).toBeUndefined();
    expect(normalizePhone('090123456')).toBeUndefined();
  });
});
