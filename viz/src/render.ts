import { byId } from './dom';
import { renderGraphPanel } from './graph-panel';
import { t, type Lang } from './i18n';
import { laneOrder, timelineLanes } from './lanes';
import { renderLanguage } from './language';
import { errorMessage } from './messages';
import type { Page } from './page';
import { listPage } from './paging';
import { renderRecent } from './recent';
import { loadTimelines, selectHotspot, selectPerson } from './selection';
import { renderSession } from './session';
import type { Failure } from './store';
import { renderSummary } from './summary';
import { isPreview } from './trace-load';
import { renderDetails } from './views/details';
import { renderEvidence } from './views/evidence';
import type { GraphView } from './views/graph';
import { renderHotspots } from './views/hotspots';
import type { MapView } from './views/map';
import { filteredPeople, renderPeople } from './views/people';
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

/**
 * The trace whose panels were all drawn. A new trace shows its summary (the counts) and the
 * people list first, and the graph, timeline, map and the rest a frame later: the counts and the
 * F1 list are on screen while the heavier panels are drawn (issue 23 point 10).
 */
let drawnWhole: string | undefined;
let wholeAsked = false;

function drawWholeSoon(page: Page, views: Views, traceId: string): void {
  if (wholeAsked) return;
  wholeAsked = true;
  // After the next frame is painted: a timeout queued from requestAnimationFrame runs after the paint.
  const later = (fn: () => void) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => setTimeout(fn, 0)) : setTimeout(fn, 0));
  later(() => {
    wholeAsked = false;
    const now = page.store.state.trace;
    if (now?.id !== traceId || isPreview(now)) return;
    drawnWhole = traceId;
    render(page, views);
  });
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
  const preview = trace !== undefined && isPreview(trace);
  renderSummary(trace, lang, select, preview);
  renderRecent(page);
  const firstPaint = trace !== undefined && (preview || trace.id !== drawnWhole);
  if (!trace) drawnWhole = undefined;
  if (!firstPaint) renderGraphPanel(views.graph, state);

  renderPeople(byId('people'), trace, lang, selection, state.listPage, state.listGeneration, {
    select,
    page: (n) => store.update('list', (s) => (s.listPage = n)),
    generation: (g) =>
      store.update('list', (s) => {
        s.listGeneration = g;
        s.listPage = 1;
      }),
  });
  if (firstPaint) {
    if (!preview) drawWholeSoon(page, views, trace.id);
    return;
  }

  if (trace) {
    const onPage = listPage(filteredPeople(trace, state.listGeneration), state.listPage).items.map((p) => p.id);
    const order = laneOrder(trace, selection.person, onPage);
    views.timeline.render(trace, timelineLanes(trace, order.ids, state.timelines, order.hidden), state.stations, lang, selection);
    byId('timeline-notice').textContent = timelineNotice(lang, order.hidden);
  } else {
    views.timeline.render(undefined, undefined, state.stations, lang, selection);
  }

  views.map.render(trace, state.stationList, lang, selection, { timelines: state.timelines, selectPerson: select });
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
      : trace && selection.group !== undefined
        ? { trace, group: selection.group, stations: state.stations, lang, select }
        : undefined,
    lang,
  );
  renderEvidence(
    byId('evidence'),
    trace && selection.person !== undefined
      ? {
          trace,
          personId: selection.person,
          stations: state.stations,
          timelines: state.timelines,
          timelineError: failureText(state.timelineErrors.get(selection.person)),
          lang,
          select,
          load: (ids) => void loadTimelines(page, ids),
          redraw: () => render(page, views),
        }
      : undefined,
    lang,
  );
}
