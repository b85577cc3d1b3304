import { LOAD_PAGE_SIZE } from './api';
import { t } from './i18n';
import type { Page } from './page';
import { mergePages } from './result';
import { loadTimeline } from './selection';
import type { State } from './store';
import type { HotspotList, LoadedTrace, TracePage } from './types';

/**
 * Opening a trace result, new or stored: the rest of its pages (saying which one is coming),
 * then it replaces the one shown, and the data beside it comes (F0's timeline, stations, hotspots).
 */

/**
 * Hotspot cells asked for (the API ranks them); adjacent ones of a station show as one row
 * (hotspot-runs.ts), so a run is cut only where a window of it ranks below these.
 */
export const HOTSPOTS_SHOWN = 100;

/** Most pages the view loads (the server's result cap is lower by default). */
export const MAX_PAGES = 50;

/** Pages asked for at once: the server answers the next while the view reads one (issue 23 point 10). */
export const PAGES_AT_ONCE = 3;

/** The pages after `first`, up to MAX_PAGES in all, PAGES_AT_ONCE at a time in order, saying which one is asked for. */
export async function loadAllPages(page: Page, first: TracePage): Promise<TracePage[]> {
  const pages: TracePage[] = [first];
  const total = Math.min(first.page.totalPages, MAX_PAGES);
  let next = 2;
  const worker = async () => {
    while (next <= total) {
      const n = next++;
      page.lines.say('trace-status', (l) => t(l, 'form.loadingPage', { page: n, pages: total }));
      pages[n - 1] = await page.api.tracePage(first.id, n, LOAD_PAGE_SIZE);
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(PAGES_AT_ONCE, total - 1)) }, worker));
  return pages;
}

/** A newly shown trace starts with nothing selected or loaded beside it, on the list's first page. */
export function showFresh(s: State, trace: LoadedTrace): void {
  s.trace = trace;
  s.timelines = new Map();
  s.timelineErrors = new Map();
  s.hotspots = undefined;
  s.hotspotError = undefined;
  s.selection = {};
  s.listPage = 1;
  s.listGeneration = undefined;
  s.graphLinks = 'auto';
}

/** `hotspots`: the hotspots already asked for (openResult asks while the pages load). */
export async function showTrace(page: Page, pages: TracePage[], hotspots?: Promise<HotspotList>): Promise<void> {
  const { api, store } = page;
  const trace = mergePages(pages);
  store.update('trace', (s) => showFresh(s, trace));
  const current = () => store.state.trace?.id === trace.id;
  const jobs: Promise<void>[] = [loadTimeline(page, trace.f0)];
  if (store.state.stationList.length === 0) {
    jobs.push(
      api
        .stations()
        .then((list) =>
          store.update('stations', (s) => {
            s.stationList = list;
            s.stations = new Map(list.map((st) => [st.id, st]));
          }),
        )
        .catch(() => undefined),
    );
  }
  jobs.push(
    (hotspots ?? api.hotspots(trace.id, HOTSPOTS_SHOWN))
      .then((hs) => (current() ? store.update('hotspots', (s) => (s.hotspots = hs)) : undefined))
      .catch((e: unknown) => (current() ? store.update('hotspots', (s) => (s.hotspotError = { error: e })) : undefined)),
  );
  await Promise.all(jobs);
}

/** Traces shown from their first page while the others load (issue 23 point 10). */
const previews = new WeakSet<LoadedTrace>();

/** Is this the first page of a trace whose other pages are still coming? The heavy panels wait for them. */
export function isPreview(trace: LoadedTrace): boolean {
  return previews.has(trace);
}

/**
 * Loads every page from the first and shows the trace. A trace of several pages shows its first
 * at once (the counts, the first page of the list: F1 first) while the others load.
 */
export async function openResult(page: Page, first: TracePage): Promise<void> {
  if (first.page.totalPages <= 1) return showTrace(page, [first]);
  const preview = mergePages([first]);
  previews.add(preview);
  page.store.update('trace', (s) => showFresh(s, preview));
  const hotspots = page.api.hotspots(first.id, HOTSPOTS_SHOWN);
  // Read by showTrace once the pages are in; until then a failure must not go unhandled.
  hotspots.catch(() => undefined);
  await showTrace(page, await loadAllPages(page, first), hotspots);
}
