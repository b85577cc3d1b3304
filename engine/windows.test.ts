import { bucketStart, lookupRange, windowStarts } from './windows';

const M = 60_000;

describe('windows', () => {
  it('puts an instant on a bucket boundary into the bucket that starts there', () => {
    expect(bucketStart(30 * M, 15 * M)).toBe(30 * M);
    expect(bucketStart(30 * M - 1, 15 * M)).toBe(15 * M);
  });

  it('floors negative instants toward minus infinity', () => {
    expect(bucketStart(-1, 15 * M)).toBe(-15 * M);
  });

  it('links a point scan to one bucket and a dwell to every bucket it touches', () => {
    expect(windowStarts(20 * M, 20 * M, 15 * M)).toEqual([15 * M]);
    expect(windowStarts(20 * M, 46 * M, 15 * M)).toEqual([15 * M, 30 * M, 45 * M]);
    expect(windowStarts(20 * M, 45 * M, 15 * M)).toEqual([15 * M, 30 * M, 45 * M]);
    expect(windowStarts(20 * M, 45 * M - 1, 15 * M)).toEqual([15 * M, 30 * M]);
  });

  it('widens a lookup by the tolerance on both sides', () => {
    expect(lookupRange(20 * M, 20 * M, 15 * M, 15 * M)).toEqual([0, 30 * M]);
    expect(lookupRange(20 * M, 20 * M, 60 * M, 15 * M)).toEqual([-45 * M, 75 * M]);
  });
});
