import { nextDailyRun, parseRetention } from './schedule';

describe('the daily purge schedule', () => {
  it('runs at the next 03:00 in Ho Chi Minh City (UTC+7)', () => {
    // 2021-08-02 10:00 local = 03:00 UTC → next run 2021-08-03 03:00 local = 2021-08-02 20:00 UTC
    expect(new Date(nextDailyRun(Date.UTC(2021, 7, 2, 3, 0), '03:00')).toISOString()).toBe('2021-08-02T20:00:00.000Z');
    // 02:59 local → the same day's 03:00
    expect(new Date(nextDailyRun(Date.UTC(2021, 7, 1, 19, 59), '03:00')).toISOString()).toBe('2021-08-01T20:00:00.000Z');
  });

  it('never answers the present instant itself: at exactly 03:00 the next run is tomorrow', () => {
    const at = Date.UTC(2021, 7, 1, 20, 0);
    expect(nextDailyRun(at, '03:00') - at).toBe(86_400_000);
  });

  it('reads retention periods', () => {
    expect(parseRetention('21d')).toBe(21 * 86_400_000);
    expect(parseRetention('36h')).toBe(36 * 3_600_000);
    expect(parseRetention('90m')).toBe(90 * 60_000);
    expect(parseRetention('0d')).toBeUndefined();
    expect(parseRetention('three weeks')).toBeUndefined();
  });
});
