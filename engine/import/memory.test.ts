import { collectIfOver } from './memory';

describe('the import memory ceiling', () => {
  it('collects only past the limit, at most once a second', () => {
    expect(collectIfOver(Number.MAX_SAFE_INTEGER, 10_000)).toBe(false);
    expect(collectIfOver(0, 10_000)).toBe(true);
    expect(collectIfOver(0, 10_500)).toBe(false);
    expect(collectIfOver(0, 11_001)).toBe(true);
  });
});
