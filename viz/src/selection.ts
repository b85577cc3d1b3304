import { pageOfIndex } from './paging';
import type { Page } from './page';
import type { Selection, State } from './store';
import { NO_FILTER, queryPeople, type ListFilter } from './people-query';
import type { Hotspot, LoadedTrace } from './types';

/** Selecting a person or a hotspot from any view, and loading the timelines the views show. */

/**
 * Where the people list goes to show a person: their page in the generation, search and filters
 * shown, or in the whole list when those leave them out (the sort stays; F0 is on no page: the
 * list stays where it is).
 */
export function listPlace(
  trace: LoadedTrace,
  generation: number | undefined,
  page: number,
  id: string,
  filter: ListFilter = NO_FILTER,
): { generation: number | undefined; page: number; filter: ListFilter } {
  let index = queryPeople(trace, generation, filter).findIndex((p) => p.id === id);
  if (index < 0 && id !== trace.f0) {
    generation = undefined;
    filter = { ...NO_FILTER, sort: filter.sort };
    index = queryPeople(trace, generation, filter).findIndex((p) => p.id === id);
  }
  return { generation, page: pageOfIndex(index) ?? page, filter };
}

export function selectPerson(page: Page, id: string): void {
  const trace = page.store.state.trace;
  if (!trace) return;
  page.store.update('selection', (s) => {
    const place = listPlace(trace, s.listGeneration, s.listPage, id, s.listFilter);
    s.selection = { person: id };
    s.listGeneration = place.generation;
    s.listPage = place.page;
    s.listFilter = place.filter;
  });
  void loadTimeline(page, id);
}

/** Clicking the selected hotspot again clears the selection. */
export function hotspotSelection(current: Selection, hs: Hotspot): Selection {
  const same = current.hotspot?.stationId === hs.stationId && current.hotspot.windowStart === hs.windowStart;
  return same ? {} : { hotspot: hs };
}

export function selectHotspot(page: Page, hs: Hotspot): void {
  page.store.select(hotspotSelection(page.store.state.selection, hs));
}

/** Clicking the selected station again clears the selection. */
export function selectStation(page: Page, id: string): void {
  page.store.select(page.store.state.selection.station === id ? {} : { station: id });
}

/** Loads a person's timeline once per trace; an answer for a trace no longer shown is dropped. */
export async function loadTimeline(page: Page, id: string): Promise<void> {
  const { store, api } = page;
  const trace = store.state.trace;
  if (!trace || store.state.timelines.has(id)) return;
  const current = (s: State) => s.trace?.id === trace.id;
  try {
    const tl = await api.timeline(id, trace.id);
    if (!current(store.state)) return;
    store.update('timelines', (s) => {
      s.timelines.set(id, tl);
      s.timelineErrors.delete(id);
    });
  } catch (e) {
    if (!current(store.state)) return;
    store.update('timelines', (s) => s.timelineErrors.set(id, { error: e }));
  }
}
