import { Api } from './api';
import { byId } from './dom';
import { wireExports } from './exports';
import { wireFollowups } from './followups-page';
import { wireGraphPanel } from './graph-panel';
import { wireLanguage } from './language';
import { Lines } from './lines';
import type { Page } from './page';
import { renderRecent } from './recent';
import { render, type Views } from './render';
import { loadTimeline, selectGroup, selectPerson, selectStation } from './selection';
import { sessionExpired, wireSession } from './session';
import { Store } from './store';
import { wireTraceForm } from './trace-form';
import { wireWave } from './wave-page';
import { GraphView } from './views/graph';
import { MapView } from './views/map';
import { TimelineView } from './views/timeline';

/**
 * The tracers' page: log in (session.ts), trace (trace-form.ts) or reopen a trace (recent.ts),
 * explore it in linked views (render.ts), export it (exports.ts), in Vietnamese or English
 * (language.ts); the epidemic-wave page (wave-page.ts) and the officers' follow-up page
 * (followups-page.ts). This file makes the shared parts and wires the page's events to them; every
 * view re-renders from the store's state.
 */

/** Phones, as style.css's @media block says. */
const PHONE_QUERY = '(max-width: 600px)';

const api = new Api();
const store = new Store();
const lines = new Lines(
  () => store.state.lang,
  (line) => byId(line),
);
const page: Page = { api, store, lines };

// On a phone the graph is drawn square: a 900×640 picture squeezed to 350 px wide is a small
// ring in a tall box (style.css sizes it to the card's width).
const [graphWidth, graphHeight] = matchMedia(PHONE_QUERY).matches ? [600, 600] : [900, 640];
const views: Views = {
  graph: new GraphView(byId('graph'), { person: (id) => selectPerson(page, id), group: (g) => selectGroup(page, g) }, graphWidth, graphHeight),
  timeline: new TimelineView(byId('timeline'), (id) => selectPerson(page, id)),
  map: new MapView(byId('map'), (id) => selectStation(page, id)),
};
const draw = (): void => render(page, views);

// The list of recent traces changes on its own (after a login or a trace): only its card is drawn again.
store.subscribe((change) => (change === 'recent' ? renderRecent(page) : draw()));
api.onUnauthorized = () => sessionExpired(page);

wireSession(page);
wireTraceForm(page);
wireLanguage(store);
wireGraphPanel(views.graph, store);
wireExports(page, views.graph);
wireWave(page);
wireFollowups(page);
byId('load-lanes').addEventListener('click', () => {
  const lanes = [...document.querySelectorAll<SVGGElement>('#timeline g.lane')].map((g) => g.getAttribute('data-id')).filter((id): id is string => id !== null);
  void Promise.all(lanes.map((id) => loadTimeline(page, id)));
});
// A key, a click or a pointer action: the token is refreshed before it expires only after one
// (api.ts, refresh.ts), so an unattended page still runs out and asks to log in again.
for (const type of ['keydown', 'pointerdown', 'click', 'wheel'] as const) {
  document.addEventListener(type, () => api.noteActivity(), { capture: true, passive: true });
}
document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement | null;
  if (e.key === 'Escape' && !(target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement)) store.select({});
});
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(draw, 200);
});

draw();
