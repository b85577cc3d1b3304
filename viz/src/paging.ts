/** Client-side paging of the people list (the whole result is loaded; the list shows a page). Pure. */

export const LIST_PAGE_SIZE = 50;

export interface ListPage<T> {
  readonly items: readonly T[];
  /** 1-based, clamped to [1, pages]. */
  readonly page: number;
  readonly pages: number;
  readonly total: number;
  /** 1-based positions of the first and last items shown (0, 0 when empty). */
  readonly first: number;
  readonly last: number;
}

export function listPage<T>(all: readonly T[], page: number, size = LIST_PAGE_SIZE): ListPage<T> {
  const pages = Math.max(1, Math.ceil(all.length / size));
  const p = Math.min(pages, Math.max(1, Math.floor(page) || 1));
  const items = all.slice((p - 1) * size, p * size);
  const first = items.length === 0 ? 0 : (p - 1) * size + 1;
  return { items, page: p, pages, total: all.length, first, last: first === 0 ? 0 : first + items.length - 1 };
}

/** The page that shows the item at `index`, or undefined when it is not in the list. */
export function pageOfIndex(index: number, size = LIST_PAGE_SIZE): number | undefined {
  return index < 0 ? undefined : Math.floor(index / size) + 1;
}
