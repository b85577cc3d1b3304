import { pageOfIndex } from './paging';
import type { Page } from './page';
import type { GroupSelection, Selection, State } from './store';
import type { Hotspot, LoadedTrace } from './types';
import { evidencePeople } from './views/evidence';
import { filteredPeople } from './views/people';

/** Selecting a person or a hotspot from any view, and loading the timelines the views show. */

/**
 * Where the people list goes to show a person: their page in the generation shown, or in the whole
 * list when that generation does not hold them (F0 is on no page: the list stays where it is).
 */
export function listPlace(trace: LoadedTrace, generation: number | undefined, page: number, id: string): { generation: number | undefined; page: number } {
  let index = filteredPeople(trace, generation).findIndex((p) => p.id === id);
  if (index < 0 && id !== trace.f0) {
    generation = undefined;
    index = trace.people.findIndex((p) => p.id === id);
  }
  return { generation, page: pageOfIndex(index) ?? page };
}

export function selectPerson(page: Page, id: string): void {
  const trace = page.store.state.trace;
  if (!trace) return;
  page.store.update('selection', (s) => {
    const place = listPlace(trace, s.listGeneration, s.listPage, id);
    s.selection = { person: id };
    s.listGeneration = place.generation;
    s.listPage = place.page;
  });
  // Their timeline, and those of the people on the other side of their first contacts: the
  // evidence card shows both passages of each contact.
  void loadTimelines(page, evidencePeople(trace, id));
}

/** Loads several timelines, a few at a time (each is a request the server audits). */
export async function loadTimelines(page: Page, ids: readonly string[], atOnce = 6): Promise<void> {
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await loadTimeline(page, id);
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, queue.length) }, worker));
}

/** Clicking the selected hotspot again clears the selection. */
export function hotspotSelection(current: Selection, hs: Hotspot): Selection {
  const same = current.hotspot?.stationId === hs.stationId && current.hotspot.windowStart === hs.windowStart;
  return same ? {} : { hotspot: hs };
}

export function selectHotspot(page: Page, hs: Hotspot): void {
  page.store.select(hotspotSelection(page.store.state.selection, hs));
}

/** Selecting a group of the graph; selecting it again clears the selection. */
export function selectGroup(page: Page, group: GroupSelection): void {
  page.store.select(page.store.state.selection.group?.id === group.id ? {} : { group });
}

/** Clicking the selected station again clears the selection. */
export function selectStation(page: Page, id: string): void {
  page.store.select(page.store.state.selection.station === id ? {} : { station: id });
}

/** Timelines asked for and not yet answered, by trace and person: asked once even when wanted twice. */
const inFlight = new Map<string, Promise<void>>();

/** Loads a person's timeline once per trace; an answer for a trace no longer shown is dropped. */
export function loadTimeline(page: Page, id: string): Promise<void> {
  const trace = page.store.state.trace;
  if (!trace || page.store.state.timelines.has(id)) return Promise.resolve();
  const key = `${trace.id}\u0000${id}`;
  let job = inFlight.get(key);
  if (!job) {
    job = fetchTimeline(page, id).finally(() => inFlight.delete(key));
    inFlight.set(key, job);
  }
  return job;
}

async function fetchTimeline(page: Page, id: string): Promise<void> {
  const { store, api } = page;
  const trace = store.state.trace;
  if (!trace) return;
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
