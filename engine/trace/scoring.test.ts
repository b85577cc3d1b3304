import fc from 'fast-check';
import { NATIONAL_EVIDENCE_WEIGHT, riskScore } from './scoring';

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

describe('risk score with lower-trust evidence', () => {
  it('counts a contact resting on a national-QR passage as half a contact, its overlap too', () => {
    expect(riskScore({ generation: 1, contacts: 1, overlapSeconds: 0, nationalContacts: 1, nationalOverlapSeconds: 0 })).toBe(0.221);
    // One national hour beside the case weighs like one signed half hour.
    // An hour together in a national-QR contact: (1 + 4) × 0.5 = 2.5 contacts' weight.
    expect(riskScore({ generation: 1, contacts: 1, overlapSeconds: 3600, nationalContacts: 1, nationalOverlapSeconds: 3600 })).toBe(0.713);
    // A signed contact and a national one: 1 + 0.5.
    expect(riskScore({ generation: 1, contacts: 2, overlapSeconds: 0, nationalContacts: 1, nationalOverlapSeconds: 0 })).toBe(Math.round((1 - Math.exp(-1.5 / 2)) * 1000) / 1000);
    expect(NATIONAL_EVIDENCE_WEIGHT).toBe(0.5);
  });

  it('never scores national evidence above the same evidence in full', () => {
    const ev = fc
      .record({ generation: fc.integer({ min: 1, max: 6 }), contacts: fc.integer({ min: 1, max: 1000 }), overlapSeconds: fc.integer({ min: 0, max: 10 ** 6 }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
      .map(({ share, ...e }) => ({ ...e, nationalContacts: Math.floor(e.contacts * share), nationalOverlapSeconds: Math.floor(e.overlapSeconds * share) }));
    fc.assert(
      fc.property(ev, (e) => {
        const full = riskScore({ generation: e.generation, contacts: e.contacts, overlapSeconds: e.overlapSeconds });
        expect(riskScore(e)).toBeLessThanOrEqual(full);
        expect(riskScore(e)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
