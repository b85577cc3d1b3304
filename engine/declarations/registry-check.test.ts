import { checkAgainstRegistry, compareBirthDates } from './registry-check';

const registered = { personId: '079190123456', fullName: 'Nguyễn Thị Ánh', birthDate: '1990-04-30' };
const declared = (over: Partial<{ number: string; fullName: string; birthDate: string }> = {}) => ({
  document: { number: over.number ?? '079190123456' },
  fullName: over.fullName ?? 'Nguyễn Thị Ánh',
  birthDate: over.birthDate ?? '1990-04-30',
});
const codes = (xs: { path: string; code: string }[]) => xs.map((x) => `${x.path}:${x.code}`);

describe('the registry check', () => {
  it('accepts a declaration that matches the registry', () => {
    expect(checkAgainstRegistry(declared({ fullName: 'NGUYỄN  THỊ ÁNH' }), registered)).toEqual({ status: 'accepted', reasons: [], warnings: [] });
  });

  it('accepts a name without diacritics with a warning', () => {
    const r = checkAgainstRegistry(declared({ fullName: 'Nguyen Thi Anh' }), registered);
    expect(r.status).toBe('accepted_with_warnings');
    expect(codes(r.warnings)).toEqual(['fullName:name_missing_diacritics']);
  });

  it('accepts a year of birth alone with a warning when the year matches', () => {
    const r = checkAgainstRegistry(declared({ birthDate: '1990' }), registered);
    expect(r.status).toBe('accepted_with_warnings');
    expect(codes(r.warnings)).toEqual(['birthDate:birth_year_only']);
  });

  it('rejects another name, another birth date or another number, with every reason', () => {
    const r = checkAgainstRegistry(declared({ fullName: 'Nguyễn Thị Anh Thư', birthDate: '1990-04-03', number: '079190123457' }), registered);
    expect(r.status).toBe('rejected');
    expect(codes(r.reasons)).toEqual(['document.number:registry_document_mismatch', 'fullName:registry_name_mismatch', 'birthDate:registry_birth_date_mismatch']);
  });

  it('never repeats the registry values in its messages', () => {
    const r = checkAgainstRegistry(declared({ fullName: 'Trần Văn Bình', birthDate: '1991-01-01' }), registered);
    const text = JSON.stringify(r);
    expect(text).not.toContain('Ánh');
    expect(text).not.toContain('1990-04-30');
  });

  it('marks a person absent from the registry unverified, not rejected', () => {
    const r = checkAgainstRegistry(declared(), undefined);
    expect(r.status).toBe('unverified');
    expect(codes(r.warnings)).toEqual(['document.number:not_in_registry']);
  });

  it('compares years only when one side has only a year', () => {
    expect(compareBirthDates('1990-04-30', '1990-04-30')).toBe('same');
    expect(compareBirthDates('1990', '1990-04-30')).toBe('year_only');
    expect(compareBirthDates('1991', '1990-04-30')).toBe('different');
  });
});
