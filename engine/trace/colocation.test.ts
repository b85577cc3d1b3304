import fc from 'fast-check';
import { colocated, contactTime, contactTimeOf, overlapMs, overlapOf } from './colocation';

const M = 60_000;
const TAU = 15 * M;
const point = (at: number) => ({ at, leftAt: at });

describe('co-location', () => {
  it('counts a gap of exactly τ and not τ + 1 ms, on both sides', () => {
    const a = { at: 60 * M, leftAt: 80 * M };
    expect(colocated(a, point(95 * M), TAU)).toBe(true);
    expect(colocated(a, point(95 * M + 1), TAU)).toBe(false);
    expect(colocated(a, point(45 * M), TAU)).toBe(true);
    expect(colocated(a, point(45 * M - 1), TAU)).toBe(false);
  });

  it('is symmetric for any two intervals and tolerance', () => {
    const iv = fc.tuple(fc.integer({ min: 0, max: 1e7 }), fc.integer({ min: 0, max: 1e6 })).map(([at, d]) => ({ at, leftAt: at + d }));
    fc.assert(fc.property(iv, iv, fc.integer({ min: 0, max: 1e6 }), (a, b, tol) => colocated(a, b, tol) === colocated(b, a, tol)));
  });

  it('takes the later arrival as the contact time', () => {
    expect(contactTime({ at: 10, leftAt: 500 }, point(300))).toBe(300);
    expect(contactTime(point(300), { at: 10, leftAt: 500 })).toBe(300);
  });

  it('measures the overlap without the tolerance', () => {
    expect(overlapMs({ at: 0, leftAt: 60 * M }, { at: 30 * M, leftAt: 45 * M })).toBe(15 * M);
    expect(overlapMs(point(0), point(5 * M))).toBe(0);
    expect(overlapMs({ at: 0, leftAt: 10 * M }, { at: 20 * M, leftAt: 30 * M })).toBe(0);
  });

  it('gives the same contact time and overlap from bare instants as from intervals', () => {
    const iv = fc.tuple(fc.integer({ min: 0, max: 1e7 }), fc.integer({ min: 0, max: 1e6 })).map(([at, d]) => ({ at, leftAt: at + d }));
    fc.assert(
      fc.property(iv, iv, (a, b) => {
        expect(contactTimeOf(a.at, b.at)).toBe(contactTime(a, b));
        expect(contactTimeOf(a.at, b.at)).toBe(Math.max(a.at, b.at));
        expect(overlapOf(a.at, a.leftAt, b.at, b.leftAt)).toBe(overlapMs(a, b));
        expect(overlapOf(a.at, a.leftAt, b.at, b.leftAt)).toBe(Math.max(0, Math.min(a.leftAt, b.leftAt) - Math.max(a.at, b.at)));
      }),
    );
  });
});
