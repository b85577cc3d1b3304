import { resolveTraceParams, tracePeriodProblem } from './params';

const base = { f0: 'p1', from: 1_000, to: 2_000 };

describe('trace parameters', () => {
  it('fills the defaults: until = to, depth 2, 15 minutes, time-respecting, every contact (close from 15 minutes together)', () => {
    expect(resolveTraceParams(base)).toEqual({
      ...base,
      until: 2_000,
      depth: 2,
      toleranceSeconds: 900,
      tolMs: 900_000,
      mode: 'time-respecting',
      closeSeconds: 900,
      closeMs: 900_000,
      closeOnly: false,
    });
  });

  it('takes closeSeconds from TRUYVET_CLOSE_SECONDS when the call gives none, and a given one over the setting', () => {
    const was = process.env['TRUYVET_CLOSE_SECONDS'];
    process.env['TRUYVET_CLOSE_SECONDS'] = '600';
    try {
      expect(resolveTraceParams({ ...base, closeOnly: true })).toMatchObject({ closeSeconds: 600, closeMs: 600_000, closeOnly: true });
      expect(resolveTraceParams({ ...base, closeSeconds: 60 })).toMatchObject({ closeSeconds: 60, closeMs: 60_000, closeOnly: false });
    } finally {
      if (was === undefined) delete process.env['TRUYVET_CLOSE_SECONDS'];
      else process.env['TRUYVET_CLOSE_SECONDS'] = was;
    }
  });

  it('accepts from = to, an until after to, tolerance 0 and depth 6', () => {
    expect(resolveTraceParams({ ...base, to: 1_000, until: 5_000, toleranceSeconds: 0, depth: 6 })).toMatchObject({ until: 5_000, tolMs: 0, depth: 6 });
  });

  it.each([
    [{ ...base, f0: '' }, 'f0'],
    [{ ...base, from: 3_000 }, 'from'],
    [{ ...base, until: 999 }, 'until'],
    [{ ...base, depth: 0 }, 'depth'],
    [{ ...base, depth: 7 }, 'depth'],
    [{ ...base, toleranceSeconds: -1 }, 'toleranceSeconds'],
    [{ ...base, toleranceSeconds: Number.POSITIVE_INFINITY }, 'toleranceSeconds'],
    [{ ...base, mode: 'sideways' as never }, 'mode'],
    [{ ...base, to: 1.5 }, 'to'],
    [{ ...base, closeSeconds: 0 }, 'closeSeconds'],
    [{ ...base, closeSeconds: 86_401 }, 'closeSeconds'],
    [{ ...base, closeSeconds: 1.5 }, 'closeSeconds'],
    [{ ...base, closeOnly: 'yes' as never }, 'closeOnly'],
  ])('refuses %o as invalid input on %s', (p, field) => {
    expect(() => resolveTraceParams(p)).toThrow(expect.objectContaining({ code: 'invalid_input', details: [expect.objectContaining({ field })] }) as Error);
  });
});

describe('the longest period a tracer may ask for', () => {
  const DAY = 86_400_000;
  const from = Date.UTC(2021, 7, 1);

  it('accepts exactly the limit, with a horizon at the limit too', () => {
    expect(tracePeriodProblem({ from, to: from + 21 * DAY }, 21)).toBeUndefined();
    expect(tracePeriodProblem({ from, to: from + DAY, until: from + 21 * DAY }, 21)).toBeUndefined();
  });

  it('refuses a period a millisecond longer, naming to', () => {
    expect(tracePeriodProblem({ from, to: from + 21 * DAY + 1 }, 21)).toEqual({ field: 'to', reason: expect.stringContaining('longer than 21 days') as string });
  });

  it('refuses a horizon more than the limit after from, naming until', () => {
    expect(tracePeriodProblem({ from, to: from + DAY, until: from + 30 * DAY }, 21)).toEqual({ field: 'until', reason: expect.stringContaining('more than 21 days after from') as string });
  });

  it('follows the limit it is given', () => {
    expect(tracePeriodProblem({ from, to: from + 8 * DAY }, 7)?.field).toBe('to');
  });
});
