import { clockTime, contactClass, contactEvidence, contactReason, exactDuration, passageSpan } from './evidence';
import { A, F0, params, sampleTrace } from './testing/sample';
import type { Timeline, TraceContact } from './types';

/** A checkpoint: F0 scanned at 06:50:00, A scanned 4½ minutes later; tolerance 15 min. */
const scan: TraceContact = { source: F0, target: A, stationId: 'ST2', at: '2021-11-23T23:54:30.000Z', overlapSeconds: 0, generation: 1, passages: ['Pf0', 'Pa'] };
const timeline = (person: string, id: string, at: string, leftAt: string, trust: 'standard' | 'national' = 'standard'): Timeline => ({
  person,
  trace: 'tr1',
  from: '2021-11-20T00:00:00.000Z',
  to: '2021-11-25T00:00:00.000Z',
  passages: [{ id, stationId: 'ST2', stationName: 'Chốt Cầu Sài Gòn', at, leftAt, source: 'qr', trust }],
});
const timelines = new Map([
  [F0, timeline(F0, 'Pf0', '2021-11-23T23:50:00.000Z', '2021-11-23T23:50:00.000Z')],
  [A, timeline(A, 'Pa', '2021-11-23T23:54:30.000Z', '2021-11-23T23:54:30.000Z', 'national')],
]);

describe('the evidence of a contact', () => {
  it('of two checkpoint scans 4½ minutes apart gives both times, the gap and the tolerance, not “overlap 0 s”', () => {
    const e = contactEvidence({ ...scan, trust: ['standard', 'national'] }, sampleTrace(), timelines);
    expect(e.source.passage?.at).toBe('2021-11-23T23:50:00.000Z');
    expect(e.target.passage?.at).toBe('2021-11-23T23:54:30.000Z');
    expect([e.source.staySeconds, e.target.staySeconds]).toEqual([0, 0]);
    expect(e.gapSeconds).toBe(270);
    expect(e.toleranceSeconds).toBe(900);
    expect(e.class).toBe('brief');
    expect([e.source.trust, e.target.trust]).toEqual(['standard', 'national']);
    expect(contactReason(e, 'en')).toBe('4 min 30 s apart, within the 15 min tolerance');
    expect(contactReason(e, 'vi')).toBe('cách nhau 4 phút 30 giây, trong dung sai 15 phút');
    expect([passageSpan(e.source.passage!), passageSpan(e.target.passage!)]).toEqual(['06:50:00', '06:54:30']);
  });

  it('of two stays that overlapped says how long they were together', () => {
    const stays = new Map([
      [F0, timeline(F0, 'Pf0', '2021-11-24T01:00:00.000Z', '2021-11-24T02:00:00.000Z')],
      [A, timeline(A, 'Pa', '2021-11-24T01:40:00.000Z', '2021-11-24T03:00:00.000Z')],
    ]);
    const e = contactEvidence({ ...scan, at: '2021-11-24T01:40:00.000Z', overlapSeconds: 1200 }, sampleTrace(), stays);
    expect(e.gapSeconds).toBe(0);
    expect(e.class).toBe('close');
    expect(e.source.staySeconds).toBe(3600);
    expect(contactReason(e, 'en')).toBe('together 20 min (tolerance 15 min)');
    expect(passageSpan(e.source.passage!)).toBe('08:00:00 – 09:00:00');
  });

  it('before the timelines arrive, still names the tolerance and each passage’s trust from the contact', () => {
    const e = contactEvidence({ ...scan, trust: ['standard', 'national'] }, sampleTrace(), new Map());
    expect(e.source.passage).toBeUndefined();
    expect(e.gapSeconds).toBeUndefined();
    expect(e.target.trust).toBe('national');
    expect(contactReason(e, 'en')).toBe('within the 15 min tolerance');
  });

  it('takes the class the server gives (issue 25), else derives it from the overlap and closeSeconds', () => {
    expect(contactClass({ ...scan, class: 'close' } as TraceContact, params)).toBe('close');
    expect(contactClass({ ...scan, overlapSeconds: 900 }, params)).toBe('close');
    expect(contactClass({ ...scan, overlapSeconds: 899 }, params)).toBe('brief');
    expect(contactClass({ ...scan, overlapSeconds: 600 }, { ...params, closeSeconds: 300 } as typeof params)).toBe('close');
  });
});

describe('times of the evidence', () => {
  it('are exact to the second, in Ho Chi Minh City', () => {
    expect(exactDuration(270, 'en')).toBe('4 min 30 s');
    expect(exactDuration(0, 'en')).toBe('0 s');
    expect(exactDuration(3900, 'en')).toBe('1 h 05 min');
    expect(exactDuration(3725, 'vi')).toBe('1 giờ 02 phút 5 giây');
    expect(clockTime('2021-11-23T23:50:07.000Z')).toBe('06:50:07');
    expect(passageSpan({ at: '2021-11-24T16:30:00.000Z', leftAt: '2021-11-24T17:30:00.000Z' })).toBe('23:30:00 – 00:30:00 25/11');
  });
});
