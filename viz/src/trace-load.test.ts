import { F0, samplePages, sampleTrace, stations } from './testing/sample';
import { settle, testPage } from './testing/page';
import { HOTSPOTS_SHOWN, loadAllPages, MAX_PAGES, PAGES_AT_ONCE, showTrace } from './trace-load';
import type { HotspotList, Timeline, TracePage } from './types';

const hotspots = { hotspots: [] } as unknown as HotspotList;
const timeline = { person: F0, passages: [] } as unknown as Timeline;

describe('loading the pages of a result', () => {
  it('fetches the pages after the first in order, saying which one is asked for', async () => {
    const pages = samplePages(1);
    const said: string[] = [];
    const page = testPage({
      tracePage: (_id, n) => {
        said.push(page.shown('trace-status'));
        return Promise.resolve(pages[n - 1]!);
      },
    });
    const loaded = await loadAllPages(page, pages[0]!);
    expect(loaded).toEqual(pages);
    expect(said).toEqual(['Loading page 2/4…', 'Loading page 3/4…', 'Loading page 4/4…']);
  });

  it('asks for PAGES_AT_ONCE pages at a time, never more, and returns them in order (issue 23 point 10)', async () => {
    const first: TracePage = { ...samplePages(4)[0]!, page: { number: 1, size: 1000, totalPeople: 9_000, totalPages: 9 } };
    let open = 0;
    let most = 0;
    const page = testPage({
      tracePage: async (_id, n) => {
        most = Math.max(most, ++open);
        await new Promise((r) => setTimeout(r, 10 - n));
        open--;
        return { ...first, page: { ...first.page, number: n } };
      },
    });
    const loaded = await loadAllPages(page, first);
    expect(loaded.map((p) => p.page.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(PAGES_AT_ONCE);
  });

  it('stops at MAX_PAGES however many the server holds', async () => {
    const first: TracePage = { ...samplePages(4)[0]!, page: { number: 1, size: 1000, totalPeople: 99_000, totalPages: 99 } };
    const page = testPage({ tracePage: () => Promise.resolve(first) });
    expect(await loadAllPages(page, first)).toHaveLength(MAX_PAGES);
    expect(page.calls.at(-1)).toBe(`tracePage(${first.id}, ${MAX_PAGES}, 1000)`);
  });
});

describe('showing a trace', () => {
  function shownBefore() {
    const page = testPage({
      timeline: () => Promise.resolve(timeline),
      stations: () => Promise.resolve(stations),
      hotspots: () => Promise.resolve(hotspots),
    });
    page.store.update('trace', (s) => {
      s.trace = sampleTrace({ id: 'tr-before' });
      s.selection = { station: 'ST1' };
      s.listPage = 3;
      s.listGeneration = 2;
      s.graphLinks = 'first';
      s.hotspotError = { error: new Error('old') };
    });
    return page;
  }

  it('replaces the trace shown, with nothing selected, on the first page of the whole list', async () => {
    const page = shownBefore();
    await showTrace(page, samplePages(2));
    const s = page.store.state;
    expect(s.trace?.id).toBe(samplePages(2)[0]!.id);
    expect(s.trace?.people).toHaveLength(4);
    expect([s.selection, s.listPage, s.listGeneration, s.graphLinks, s.hotspotError]).toEqual([{}, 1, undefined, 'auto', undefined]);
  });

  it('loads F0’s timeline, the stations and the hotspots beside it', async () => {
    const page = shownBefore();
    await showTrace(page, samplePages(4));
    const s = page.store.state;
    expect(s.timelines.get(F0)).toBe(timeline);
    expect(s.stationList).toBe(stations);
    expect(s.stations.get('ST2')?.name).toBe('Chốt Cầu Sài Gòn');
    expect(s.hotspots).toBe(hotspots);
    expect(page.calls).toContain(`hotspots(${s.trace!.id}, ${HOTSPOTS_SHOWN})`);
  });

  it('asks for the stations only once', async () => {
    const page = shownBefore();
    await showTrace(page, samplePages(4));
    await showTrace(page, samplePages(4));
    expect(page.calls.filter((c) => c.startsWith('stations'))).toHaveLength(1);
  });

  it('keeps a failure of the hotspots to show it, and shows the trace without stations when they fail', async () => {
    const page = testPage({
      timeline: () => Promise.resolve(timeline),
      stations: () => Promise.reject(new Error('down')),
      hotspots: () => Promise.reject(new Error('too many')),
    });
    await showTrace(page, samplePages(4));
    expect((page.store.state.hotspotError?.error as Error).message).toBe('too many');
    expect(page.store.state.stationList).toEqual([]);
    expect(page.store.state.trace).toBeDefined();
  });

  it('drops the hotspots of a trace that another one replaced meanwhile', async () => {
    let answer: (h: HotspotList) => void = () => undefined;
    const page = testPage({
      timeline: () => Promise.resolve(timeline),
      stations: () => Promise.resolve(stations),
      hotspots: () => new Promise<HotspotList>((resolve) => (answer = resolve)),
    });
    const showing = showTrace(page, samplePages(4));
    page.store.update('trace', (s) => (s.trace = sampleTrace({ id: 'tr-other' })));
    answer(hotspots);
    await showing;
    await settle();
    expect(page.store.state.hotspots).toBeUndefined();
  });
});
