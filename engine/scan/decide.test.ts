import { decide, scanTimeWindow, type CodeRecord, type ScanFacts } from './decide';
import { haversineKm, travelCheck } from './geo';
import type { QrClaims } from '../qr/token';

const H = 3_600_000;
const T0 = Date.UTC(2021, 7, 14, 1);
const claims: QrClaims = { codeId: 'q0123456789abcdefABCDEF', issuedAt: T0, validUntil: T0 + 72 * H, kid: 'k' };
const signed = (over: Partial<ScanFacts> = {}, code: Partial<CodeRecord> = {}): ScanFacts => ({
  kind: 'signed',
  verification: { ok: true, claims },
  code: { status: 'accepted', revokedAt: null, ...code },
  at: T0 + H,
  skewMs: 300_000,
  newerCodeExists: false,
  ...over,
});
const isolated = { personId: 'p0123456789abcdef01234567', isolated: true, classification: 'F1' as const, since: T0, until: null, setBy: 'a1', updatedAt: T0 };
const nationalOk = { ok: true as const, value: { documentNumber: '079087012345', documentType: 'CCCD' as const, fullName: 'NGUYEN VAN AN', birthDate: '1987-01-18', declaredBy: 'self' as const, qid: '1', ext: { other: [] } } };

describe('the checkpoint decision', () => {
  it('lets a valid signed code through as signed evidence', () => {
    expect(decide(signed())).toEqual({ decision: 'pass', reason: 'ok', flags: [], trust: 'signed' });
  });

  it('stops a tampered code and records no passage', () => {
    expect(decide(signed({ verification: { ok: false, reason: 'bad_signature' } }))).toEqual({ decision: 'stop', reason: 'invalid_signature', flags: ['tampered'], trust: null });
    expect(decide({ ...signed(), kind: 'unreadable' }).trust).toBeNull();
  });

  it('stops an expired code but keeps the passage: the person was there', () => {
    expect(decide(signed({ at: T0 + 73 * H }))).toEqual({ decision: 'stop', reason: 'expired', flags: ['expired'], trust: 'signed' });
  });

  it('stops a code issued in the future beyond the allowance, without a passage', () => {
    expect(decide(signed({ at: T0 - H }))).toEqual({ decision: 'stop', reason: 'not_yet_valid', flags: ['not_yet_valid'], trust: null });
    expect(decide(signed({ at: T0 - 60_000 })).decision).toBe('pass');
  });

  it('stops a person under isolation even with a valid code, and says isolation before expiry', () => {
    expect(decide(signed({ isolation: isolated }))).toEqual({ decision: 'stop', reason: 'isolated', flags: ['isolated'], trust: 'signed' });
    expect(decide(signed({ isolation: isolated, at: T0 + 80 * H })).reason).toBe('isolated');
    expect(decide(signed({ isolation: { ...isolated, until: T0 + 30 * 60_000 } })).decision).toBe('pass');
    expect(decide(signed({ isolation: { ...isolated, isolated: false } })).decision).toBe('pass');
  });

  it('stops a code seen elsewhere too far away, and flags it as copied', () => {
    expect(decide(signed({ impossibleTravelWith: { scanId: 's1', kmh: 900 } }))).toEqual({ decision: 'stop', reason: 'copied_code', flags: ['copied_code'], trust: 'signed' });
  });

  it('lets a superseded code through with a flag (a scan before its revocation), and flags an unverified identity from the server record', () => {
    expect(decide(signed({ newerCodeExists: true }))).toEqual({ decision: 'pass', reason: 'ok', flags: ['superseded'], trust: 'signed' });
    expect(decide(signed({}, { status: 'unverified' })).flags).toEqual(['identity_unverified']);
    expect(decide(signed({}, { status: 'accepted_with_warnings' })).flags).toEqual(['name_without_diacritics']);
  });

  it('stops a code revoked by the time of the scan, naming nobody, before anything else about it', () => {
    expect(decide(signed({}, { revokedAt: T0 + H }))).toEqual({ decision: 'stop', reason: 'revoked', flags: ['revoked'], trust: null });
    expect(decide(signed({ isolation: isolated, at: T0 + 80 * H }, { revokedAt: T0 })).reason).toBe('revoked');
    // Revoked after a scan made offline: the code was good then.
    expect(decide(signed({}, { revokedAt: T0 + H + 1 })).decision).toBe('pass');
  });

  it('stops a well-signed code the server has no record of, naming nobody', () => {
    expect(decide(signed({ code: null }))).toEqual({ decision: 'stop', reason: 'unknown_code', flags: ['unknown_code'], trust: null });
    expect(decide({ kind: 'signed', verification: { ok: true, claims }, at: T0 + H, skewMs: 0, newerCodeExists: false }).reason).toBe('unknown_code');
  });

  it('tells a scan time too old or too far ahead of the server from one it records (both ends inclusive)', () => {
    const now = T0 + 100 * H;
    expect(scanTimeWindow(now - 72 * H, now, 72 * H)).toBeNull();
    expect(scanTimeWindow(now - 72 * H - 1, now, 72 * H)).toBe('too_old');
    expect(scanTimeWindow(now + 5 * 60_000, now, 72 * H)).toBeNull();
    expect(scanTimeWindow(now + 5 * 60_000 + 1, now, 72 * H)).toBe('future');
    expect(scanTimeWindow(now - 3 * H, now, 2 * H)).toBe('too_old');
  });

  it('lets a national code through only when it matches the registry, as lower-trust evidence', () => {
    const national = (nationalCheck: 'match' | 'mismatch' | 'absent'): ScanFacts => ({ kind: 'national', national: nationalOk, nationalCheck, at: T0, skewMs: 0, newerCodeExists: false });
    expect(decide(national('match'))).toEqual({ decision: 'pass', reason: 'ok', flags: ['national_qr'], trust: 'national' });
    expect(decide(national('mismatch'))).toEqual({ decision: 'stop', reason: 'registry_mismatch', flags: ['national_qr', 'registry_mismatch'], trust: null });
    expect(decide(national('absent')).reason).toBe('not_in_registry');
    expect(decide({ ...national('match'), national: { ok: false, reason: 'masked', field: 'SoGiayTo' } }).reason).toBe('national_qr_masked');
    expect(decide({ ...national('match'), isolation: isolated }).reason).toBe('isolated');
  });
});

