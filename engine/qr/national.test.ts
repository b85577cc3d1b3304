import { formatNationalQr, looksLikeNationalQr, parseNationalQr } from './national';
import { qrPng, qrSvg } from './render';

const EXAMPLE = '001093029317|NGUYEN VAN A|1987-01-18|0|162979388586171100|<1<00<0123232422';

describe('the national personal QR code (QĐ 1405/QĐ-BTTTT)', () => {
  it('parses the published example with its extensions', () => {
    expect(parseNationalQr(EXAMPLE)).toEqual({
      ok: true,
      value: {
        documentNumber: '001093029317',
        documentType: 'CCCD',
        fullName: 'NGUYEN VAN A',
        birthDate: '1987-01-18',
        declaredBy: 'self',
        qid: '162979388586171100',
        ext: { gender: 'male', insuranceNumber: '00', phone: '0123232422', other: [] },
      },
    });
  });

  it('writes back what it parses', () => {
    const r = parseNationalQr(EXAMPLE);
    expect(r.ok && formatNationalQr(r.value)).toBe(EXAMPLE);
  });

  it('reads a declaration on behalf, a CMND, and a code without extensions', () => {
    const r = parseNationalQr('025123456|TRAN THI BINH|1990-04-30|1|123|9988<2');
    expect(r.ok && r.value).toMatchObject({ documentType: 'CMND', declaredBy: 'on_behalf', ext: { onBehalfQid: '9988', gender: 'female' } });
    const bare = parseNationalQr('C1234567|LE HOANG CUONG|2001-12-05|0|1');
    expect(bare.ok && bare.value.documentType).toBe('PASSPORT');
  });

  it('says a masked code (number or birth date hidden) cannot be checked', () => {
    expect(parseNationalQr('******029317|NGUYEN VAN A|1987-01-18|0|1|')).toEqual({ ok: false, reason: 'masked', field: 'SoGiayTo' });
    expect(parseNationalQr('001093029317|NGUYEN VAN A|1987-**-**|0|1|')).toEqual({ ok: false, reason: 'masked', field: 'NgaySinh' });
  });

  it('names the part that is malformed', () => {
    expect(parseNationalQr('001093029317|Nguyễn Văn A|1987-01-18|0|1|')).toEqual({ ok: false, reason: 'malformed', field: 'HoTen' });
    expect(parseNationalQr('001093029317|NGUYEN VAN A|1987-02-30|0|1|')).toEqual({ ok: false, reason: 'malformed', field: 'NgaySinh' });
    expect(parseNationalQr('001093029317|NGUYEN VAN A|1987-01-18|2|1|')).toEqual({ ok: false, reason: 'malformed', field: 'LoaiDinhDanh' });
    expect(parseNationalQr('000093029317|NGUYEN VAN A|1987-01-18|0|1|')).toEqual({ ok: false, reason: 'malformed', field: 'SoGiayTo' });
    expect(parseNationalQr('001093029317|NGUYEN VAN A|1987-01-18|0|1|<7')).toEqual({ ok: false, reason: 'malformed', field: 'EXT' });
  });

  it('does not take other text for a national code', () => {
    expect(looksLikeNationalQr('eyJhbGciOiJFUzI1NiJ9.eyJ9.sig')).toBe(false);
    expect(parseNationalQr('a|b')).toEqual({ ok: false, reason: 'not_national' });
  });
});

describe('QR images', () => {
  it('renders an SVG and a PNG of the code text', async () => {
    const svg = await qrSvg(EXAMPLE);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<path');
    const png = await qrPng(EXAMPLE);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(await qrSvg('other text')).not.toBe(svg);
  });
});
