import { LOAD_PAGE_SIZE } from './api';
import { t } from './i18n';
import type { Page } from './page';
import { NO_FILTER } from './people-query';
import { mergePages } from './result';
import { loadTimeline } from './selection';
import type { State } from './store';
import type { LoadedTrace, TracePage } from './types';

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

/** The pages after `first`, up to MAX_PAGES in all, one at a time. */
export async function loadAllPages(page: Page, first: TracePage): Promise<TracePage[]> {
  const pages = [first];
  const total = Math.min(first.page.totalPages, MAX_PAGES);
  for (let n = 2; n <= total; n++) {
    page.lines.say('trace-status', (l) => t(l, 'form.loadingPage', { page: n, pages: total }));
    pages.push(await page.api.tracePage(first.id, n, LOAD_PAGE_SIZE));
  }
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
  s.listFilter = NO_FILTER;
  s.graphLinks = 'auto';
}

/** No trace shown (a new one failed): nothing of the old one stays selected or loaded beside it. */
export function forgetTrace(s: State): void {
  s.trace = undefined;
  s.timelines = new Map();
  s.timelineErrors = new Map();
  s.hotspots = undefined;
  s.hotspotError = undefined;
  s.selection = {};
  s.listPage = 1;
}

export async function showTrace(page: Page, pages: TracePage[]): Promise<void> {
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
    api
      .hotspots(trace.id, HOTSPOTS_SHOWN)
      .then((hs) => (current() ? store.update('hotspots', (s) => (s.hotspots = hs)) : undefined))
      .catch((e: unknown) => (current() ? store.update('hotspots', (s) => (s.hotspotError = { error: e })) : undefined)),
  );
  await Promise.all(jobs);
}

/** Loads every page from the first and shows the trace. */
export async function openResult(page: Page, first: TracePage): Promise<void> {
  await showTrace(page, await loadAllPages(page, first));
}
