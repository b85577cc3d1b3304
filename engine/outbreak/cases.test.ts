import { infectiousPeriod, resolveCases, resolveOutbreakParams } from './cases';

const H = 3_600_000;
const D = 24 * H;
const T = Date.UTC(2021, 7, 2, 5);

describe('a case’s infectious period', () => {
  it('runs from 2 days before confirmation to confirmation by default', () => {
    expect(infectiousPeriod({ caseId: 'c', personId: 'p', confirmedAt: T })).toEqual({ from: T - 2 * D, to: T });
  });

  it('starts 2 days before onset when onset is known', () => {
    expect(infectiousPeriod({ caseId: 'c', personId: 'p', confirmedAt: T, onsetAt: T - 3 * D })).toEqual({ from: T - 5 * D, to: T });
  });

  it('takes explicit bounds, each missing one by its default', () => {
    expect(infectiousPeriod({ caseId: 'c', personId: 'p', confirmedAt: T, onsetAt: T - D, infectiousFrom: T - 7 * D, infectiousTo: T + D })).toEqual({ from: T - 7 * D, to: T + D });
    expect(infectiousPeriod({ caseId: 'c', personId: 'p', confirmedAt: T, infectiousFrom: T - 7 * D })).toEqual({ from: T - 7 * D, to: T });
    expect(infectiousPeriod({ caseId: 'c', personId: 'p', confirmedAt: T, onsetAt: T - D, infectiousTo: T + H })).toEqual({ from: T - 3 * D, to: T + H });
  });
});

describe('checking cases', () => {
  const c = { caseId: 'c1', personId: 'p1', confirmedAt: T };

  it('sorts the cases by id and resolves their periods', () => {
    expect(resolveCases([{ ...c, caseId: 'c2', infectiousTo: T + H }, c])).toEqual([
      { caseId: 'c1', personId: 'p1', confirmedAt: T, from: T - 2 * D, to: T },
      { caseId: 'c2', personId: 'p1', confirmedAt: T, from: T - 2 * D, to: T + H },
    ]);
  });

  it('accepts a period of one instant (from = to)', () => {
    expect(resolveCases([{ ...c, infectiousFrom: T }])[0]).toMatchObject({ from: T, to: T });
  });

  it.each([
    ['no case at all', [], 'cases', 'empty'],
    ['an empty case id', [{ ...c, caseId: ' ' }], 'cases[0].caseId', 'empty'],
    ['an empty person id', [c, { ...c, caseId: 'c2', personId: '' }], 'cases[1].personId', 'empty'],
    ['a case id twice', [c, { ...c, personId: 'p2' }], 'cases[1].caseId', 'duplicate'],
    ['a confirmation that is not an instant', [{ ...c, confirmedAt: 1.5 }], 'cases[0].confirmedAt', 'not an instant'],
    ['an onset that is not an instant', [{ ...c, onsetAt: Number.NaN }], 'cases[0].onsetAt', 'not an instant'],
    ['infectiousFrom after infectiousTo', [{ ...c, infectiousFrom: T + 1, infectiousTo: T }], 'cases[0].infectiousFrom', 'after infectiousTo'],
    ['infectiousFrom after confirmation (the default end)', [{ ...c, infectiousFrom: T + 1 }], 'cases[0].infectiousFrom', 'after confirmedAt, the default end'],
    ['infectiousTo before the default start', [{ ...c, infectiousTo: T - 2 * D - 1 }], 'cases[0].infectiousTo', 'before the default start, confirmedAt − 2 days'],
    ['an onset more than 2 days after confirmation', [{ ...c, onsetAt: T + 2 * D + 1 }], 'cases[0].onsetAt', 'more than 2 days after confirmedAt'],
  ])('refuses %s as invalid input naming the field', (_, cases, field, reason) => {
    expect(() => resolveCases(cases)).toThrow(expect.objectContaining({ code: 'invalid_input', details: [{ field, reason }] }) as Error);
  });

  it('names the case in the message', () => {
    expect(() => resolveCases([{ ...c, caseId: 'HCM-123', infectiousFrom: T + 1, infectiousTo: T }])).toThrow(/case 'HCM-123'/);
  });
});

describe('outbreak parameters', () => {
  const cases = [
    { caseId: 'b', personId: 'p1', confirmedAt: T },
    { caseId: 'a', personId: 'p2', confirmedAt: T + D, infectiousFrom: T - 5 * D },
  ];

  it('fills the defaults: until = the latest end, depth 2, 15 minutes, time-respecting; from/to span every case', () => {
    const p = resolveOutbreakParams({ cases });
    expect(p).toEqual({
      cases: resolveCases(cases),
      from: T - 5 * D,
      to: T + D,
      until: T + D,
      depth: 2,
      toleranceSeconds: 900,
      tolMs: 900_000,
      mode: 'time-respecting',
      closeSeconds: 900,
      closeMs: 900_000,
      closeOnly: false,
    });
    expect(p.cases.map((c) => c.caseId)).toEqual(['a', 'b']);
  });

  it('takes closeOnly and closeSeconds as given, closeSeconds from TRUYVET_CLOSE_SECONDS when not', () => {
    expect(resolveOutbreakParams({ cases, closeOnly: true, closeSeconds: 600 })).toMatchObject({ closeOnly: true, closeSeconds: 600, closeMs: 600_000 });
    const was = process.env['TRUYVET_CLOSE_SECONDS'];
    process.env['TRUYVET_CLOSE_SECONDS'] = '1200';
    try {
      expect(resolveOutbreakParams({ cases })).toMatchObject({ closeOnly: false, closeSeconds: 1200 });
    } finally {
      if (was === undefined) delete process.env['TRUYVET_CLOSE_SECONDS'];
      else process.env['TRUYVET_CLOSE_SECONDS'] = was;
    }
  });

  it('accepts until = from, tolerance 0, depth 6 and naive mode', () => {
    expect(resolveOutbreakParams({ cases, until: T - 5 * D, toleranceSeconds: 0, depth: 6, mode: 'naive' })).toMatchObject({ until: T - 5 * D, tolMs: 0, depth: 6, mode: 'naive' });
  });

  it.each([
    [{ until: T - 5 * D - 1 }, 'until'],
    [{ until: 0.5 }, 'until'],
    [{ depth: 0 }, 'depth'],
    [{ depth: 7 }, 'depth'],
    [{ toleranceSeconds: -1 }, 'toleranceSeconds'],
    [{ toleranceSeconds: 86_401 }, 'toleranceSeconds'],
    [{ mode: 'sideways' as never }, 'mode'],
    [{ closeSeconds: 0 }, 'closeSeconds'],
    [{ closeSeconds: 90.5 }, 'closeSeconds'],
    [{ closeOnly: 'yes' as never }, 'closeOnly'],
  ])('refuses %o as invalid input on %s', (extra, field) => {
    expect(() => resolveOutbreakParams({ cases, ...extra })).toThrow(expect.objectContaining({ code: 'invalid_input', details: [expect.objectContaining({ field })] }) as Error);
  });
});
