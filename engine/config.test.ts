import path from 'node:path';
import { caseRetentionDays, checkUnitsFromEnv, closeSeconds, followUpRetentionDays, envDuration, envPositive, envWhole, qrKeySettings, qrValidDays, scanMaxSpeedKmh, traceMaxDays } from './config';

describe('settings from the environment', () => {
  it('reads TRUYVET_CHECK_UNITS: on by default, off only when said so', () => {
    expect(checkUnitsFromEnv({})).toBe(true);
    expect(checkUnitsFromEnv({ TRUYVET_CHECK_UNITS: 'off' })).toBe(false);
    expect(() => checkUnitsFromEnv({ TRUYVET_CHECK_UNITS: 'maybe' })).toThrow(/on or off/);
  });

  it('takes the QR validity from TRUYVET_QR_VALID_DAYS, 3 days when not given', () => {
    expect(qrValidDays({})).toBe(3);
    expect(qrValidDays({ TRUYVET_QR_VALID_DAYS: '1' })).toBe(1);
    expect(qrValidDays({ TRUYVET_QR_VALID_DAYS: '' })).toBe(3);
  });

  it('keeps ended follow-ups 21 days and closed cases 90 days unless TRUYVET_FOLLOWUP_RETENTION_DAYS / TRUYVET_CASE_RETENTION_DAYS say otherwise', () => {
    expect(followUpRetentionDays(undefined, {})).toBe(21);
    expect(caseRetentionDays(undefined, {})).toBe(90);
    expect(followUpRetentionDays(undefined, { TRUYVET_FOLLOWUP_RETENTION_DAYS: '30' })).toBe(30);
    expect(caseRetentionDays(undefined, { TRUYVET_CASE_RETENTION_DAYS: '365' })).toBe(365);
    expect(() => caseRetentionDays(undefined, { TRUYVET_CASE_RETENTION_DAYS: '0' })).toThrow('TRUYVET_CASE_RETENTION_DAYS=0 must be a whole number from 1 to 3650');
  });

  it('parses every positive number the same way, naming the variable and its value when it is not one', () => {
    expect(scanMaxSpeedKmh({ TRUYVET_SCAN_MAX_SPEED_KMH: '80.5' })).toBe(80.5);
    expect(() => scanMaxSpeedKmh({ TRUYVET_SCAN_MAX_SPEED_KMH: '-1' })).toThrow('TRUYVET_SCAN_MAX_SPEED_KMH=-1 is not a positive number');
    expect(traceMaxDays(21, {})).toBe(21);
    expect(() => traceMaxDays(21, { TRUYVET_TRACE_MAX_DAYS: '1.5' })).toThrow('TRUYVET_TRACE_MAX_DAYS=1.5 is not a positive integer');
    expect(envPositive('X', 7, true, { X: '9' })).toBe(9);
  });

  it('checks whole numbers and durations against their range', () => {
    expect(envWhole('X', 5, 1, 10, { X: '10' })).toBe(10);
    expect(() => envWhole('X', 5, 1, 10, { X: '11' })).toThrow('X=11 must be a whole number from 1 to 10');
    expect(envDuration('X', 60, 60, 86_400, { X: '2h' })).toBe(7200);
    expect(() => envDuration('X', 60, 60, 86_400, { X: 'soon' })).toThrow('X=soon must be a duration');
  });

  it('takes the close-contact overlap from TRUYVET_CLOSE_SECONDS: 900 s when not given, whole seconds up to a day', () => {
    expect(closeSeconds(900, {})).toBe(900);
    expect(closeSeconds(900, { TRUYVET_CLOSE_SECONDS: '600' })).toBe(600);
    expect(() => closeSeconds(900, { TRUYVET_CLOSE_SECONDS: '0' })).toThrow('TRUYVET_CLOSE_SECONDS=0 must be a whole number from 1 to 86400');
    expect(() => closeSeconds(900, { TRUYVET_CLOSE_SECONDS: '90.5' })).toThrow('TRUYVET_CLOSE_SECONDS=90.5');
    expect(() => closeSeconds(900, { TRUYVET_CLOSE_SECONDS: '86401' })).toThrow('from 1 to 86400');
  });

  it('lets the QR key be generated only for the local database, or when TRUYVET_GENERATE_SECRETS=1', () => {
    expect(qrKeySettings({ TRUYVET_SECRETS_DIR: '/s' })).toEqual({ privateJwk: undefined, extraPublicJwks: undefined, secretsDir: '/s', mayGenerate: true });
    expect(qrKeySettings({ NEO4J_URI: 'bolt://db.example:7687' }).mayGenerate).toBe(false);
    expect(qrKeySettings({ NEO4J_URI: 'bolt://db.example:7687', TRUYVET_GENERATE_SECRETS: '1' }).mayGenerate).toBe(true);
    expect(qrKeySettings({ XDG_DATA_HOME: '/d' }).secretsDir).toBe(path.join('/d', 'truyvet', 'secrets'));
  });
});
