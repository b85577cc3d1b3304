import { listPage, pageOfIndex } from './paging';

describe('people list paging', () => {
  const items = Array.from({ length: 120 }, (_, i) => i);

  it('shows the asked page with its positions', () => {
    const p = listPage(items, 2, 50);
    expect([p.page, p.pages, p.total, p.first, p.last, p.items.length]).toEqual([2, 3, 120, 51, 100, 50]);
  });

  it('clamps a page out of range to the nearest one', () => {
    expect(listPage(items, 9, 50).page).toBe(3);
    expect(listPage(items, 9, 50).items).toHaveLength(20);
    expect(listPage(items, 0, 50).page).toBe(1);
  });

  it('gives an empty list one empty page', () => {
    expect(listPage([], 1, 50)).toEqual({ items: [], page: 1, pages: 1, total: 0, first: 0, last: 0 });
  });

  it('finds the page that shows a row', () => {
    expect(pageOfIndex(0, 50)).toBe(1);
    expect(pageOfIndex(50, 50)).toBe(2);
    expect(pageOfIndex(-1, 50)).toBeUndefined();
  });
});
