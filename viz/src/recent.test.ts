import { ApiError } from './api';
import { formatDateTime } from './time';
import { loadRecent, openTrace, recentLabel, reopenable } from './recent';
import { samplePages, stations } from './testing/sample';
import { testPage } from './testing/page';
import type { HotspotList, Timeline, TraceList, TraceMeta } from './types';

const [p1] = samplePages(4);
const meta = (id: string, hasResult: boolean): TraceMeta => ({ ...p1!, id, hasResult });
const list: TraceList = { traces: [meta('tr-a', true), meta('tr-gone', false), meta('tr-b', true)] };

describe('the recent traces', () => {
  it('lists only those whose result is still stored, in the server’s order', () => {
    expect(reopenable(list).map((m) => m.id)).toEqual(['tr-a', 'tr-b']);
  });

  it('labels each by request, time and people, in the language of the page', () => {
    expect(recentLabel(meta('tr-a', true), 'en')).toBe(`123/SYT-NVY · ${formatDateTime('2021-08-03T00:00:00.000Z', 'en')} · 4 people`);
    expect(recentLabel(meta('tr-a', true), 'vi')).toMatch(/ · 4 người$/);
  });

  it('are kept in the store under their own change (only their card is drawn again)', async () => {
    const page = testPage({ recentTraces: () => Promise.resolve(list) });
    const changes: string[] = [];
    page.store.subscribe((c) => changes.push(c));
    await loadRecent(page);
    expect(page.store.state.recent.map((m) => m.id)).toEqual(['tr-a', 'tr-b']);
    expect(changes).toEqual(['recent']);
  });

  it('are emptied when the list cannot be had', async () => {
    const page = testPage({ recentTraces: () => Promise.reject(new ApiError(500, 'error', 'x')) });
    page.store.state.recent = list.traces;
    await loadRecent(page);
    expect(page.store.state.recent).toEqual([]);
  });
});

describe('reopening a stored trace', () => {
  it('loads its pages and says it opened it', async () => {
    const pages = samplePages(2);
    const page = testPage({
      tracePage: (_id, n) => Promise.resolve(pages[n - 1]!),
      timeline: () => Promise.resolve({ passages: [] } as unknown as Timeline),
      stations: () => Promise.resolve(stations),
      hotspots: () => Promise.resolve({ hotspots: [] } as unknown as HotspotList),
    });
    await openTrace(page, pages[0]!.id);
    expect(page.store.state.trace?.people).toHaveLength(4);
    expect(page.shown('trace-status')).toBe(`Opened trace ${pages[0]!.id}.`);
    // The pages in order; the hotspots are asked for while they load (issue 23 point 10).
    expect(page.calls.filter((c) => c.startsWith('tracePage(')).slice(0, 2)).toEqual([`tracePage(${pages[0]!.id}, 1, 1000)`, `tracePage(${pages[0]!.id}, 2, 1000)`]);
    expect(page.calls.filter((c) => c.startsWith('hotspots('))).toEqual([`hotspots(${pages[0]!.id}, 100)`]);
  });

  it('says why it could not, as an error', async () => {
    const page = testPage({ tracePage: () => Promise.reject(new ApiError(404, 'not_found', 'no such trace')) });
    await openTrace(page, 'tr-x');
    expect(page.shown('trace-status')).toBe('no such trace');
    expect(page.targets['trace-status'].className).toBe('status error');
  });
});
