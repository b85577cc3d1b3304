import { parseDurationSeconds } from '../time';
import { resolveTraceParams } from './params';
import { periodSchema, Tolerance, traceRequestSchema, type TraceInputContext } from './request';

/** The one parser of a trace request, which the API's schema and the command line's flags share. */

const NOW = Date.UTC(2021, 8, 30);
const DAY = 86_400_000;
const context = (o: { maxDepth?: number; maxDays?: number } = {}): TraceInputContext => ({
  now: () => NOW,
  limits: () => ({ maxDepth: o.maxDepth ?? 6, maxDays: o.maxDays ?? 21 }),
});
const base = { from: '2021-08-01T00:00:00Z', to: '2021-08-02T00:00:00Z' };
const parse = (over: Record<string, unknown>, c = context()) => traceRequestSchema(c).safeParse({ ...base, ...over });
const problems = (over: Record<string, unknown>, c = context()) => (parse(over, c).error?.issues ?? []).map((i) => [i.path.join('.'), i.message]);

describe('a tolerance, as a number or as text', () => {
  it.each<[unknown, number]>([
    ['1d', 86_400],
    ['15m', 900],
    ['90s', 90],
    ['1h30m', 5_400],
    ['1H', 3_600],
    [' 15m ', 900],
    ['900', 900],
    [900, 900],
    [0, 0],
    [86_400, 86_400],
  ])('reads %j as %i seconds', (v, seconds) => {
    expect(Tolerance.parse(v)).toBe(seconds);
  });

  it('refuses more than a day with the same reason, whichever way it is written', () => {
    const reasons = ['25h', '86401', 86_401, '2d', '1d1s'].map((v) => Tolerance.safeParse(v).error?.issues.map((i) => i.message));
    expect(reasons.every((r) => r?.length === 1 && r[0] === reasons[0]?.[0])).toBe(true);
    expect(reasons[0]?.[0]).toContain('at most a day');
  });

  it.each<[unknown, string]>([
    ['15 minutes', 'not a duration'],
    ['15x', 'not a duration'],
    ['', 'not a duration'],
    [-1, 'not a whole number of seconds'],
    [1.5, 'not a whole number of seconds'],
    [true, 'not a whole number of seconds'],
  ])('refuses %j, saying why', (v, reason) => {
    expect(Tolerance.safeParse(v).error?.issues.map((i) => i.message)).toEqual([expect.stringContaining(reason) as string]);
  });
});

