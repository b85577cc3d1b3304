import { callListCsv, plainCell, textCell } from './export';
import type { FollowUp } from './service';

const f: FollowUp = {
  id: 'fu-0123456789abcdef0123',
  personId: 'pid1',
  status: 'to_contact',
  generation: 1,
  class: 'close',
  exposureAt: Date.UTC(2021, 7, 2, 1, 10),
  quarantineUntil: Date.UTC(2021, 7, 16, 1, 10),
  province: '79',
  district: '760',
  commune: '26734',
  sources: ['run:ob1'],
  createdAt: 0,
  createdBy: 'x',
  updatedAt: 0,
  statusChangedAt: 0,
  statusChangedBy: 'x',
  note: null,
  caseId: null,
  promotedBy: null,
};

describe('the call list CSV', () => {
  it('keeps ids and phones as text for a spreadsheet, leading zeros included', () => {
    expect(textCell('0901234567')).toBe('"=""0901234567"""');
    expect(textCell('079123456789')).toBe('"=""079123456789"""');
    expect(textCell('')).toBe('');
  });

  it('never lets a cell start a formula', () => {
    expect(plainCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(plainCell('+84 90')).toBe("'+84 90");
    expect(plainCell('@a')).toBe("'@a");
    expect(textCell('=1+1')).toBe("'=1+1");
    expect(plainCell('Nguyễn Văn A')).toBe('Nguyễn Văn A');
  });

  it('is UTF-8 with a BOM, a header, CRLF lines, and the identity the caller may see', () => {
    const csv = callListCsv([f], { pid1: { rawKey: '079090000001', registered: true, fullName: 'Trần Thị Bé', phone: '0900000002' } });
    expect(csv.startsWith('\uFEFFfollow_up_id,status,person_key,full_name,phone,province,district,commune,generation,class,exposure_at_utc,quarantine_until_utc,sources\r\n')).toBe(true);
    expect(csv.split('\r\n')[1]).toBe(
      '"=""fu-0123456789abcdef0123""",to_contact,"=""079090000001""",Trần Thị Bé,"=""0900000002""","=""79""","=""760""","=""26734""",1,close,2021-08-02T01:10:00Z,2021-08-16T01:10:00Z,run:ob1',
    );
    expect(callListCsv([f], {}).split('\r\n')[1]).toContain(',to_contact,,,,');
  });
});
