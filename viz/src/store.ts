import type { Lang } from './i18n';
import { NO_FILTER, type ListFilter } from './people-query';
import type { Hotspot, HotspotList, LoadedTrace, Station, Timeline, TraceMeta } from './types';

/**
 * The page's state and the selection that links the views: selecting a person, a station or a
 * hotspot in one view highlights it in all the others. Listeners run after every change.
 */

export interface Selection {
  readonly person?: string;
  readonly station?: string;
  /** A hotspot row (a cell, or adjacent cells merged): its station, span and the trace people who passed there. */
  readonly hotspot?: Hotspot;
  /** A group node of the graph (graph.ts): people first reached at one station within an hour. */
  readonly group?: GroupSelection;
}

/** A group of the graph: its node id, generation, members, and the station and span of their first contacts. */
export interface GroupSelection {
  readonly id: string;
  readonly generation: number;
  readonly people: readonly string[];
  readonly stationId?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface Session {
  readonly username: string;
  readonly role: string;
}

/** An error kept for its message, which follows the language (messages.ts). */
export interface Failure {
  readonly error: unknown;
}

export interface State {
  lang: Lang;
  session: Session | undefined;
  trace: LoadedTrace | undefined;
  stations: ReadonlyMap<string, Station>;
  stationList: readonly Station[];
  timelines: Map<string, Timeline>;
  /** Failures as they came: their message is written in the language of each render. */
  timelineErrors: Map<string, Failure>;
  hotspots: HotspotList | undefined;
  hotspotError: Failure | undefined;
  selection: Selection;
  /** People list: 1-based page, and the generation shown (undefined: all). */
  listPage: number;
  listGeneration: number | undefined;
  /** People list: search, filters and sort (people-query.ts). */
  listFilter: ListFilter;
  /** Graph links: every pair, or only each person's first contact; 'auto' picks by density. */
  graphLinks: 'auto' | 'all' | 'first';
  /** The tracer's stored traces that have a result, to reopen one without tracing again. */
  recent: readonly TraceMeta[];
  /** A tracer's page: tracing one F0, or the epidemic wave (wave-page.ts). Officers have only their follow-up page. */
  view: 'trace' | 'wave';
}

/** What changed; the page redraws only the list of recent traces for 'recent' (main.ts). */
export type Change = 'lang' | 'session' | 'trace' | 'stations' | 'timelines' | 'hotspots' | 'selection' | 'list' | 'graph' | 'recent' | 'view';

export class Store {
  readonly state: State = {
    lang: 'vi',
    session: undefined,
    trace: undefined,
    stations: new Map(),
    stationList: [],
    timelines: new Map(),
    timelineErrors: new Map(),
    hotspots: undefined,
    hotspotError: undefined,
    selection: {},
    listPage: 1,
    listGeneration: undefined,
    listFilter: NO_FILTER,
    graphLinks: 'auto',
    recent: [],
    view: 'trace',
  };
  private readonly listeners: ((c: Change) => void)[] = [];

  subscribe(fn: (c: Change) => void): void {
    this.listeners.push(fn);
  }

  update(change: Change, mutate: (s: State) => void): void {
    mutate(this.state);
    for (const fn of this.listeners) fn(change);
  }

  select(selection: Selection): void {
    this.update('selection', (s) => (s.selection = selection));
  }
}

/** Does the selection concern this person (themself, a hotspot they passed through, a graph group they are in)? */
export function selectsPerson(sel: Selection, id: string): boolean {
  if (sel.person === id) return true;
  return (sel.hotspot?.people.includes(id) ?? false) || (sel.group?.people.includes(id) ?? false);
}

export function hasSelection(sel: Selection): boolean {
  return sel.person !== undefined || sel.station !== undefined || sel.hotspot !== undefined || sel.group !== undefined;
}

/** The station the selection points at, directly or through a hotspot or a graph group. */
export function selectedStation(sel: Selection): string | undefined {
  return sel.station ?? sel.hotspot?.stationId ?? sel.group?.stationId;
}
