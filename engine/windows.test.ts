import { bucketStart, spanBounds, spanClass, spanMaxMs, SPAN_CLASSES, windowStarts } from './windows';

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
});

describe('duration classes (spans)', () => {
  it('puts a point scan and a stay of up to 15 minutes in class 0, and grows fourfold from there', () => {
    expect(spanClass(0, 0)).toBe(0);
    expect(spanClass(0, 15 * M)).toBe(0);
    expect(spanClass(0, 15 * M + 1)).toBe(1);
    expect(spanClass(0, 60 * M)).toBe(1);
    expect(spanClass(0, 60 * M + 1)).toBe(2);
    expect(spanClass(0, 16 * 60 * M)).toBe(3);
  });

  it('keeps every stay, however long, in the last, unbounded class', () => {
    const years = 50 * 365 * 24 * 60 * M;
    expect(spanClass(0, years)).toBe(SPAN_CLASSES - 1);
    expect(spanMaxMs(SPAN_CLASSES - 1)).toBeGreaterThan(years);
    expect(spanBounds()).toHaveLength(SPAN_CLASSES);
  });

  it('bounds each class so that every stay of the class lasts at most its bound', () => {
    for (const [k, max] of spanBounds()) expect(spanClass(0, max)).toBe(k);
  });
});
