import { byId } from './dom';
import { renderGraphPanel } from './graph-panel';
import { t, type Lang } from './i18n';
import { laneOrder, timelineLanes } from './lanes';
import { renderLanguage } from './language';
import { errorMessage } from './messages';
import type { Page } from './page';
import { listPage } from './paging';
import { renderRecent } from './recent';
import { selectHotspot, selectPerson } from './selection';
import { renderSession } from './session';
import type { Failure } from './store';
import { renderSummary } from './summary';
import { renderDetails } from './views/details';
import type { GraphView } from './views/graph';
import { renderHotspots } from './views/hotspots';
import type { MapView } from './views/map';
import { renderPeople } from './views/people';
import { queryPeople } from './people-query';
import { renderSensitivity } from './views/sensitivity';
import type { TimelineView } from './views/timeline';

/** Draws the whole page from the store's state (after every change, and on resizing the window). */

export interface Views {
  readonly graph: GraphView;
  readonly timeline: TimelineView;
  readonly map: MapView;
}

/** The timeline's note: how to read it, and how many people have no lane. */
export function timelineNotice(lang: Lang, hiddenLanes: number): string {
  return t(lang, 'timeline.notice') + (hiddenLanes > 0 ? ' ' + t(lang, 'timeline.hidden', { n: hiddenLanes }) : '');
}

export function render(page: Page, views: Views): void {
  const { store, lines } = page;
  const state = store.state;
  const { lang, trace, selection } = state;
  const failureText = (f: Failure | undefined): string | undefined => f && errorMessage(lang, f.error);
  const select = (id: string) => selectPerson(page, id);

  renderLanguage(lang, lines);
  renderSession(state);
  byId('views').hidden = !trace;
  byId('summary-card').hidden = !trace;
  renderSummary(trace, lang, select);
  renderRecent(page);
  renderGraphPanel(views.graph, state);

  renderPeople(byId('people'), trace, lang, selection, state.listPage, state.listGeneration, state.listFilter, state.stations, {
    select,
    page: (n) => store.update('list', (s) => (s.listPage = n)),
    generation: (g) =>
      store.update('list', (s) => {
        s.listGeneration = g;
        s.listPage = 1;
      }),
    filter: (f) =>
      store.update('list', (s) => {
        s.listFilter = f;
        s.listPage = 1;
      }),
  });

  if (trace) {
    const onPage = listPage(queryPeople(trace, state.listGeneration, state.listFilter), state.listPage).items.map((p) => p.id);
    const order = laneOrder(trace, selection.person, onPage);
    views.timeline.render(trace, timelineLanes(trace, order.ids, state.timelines, order.hidden), state.stations, lang, selection);
    byId('timeline-notice').textContent = timelineNotice(lang, order.hidden);
  } else {
    views.timeline.render(undefined, undefined, state.stations, lang, selection);
  }

  views.map.render(trace, state.stationList, lang, selection);
  renderHotspots(byId('hotspots'), state.hotspots, failureText(state.hotspotError), state.stations, lang, selection, (hs) => selectHotspot(page, hs));
  renderSensitivity(byId('sensitivity'), trace, lang);
  renderDetails(
    byId('details'),
    trace && selection.person !== undefined
      ? {
          trace,
          personId: selection.person,
          stations: state.stations,
          timeline: state.timelines.get(selection.person),
          timelineError: failureText(state.timelineErrors.get(selection.person)),
          lang,
          select,
        }
      : undefined,
    lang,
  );
}
