import { laneOrder, localTicks, timelineLanes } from './lanes';
import { A, B, C, D, F0, sampleTrace } from './testing/sample';
import type { Timeline } from './types';

const timelineOf = (person: string, passages: Timeline['passages']): Timeline => ({
  person,
  trace: 'tr0123456789abcdef01234567',
  from: '2021-07-31T17:00:00.000Z',
  to: '2021-08-02T17:00:00.000Z',
  passages,
});

describe('laneOrder', () => {
  it('puts F0 first, then the chain to the selected person, then the others, without repeats', () => {
    const r = laneOrder(sampleTrace(), C, [B, A, D]);
    expect(r.ids).toEqual([F0, A, C, B, D]);
    expect(r.hidden).toBe(0);
  });

  it('counts the people the cap leaves without a lane', () => {
    const r = laneOrder(sampleTrace(), undefined, [A, B, C, D], 3);
    expect(r.ids).toEqual([F0, A, B]);
    expect(r.hidden).toBe(2);
  });
});

describe('timelineLanes', () => {
  const trace = sampleTrace();
  const timelines = new Map([
    [
      F0,
      timelineOf(F0, [
        { id: 'P2s', stationId: 'ST2', stationName: 'Chốt', at: '2021-08-01T02:00:00.000Z', leftAt: '2021-08-01T02:00:00.000Z', source: 'qr', trust: 'standard' },
        { id: 'P1s', stationId: 'ST1', stationName: 'Chợ', at: '2021-08-01T00:20:00.000Z', leftAt: '2021-08-01T01:00:00.000Z', source: 'bluezone', trust: 'standard' },
      ]),
    ],
  ]);

  it('makes one lane per person with their passages in time order, scans as points and stays as intervals', () => {
    const d = timelineLanes(trace, [F0, A], timelines);
    expect(d.lanes.map((l) => [l.id, l.generation, l.loaded])).toEqual([
      [F0, 0, true],
      [A, 1, false],
    ]);
    const marks = d.lanes[0]!.marks;
    expect(marks.map((m) => [m.passageId, m.point])).toEqual([
      ['P1s', false],
      ['P2s', true],
    ]);
    expect(marks[0]!.end - marks[0]!.start).toBe(40 * 60_000);
  });

  it('links only contacts whose two people both have a lane', () => {
    const d = timelineLanes(trace, [F0, A, C], timelines);
    expect(d.links.map((l) => [l.source, l.target, l.stationId])).toEqual([
      [F0, A, 'ST1'],
      [F0, A, 'ST2'],
      [A, C, 'ST3'],
    ]);
  });

  it('shades the infectious period and spans the axis over the trace period', () => {
    const d = timelineLanes(trace, [F0], timelines);
    expect(d.infectious).toEqual([Date.parse('2021-07-31T17:00:00.000Z'), Date.parse('2021-08-02T17:00:00.000Z')]);
    expect(d.domain).toEqual(d.infectious);
  });

  it('widens the axis to the horizon when the trace has one', () => {
    const t2 = sampleTrace({ params: { ...trace.params, until: '2021-08-04T17:00:00.000Z' } });
    expect(timelineLanes(t2, [F0], new Map()).domain[1]).toBe(Date.parse('2021-08-04T17:00:00.000Z'));
  });
});

describe('localTicks', () => {
  it('puts ticks on Ho Chi Minh City midnights and every 6 hours over two days', () => {
    const lo = Date.parse('2021-07-31T17:00:00.000Z'); // 00:00 on 1 August in HCMC
    const ticks = localTicks(lo, lo + 2 * 86_400_000);
    expect(ticks[0]).toEqual({ at: lo, midnight: true });
    expect(ticks[1]!.at - ticks[0]!.at).toBe(6 * 3_600_000);
    expect(ticks.filter((t) => t.midnight).map((t) => new Date(t.at).toISOString())).toEqual([
      '2021-07-31T17:00:00.000Z',
      '2021-08-01T17:00:00.000Z',
      '2021-08-02T17:00:00.000Z',
    ]);
  });
});