describe('impossible travel', () => {
  const hcmc = { lat: 10.7769, lon: 106.7009 };
  const hanoi = { lat: 21.0285, lon: 105.8542 };

  it('measures great-circle distance', () => {
    expect(haversineKm(hcmc, hanoi)).toBeGreaterThan(1130);
    expect(haversineKm(hcmc, hanoi)).toBeLessThan(1150);
    expect(haversineKm(hcmc, hcmc)).toBe(0);
  });

  it('flags Hồ Chí Minh City and Hà Nội an hour apart, not a day apart', () => {
    expect(travelCheck({ ...hcmc, at: 0 }, { ...hanoi, at: H }, 120).impossible).toBe(true);
    expect(travelCheck({ ...hcmc, at: 0 }, { ...hanoi, at: 24 * H }, 120).impossible).toBe(false);
  });

  it('never flags neighbouring checkpoints, even at the same instant', () => {
    const near = { lat: hcmc.lat + 0.005, lon: hcmc.lon };
    expect(travelCheck({ ...hcmc, at: 0 }, { ...near, at: 0 }, 120).impossible).toBe(false);
    const far = { lat: hcmc.lat + 0.1, lon: hcmc.lon }; // about 11 km
    expect(travelCheck({ ...hcmc, at: 0 }, { ...far, at: 3 * 60_000 }, 120).impossible).toBe(true);
    expect(travelCheck({ ...hcmc, at: 0 }, { ...far, at: 10 * 60_000 }, 120).impossible).toBe(false);
  });
});