describe('a trace request', () => {
  it('fills the defaults: depth 2, 15 minutes, time-respecting, every contact, no horizon, no panel', () => {
    expect(parse({}).data).toEqual({ from: Date.UTC(2021, 7, 1), to: Date.UTC(2021, 7, 2), depth: 2, toleranceSeconds: 900, mode: 'time-respecting', closeOnly: false });
  });

  it('reads closeOnly as a boolean and refuses anything else, naming it', () => {
    expect(parse({ closeOnly: true }).data).toMatchObject({ closeOnly: true });
    expect(problems({ closeOnly: 'yes' })).toEqual([['closeOnly', 'not true or false']]);
  });

  it('reads the panel after the trace’s own tolerance', () => {
    expect(parse({ tolerance: '30m', sensitivity: ['5m', 3_600, '1d'] }).data).toMatchObject({ toleranceSeconds: 1_800, sensitivity: [300, 3_600, 86_400] });
  });

  it('reads a bare date as its midnight in Ho Chi Minh City, and an instant without offset there too', () => {
    expect(parse({ from: '2021-08-02', to: '2021-08-02T12:00' }).data).toMatchObject({ from: Date.UTC(2021, 7, 1, 17), to: Date.UTC(2021, 7, 2, 5) });
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['from after to', { from: base.to, to: base.from }, 'from', 'is after to'],
    ['a horizon before from', { until: '2021-07-31T00:00:00Z' }, 'until', 'is before from'],
    ['a period over the limit', { to: '2021-08-22T00:00:01Z' }, 'to', 'longer than 21 days'],
    ['a horizon over the limit', { until: '2021-08-23T00:00:00Z' }, 'until', 'more than 21 days after from'],
    ['an instant before 2000', { from: '1999-12-31T23:59:59Z' }, 'from', 'before 2000-01-01'],
    ['an instant more than a day after the clock', { to: new Date(NOW + DAY + 1).toISOString() }, 'to', 'more than a day after now'],
    ['text that is no instant', { from: 'yesterday' }, 'from', 'not an ISO 8601 date-time'],
    ['depth 0', { depth: 0 }, 'depth', 'from 1 to 6'],
    ['depth 7', { depth: 7 }, 'depth', 'from 1 to 6'],
    ['depth 1.5', { depth: 1.5 }, 'depth', 'from 1 to 6'],
    ['an unknown mode', { mode: 'sideways' }, 'mode', 'not one of'],
    ['a panel tolerance over a day', { sensitivity: ['25h'] }, 'sensitivity.0', 'at most a day'],
  ])('refuses %s, once, naming the field', (_name, over, field, reason) => {
    expect(problems(over)).toEqual([[field, expect.stringContaining(reason)]]);
  });

  it('follows the limits of its context: a server’s lower depth and shorter period', () => {
    const c = context({ maxDepth: 3, maxDays: 7 });
    expect(problems({ depth: 4 }, c)).toEqual([['depth', '4 is not a whole number from 1 to 3']]);
    expect(problems({ depth: 3 }, c)).toEqual([]);
    expect(problems({ to: '2021-08-08T00:00:01Z' }, c)).toEqual([['to', expect.stringContaining('longer than 7 days')]]);
  });

  it('checks a period alone by the same rules (hotspots)', () => {
    expect(periodSchema(context()).safeParse({ from: base.to, to: base.from }).error?.issues.map((i) => i.message)).toEqual([expect.stringContaining('is after to')]);
    expect(periodSchema(context()).parse({ from: '2021-08-01', to: '2021-08-22' })).toEqual({ from: Date.UTC(2021, 6, 31, 17), to: Date.UTC(2021, 7, 21, 17) });
  });
});

describe('the engine’s own entry and the edges’ parser', () => {
  // resolveTraceParams guards callers that come without a request; it must refuse exactly what
  // the edges refuse (depth, tolerance, the period's order), or the edges would let through what
  // the engine then refuses after the trace waited for its turn.
  const from = Date.UTC(2021, 7, 1);
  const to = Date.UTC(2021, 7, 2);
  const cases: Record<string, unknown>[] = [
    ...[0, 1, 2, 6, 7, 1.5, -1].map((depth) => ({ depth })),
    ...[-1, 0, 0.5, 900, 86_400, 86_401].map((toleranceSeconds) => ({ toleranceSeconds })),
    // As typed at an edge; the engine gets the seconds the text means.
    ...['1d', '25h', '90s', '1d1s'].map((text) => ({ toleranceSeconds: parseDurationSeconds(text), text })),
    { until: from - 1 },
    { until: from },
    { until: to + DAY },
    { from: to + 1 },
    { mode: 'naive' },
    { mode: 'sideways' },
  ];

  it.each(cases)('agree on %j', (over) => {
    const { text, ...params } = over as { text?: string };
    const p = { from, to, ...params } as { from: number; to: number; until?: number; depth?: number; toleranceSeconds?: number; mode?: string };
    const edge = traceRequestSchema(context()).safeParse({
      from: new Date(p.from).toISOString(),
      to: new Date(p.to).toISOString(),
      ...(p.until !== undefined ? { until: new Date(p.until).toISOString() } : {}),
      ...(p.depth !== undefined ? { depth: p.depth } : {}),
      ...(p.toleranceSeconds !== undefined ? { tolerance: text ?? p.toleranceSeconds } : {}),
      ...(p.mode !== undefined ? { mode: p.mode } : {}),
    });
    let engine = true;
    try {
      resolveTraceParams({ f0: 'p', ...p } as never);
    } catch {
      engine = false;
    }
    expect(engine).toBe(edge.success);
  });
});
