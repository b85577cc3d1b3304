import fc from 'fast-check';
import { riskScore } from './scoring';

describe('risk score', () => {
  it('gives the documented values', () => {
    expect(riskScore({ generation: 1, contacts: 1, overlapSeconds: 0 })).toBe(0.393);
    expect(riskScore({ generation: 1, contacts: 1, overlapSeconds: 3600 })).toBe(0.918);
    expect(riskScore({ generation: 2, contacts: 1, overlapSeconds: 0 })).toBe(0.197);
  });

  it('stays in [0, 1] and grows with contacts and overlap, shrinks with generation', () => {
    const ev = fc.record({ generation: fc.integer({ min: 1, max: 6 }), contacts: fc.integer({ min: 1, max: 1000 }), overlapSeconds: fc.integer({ min: 0, max: 10 ** 6 }) });
    fc.assert(
      fc.property(ev, (e) => {
        const s = riskScore(e);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(riskScore({ ...e, contacts: e.contacts + 1 })).toBeGreaterThanOrEqual(s);
        expect(riskScore({ ...e, overlapSeconds: e.overlapSeconds + 900 })).toBeGreaterThanOrEqual(s);
        expect(riskScore({ ...e, generation: e.generation + 1 })).toBeLessThanOrEqual(s);
      }),
    );
  });

  it('is zero without contacts', () => {
    expect(riskScore({ generation: 1, contacts: 0, overlapSeconds: 0 })).toBe(0);
  });
});
