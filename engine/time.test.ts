import { instantRangeProblem, isoUtc, parseDurationSeconds, parseInstant } from './time';

describe('parseInstant', () => {
  it('reads an instant without offset in Asia/Ho_Chi_Minh (UTC+7) by default', () => {
    const r = parseInstant('2021-08-02T07:30:00');
    expect(r).toEqual({ ok: true, ms: Date.UTC(2021, 7, 2, 0, 30), hadOffset: false });
  });

  it('reads an instant without offset in the zone it is given', () => {
    const r = parseInstant('2021-08-02T07:30', 'UTC');
    expect(r.ok && isoUtc(r.ms)).toBe('2021-08-02T07:30:00.000Z');
  });

  it.each([
    ['2021-08-02T07:30:00+07:00', '2021-08-02T00:30:00.000Z'],
    ['2021-08-02T07:30:00+0700', '2021-08-02T00:30:00.000Z'],
    ['2021-08-02T07:30:00+07', '2021-08-02T00:30:00.000Z'],
    ['2021-08-02T07:30:00.250Z', '2021-08-02T07:30:00.250Z'],
    ['2021-08-02 07:30:00Z', '2021-08-02T07:30:00.000Z'],
    ['2021-08-01T23:59:59-05:00', '2021-08-02T04:59:59.000Z'],
  ])('reads %s with its offset as %s', (text, iso) => {
    const r = parseInstant(text);
    expect(r.ok && isoUtc(r.ms)).toBe(iso);
  });

  it.each(['', 'yesterday', '2021-13-01T00:00:00Z', '2021-02-30T00:00:00Z', '2021-08-02T24:00:00Z', '2021-08-02T07:60Z', '2021-08-02', '2021-08-02T07:30:00+15:00'])(
    'rejects %p with a reason',
    (text) => {
      const r = parseInstant(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    },
  );

  it('rejects an unknown zone', () => {
    expect(parseInstant('2021-08-02T07:30:00', 'Mars/Olympus').ok).toBe(false);
  });
});

describe('parseInstant: the range truyvet accepts, [2000-01-01T00:00Z, now + 1 day]', () => {
  const now = Date.UTC(2021, 7, 15, 12);

  it.each(['0021-08-02T00:00', '0021-08-02T00:00:00Z', '0099-12-31T23:59Z', '1921-08-02T00:00Z', '1999-12-31T23:59:59.999Z', '2000-01-01T06:59:59+07:00'])(
    'refuses %s as before 2000 (a two-digit year is not read as 19xx)',
    (text) => {
      const r = parseInstant(text, 'Asia/Ho_Chi_Minh', now);
      expect(r).toEqual({ ok: false, reason: expect.stringContaining('before 2000-01-01') as string, range: true });
    },
  );

  it('refuses a year-21 instant even without a clock to compare with', () => {
    expect(parseInstant('0021-08-02T00:00').ok).toBe(false);
    expect(parseInstant('0021-08-02T00:00Z').ok).toBe(false);
  });

  it.each(['9999-12-31T23:59:59Z', '2021-08-16T12:00:00.001Z', '2021-08-16T19:00:01'])('refuses %s as more than a day after now', (text) => {
    const r = parseInstant(text, 'Asia/Ho_Chi_Minh', now);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('more than a day after now') as string, range: true });
  });

  it.each([
    ['2000-01-01T00:00:00Z', Date.UTC(2000, 0, 1)],
    ['2000-01-01T07:00', Date.UTC(2000, 0, 1)],
    ['2021-08-16T12:00:00Z', now + 86_400_000],
    ['2021-08-02T07:30', Date.UTC(2021, 7, 2, 0, 30)],
  ])('accepts %s, inside the range (its edges included)', (text, ms) => {
    expect(parseInstant(text, 'Asia/Ho_Chi_Minh', now)).toEqual({ ok: true, ms, hadOffset: text.endsWith('Z') });
  });

  it('has no upper bound without a clock (re-reading an instant truyvet stored)', () => {
    expect(parseInstant('2100-01-01T00:00Z').ok).toBe(true);
  });

  it('instantRangeProblem names the bound that an instant breaks', () => {
    expect(instantRangeProblem(Date.UTC(2000, 0, 1), now)).toBeUndefined();
    expect(instantRangeProblem(Date.UTC(2000, 0, 1) - 1, now)).toContain('before 2000-01-01');
    expect(instantRangeProblem(now + 86_400_001, now)).toContain('more than a day after now');
    expect(instantRangeProblem(now + 86_400_001)).toBeUndefined();
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['15m', 900],
    ['90s', 90],
    ['1h30m', 5400],
    ['21d', 21 * 86400],
    ['600', 600],
  ])('reads %s as %d seconds', (text, s) => expect(parseDurationSeconds(text)).toBe(s));

  it.each(['', '15 minutes', '-5m', '1.5h'])('refuses %p', (text) => expect(parseDurationSeconds(text)).toBeUndefined());
});

describe('isoUtc', () => {
  it('formats exactly as Date.toISOString, across days, millisecond edges and out-of-range instants', () => {
    const xs = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, Date.UTC(2021, 7, 2, 0, 30), Date.UTC(2024, 1, 29, 23, 59, 59, 7), Date.UTC(9999, 11, 31, 23, 59, 59, 999), -1, -86_400_001, Date.UTC(10000, 0, 1), 1.5];
    for (let i = 0; i < 2000; i++) xs.push(Math.floor(Date.UTC(2021, 0, 1) + i * 7_777_777.7));
    for (const x of xs) expect(isoUtc(x)).toBe(new Date(x).toISOString());
  });

  it('formats exactly as Date.toISOString on random instants over 1970–9999, month and leap-day edges included', () => {
    let seed = 2021;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const xs: number[] = [];
    for (let i = 0; i < 200_000; i++) xs.push(Math.floor(rnd() * Date.UTC(10000, 0, 1)));
    for (const y of [1970, 1999, 2000, 2021, 2100, 2400, 9999]) for (const [m, d] of [[0, 1], [1, 28], [1, 29], [2, 1], [11, 31]] as const) xs.push(Date.UTC(y, m, d) - 1, Date.UTC(y, m, d), Date.UTC(y, m, d, 23, 59, 59, 999));
    for (const x of xs) expect(isoUtc(x)).toBe(new Date(x).toISOString());
  });

  it('gives the right answer for repeated and alternating instants (it keeps the last one)', () => {
    const a = Date.UTC(2021, 7, 2, 0, 30);
    const b = a + 1;
    for (const x of [a, a, b, a, b, b, 0, 0, a]) expect(isoUtc(x)).toBe(new Date(x).toISOString());
    expect(() => isoUtc(Number.NaN)).toThrow(RangeError);
  });
});
