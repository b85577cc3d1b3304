import { Api, ApiError, LOAD_PAGE_SIZE, type TraceRequest } from './api';
import { errorMessage } from './messages';
import { generationColor } from './colors';
import { peopleCsv } from './csv';
import { byId, download, h } from './dom';
import { DEFAULT_NODE_CAP, DENSE_LINKS } from './graph';
import { applyI18n, t, type Lang } from './i18n';
import { laneOrder, timelineLanes } from './lanes';
import { listPage, pageOfIndex } from './paging';
import { generationCounts, mergePages, personLabel } from './result';
import { Store, type Failure } from './store';
import { formatDateTime, formatDuration, fromLocalInput } from './time';
import type { Hotspot, TraceMeta, TracePage } from './types';
import { renderDetails } from './views/details';
import { GraphView } from './views/graph';
import { renderHotspots } from './views/hotspots';
import { MapView } from './views/map';
import { filteredPeople, genChip, renderPeople } from './views/people';
import { renderSensitivity } from './views/sensitivity';
import { TimelineView } from './views/timeline';

/**
 * The tracers' page: log in, open a trace, explore it in linked views, export it. Wires the
 * API client, the store and the views; every view re-renders from the store's state.
 */

const api = new Api();
const store = new Store();
const state = store.state;

const graph = new GraphView(byId('graph'), (id) => selectPerson(id), 900, 640);
const timeline = new TimelineView(byId('timeline'), (id) => selectPerson(id));
const map = new MapView(byId('map'), (id) => store.select(state.selection.station === id ? {} : { station: id }));

const message = (e: unknown): string => errorMessage(state.lang, e);
const failureText = (f: Failure | undefined): string | undefined => f && message(f.error);

// ---- message lines ----------------------------------------------------------------------------

/**
 * What the status and login lines say, as functions of the language: render() writes them again,
 * so that switching the language translates what is on screen (it used to stay in the old one).
 */
type Line = 'trace-status' | 'login-error';
const said = new Map<Line, { text: (lang: Lang) => string; error: boolean }>();

function say(line: Line, text: ((lang: Lang) => string) | undefined, error = false): void {
  if (text === undefined) said.delete(line);
  else said.set(line, { text, error });
  paint(line);
}

function paint(line: Line): void {
  const el = byId(line);
  const s = said.get(line);
  const text = s ? s.text(state.lang) : '';
  // Written only when it changes: both lines are live regions, and a rewrite may be read out again.
  if (el.textContent !== text) el.textContent = text;
  if (line === 'trace-status') el.className = s?.error ? 'status error' : 'status';
}

// ---- selection ------------------------------------------------------------------------------

function selectPerson(id: string): void {
  const trace = state.trace;
  if (!trace) return;
  // Bring the person's row into view in the list.
  let generation = state.listGeneration;
  let index = filteredPeople(trace, generation).findIndex((p) => p.id === id);
  if (index < 0 && id !== trace.f0) {
    generation = undefined;
    index = trace.people.findIndex((p) => p.id === id);
  }
  store.update('selection', (s) => {
    s.selection = { person: id };
    s.listGeneration = generation;
    s.listPage = pageOfIndex(index) ?? s.listPage;
  });
  void loadTimeline(id);
}

async function loadTimeline(id: string): Promise<void> {
  const trace = state.trace;
  if (!trace || state.timelines.has(id)) return;
  try {
    const tl = await api.timeline(id, trace.id);
    if (state.trace?.id !== trace.id) return;
    store.update('timelines', (s) => {
      s.timelines.set(id, tl);
      s.timelineErrors.delete(id);
    });
  } catch (e) {
    if (state.trace?.id !== trace.id) return;
    store.update('timelines', (s) => s.timelineErrors.set(id, { error: e }));
  }
}

// ---- rendering ------------------------------------------------------------------------------

function render(): void {
  const { lang, trace, selection } = state;
  applyI18n(document, lang);
  document.documentElement.lang = lang;
  paint('trace-status');
  paint('login-error');
  for (const b of document.querySelectorAll<HTMLButtonElement>('.langs button')) b.setAttribute('aria-pressed', String(b.dataset['lang'] === lang));

  const logged = state.session !== undefined;
  byId('login').hidden = logged;
  byId('workspace').hidden = !logged;
  byId('logout').hidden = !logged;
  byId('who').textContent = state.session ? `${state.session.username} (${t(lang, `role.${state.session.role}`)})` : '';
  byId('views').hidden = !trace;
  byId('summary-card').hidden = !trace;
  renderSummary();
  renderRecent();

  const firstOnly = firstContactsOnly();
  const data = graph.render(trace, state.stations, lang, selection, { cap: DEFAULT_NODE_CAP, firstOnly });
  const linksButton = byId('graph-links');
  linksButton.setAttribute('aria-pressed', String(firstOnly));
  const notes: string[] = [];
  if (data && data.hiddenPeople > 0) notes.push(t(lang, 'graph.hidden', { drawn: data.drawnPeople, total: trace?.people.length ?? 0, hidden: data.hiddenPeople }));
  if (data && data.laterLinks > 0) notes.push(t(lang, 'graph.firstOnlyNote', { n: data.laterLinks }));
  byId('graph-notice').textContent = notes.join(' ');
  renderGraphLegend();

  renderPeople(byId('people'), trace, lang, selection, state.listPage, state.listGeneration, {
    select: selectPerson,
    page: (page) => store.update('list', (s) => (s.listPage = page)),
    generation: (g) =>
      store.update('list', (s) => {
        s.listGeneration = g;
        s.listPage = 1;
      }),
  });

  if (trace) {
    const onPage = listPage(filteredPeople(trace, state.listGeneration), state.listPage).items.map((p) => p.id);
    const order = laneOrder(trace, selection.person, onPage);
    timeline.render(trace, timelineLanes(trace, order.ids, state.timelines, order.hidden), state.stations, lang, selection);
    byId('timeline-notice').textContent = t(lang, 'timeline.notice') + (order.hidden > 0 ? ' ' + t(lang, 'timeline.hidden', { n: order.hidden }) : '');
  } else {
    timeline.render(undefined, undefined, state.stations, lang, selection);
  }

  map.render(trace, state.stationList, lang, selection);
  renderHotspots(byId('hotspots'), state.hotspots, failureText(state.hotspotError), state.stations, lang, selection, selectHotspot);
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
          select: selectPerson,
        }
      : undefined,
    lang,
  );
}

function firstContactsOnly(): boolean {
  if (state.graphLinks !== 'auto') return state.graphLinks === 'first';
  return (state.trace?.contacts.length ?? 0) > DENSE_LINKS;
}

function selectHotspot(hs: Hotspot): void {
  const same = state.selection.hotspot?.stationId === hs.stationId && state.selection.hotspot.windowStart === hs.windowStart;
  store.select(same ? {} : { hotspot: hs });
}

function renderSummary(): void {
  const host = byId('summary');
  host.replaceChildren();
  const { trace, lang } = state;
  if (!trace) return;
  const counts = generationCounts(trace);
  const p = trace.params;
  const f0Button = h('button', { type: 'button', class: 'link', 'data-testid': 'select-f0' }, personLabel(trace.f0, trace.identities));
  f0Button.addEventListener('click', () => selectPerson(trace.f0));
  host.append(
    h('p', {}, genChip(0), ' ', f0Button),
    h(
      'p',
      { class: 'small' },
      `${formatDateTime(p.from, lang)} – ${formatDateTime(p.to, lang)}`,
      p.until !== undefined && p.until !== p.to ? ` (${t(lang, 'form.until')}: ${formatDateTime(p.until, lang)})` : '',
      ' · ',
      t(lang, 'summary.params', { depth: p.depth, tolerance: formatDuration(p.toleranceSeconds, lang), mode: t(lang, p.mode === 'naive' ? 'form.modeNaive' : 'form.modeTime') }),
    ),
    h(
      'ul',
      { class: 'counts' },
      [...counts].map(([g, n]) =>
        h(
          'li',
          { style: `border-color:${generationColor(g)}` },
          h('span', { class: 'count-label' }, `F${g}`),
          h('span', { class: 'count', 'data-testid': `count-f${g}` }, String(n)),
        ),
      ),
    ),
    h('p', { class: 'small' }, t(lang, 'summary.stats', { people: trace.stats.people, contacts: trace.stats.contacts, ms: trace.stats.milliseconds })),
    h('p', { class: 'small' }, t(lang, 'summary.ref', { ref: trace.requestRef, id: trace.id })),
  );
  if (trace.truncated) host.append(h('p', { class: 'warning' }, t(lang, 'summary.truncated', { found: trace.peopleFound, kept: trace.totalPeople })));
  if (trace.people.length < trace.totalPeople) host.append(h('p', { class: 'warning' }, t(lang, 'summary.partial', { loaded: trace.people.length, total: trace.totalPeople })));
}

function renderGraphLegend(): void {
  const host = byId('graph-legend');
  host.replaceChildren();
  const trace = state.trace;
  if (!trace) return;
  for (let g = 0; g <= trace.params.depth; g++) {
    host.append(h('span', { class: 'key' }, h('span', { class: 'swatch round', style: `background:${generationColor(g)}` }), `F${g}`));
  }
  host.append(h('span', { class: 'note' }, t(state.lang, 'graph.legendNote')));
}

// ---- loading a trace ------------------------------------------------------------------------

/**
 * Hotspot cells asked for (the API ranks them); adjacent ones of a station show as one row
 * (hotspot-runs.ts), so a run is cut only where a window of it ranks below these.
 */
const HOTSPOTS_SHOWN = 100;

/** Most pages the view loads (the server's result cap is lower by default). */
const MAX_PAGES = 50;

async function loadAllPages(first: TracePage): Promise<TracePage[]> {
  const pages = [first];
  const total = Math.min(first.page.totalPages, MAX_PAGES);
  for (let n = 2; n <= total; n++) {
    say('trace-status', (l) => t(l, 'form.loadingPage', { page: n, pages: total }));
    pages.push(await api.tracePage(first.id, n, LOAD_PAGE_SIZE));
  }
  return pages;
}

async function showTrace(pages: TracePage[]): Promise<void> {
  const trace = mergePages(pages);
  store.update('trace', (s) => {
    s.trace = trace;
    s.timelines = new Map();
    s.timelineErrors = new Map();
    s.hotspots = undefined;
    s.hotspotError = undefined;
    s.selection = {};
    s.listPage = 1;
    s.listGeneration = undefined;
    s.graphLinks = 'auto';
  });
  const jobs: Promise<void>[] = [loadTimeline(trace.f0)];
  if (state.stationList.length === 0) {
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
      .then((hs) => (state.trace?.id === trace.id ? store.update('hotspots', (s) => (s.hotspots = hs)) : undefined))
      .catch((e: unknown) => (state.trace?.id === trace.id ? store.update('hotspots', (s) => (s.hotspotError = { error: e })) : undefined)),
  );
  await Promise.all(jobs);
}

/** The sensitivity panel's tolerances (seconds): the engine runs one more trace for each. */
const SENSITIVITY_TOLERANCES = [300, 900, 1800, 3600];

function readForm(): TraceRequest | ((lang: Lang) => string) {
  const value = (id: string) => byId<HTMLInputElement>(id).value.trim();
  const f0 = value('f0');
  if (f0 === '') return (l) => t(l, 'form.needF0');
  const from = fromLocalInput(value('from'));
  const to = fromLocalInput(value('to'));
  if (!from || !to) return (l) => t(l, 'form.needPeriod');
  if (Date.parse(from) > Date.parse(to)) return (l) => t(l, 'form.periodOrder');
  const untilText = value('until');
  const until = untilText === '' ? undefined : fromLocalInput(untilText);
  if (untilText !== '' && !until) return (l) => t(l, 'form.needPeriod');
  const depth = Number(value('depth'));
  const minutes = Number(value('tolerance'));
  if (!Number.isInteger(depth) || depth < 1 || depth > 5) return (l) => t(l, 'form.badDepth');
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > 1440) return (l) => t(l, 'form.badTolerance');
  const requestRef = value('requestRef');
  const purpose = value('purpose');
  if (requestRef.length < 3 || purpose.length < 3) return (l) => t(l, 'form.needRef');
  const mode = byId<HTMLSelectElement>('mode').value === 'naive' ? 'naive' : 'time-respecting';
  const tolerance = Math.round(minutes * 60);
  const sensitivity = byId<HTMLInputElement>('with-sensitivity').checked ? SENSITIVITY_TOLERANCES.filter((s) => s !== tolerance) : [];
  return { f0, from, to, ...(until ? { until } : {}), depth, tolerance, mode, requestRef, purpose, ...(sensitivity.length > 0 ? { sensitivity } : {}) };
}

async function runTrace(e: Event): Promise<void> {
  e.preventDefault();
  const button = byId<HTMLButtonElement>('run-trace');
  const req = readForm();
  if (typeof req === 'function') {
    say('trace-status', req, true);
    return;
  }
  button.disabled = true;
  say('trace-status', (l) => t(l, 'form.running'));
  try {
    const first = await api.createTrace(req);
    if (!('page' in first)) {
      // TRUYVET_TRACE_APPROVAL=required: stored for an approver, nothing traced yet.
      say('trace-status', (l) => t(l, 'form.pending', { ref: first.requestRef, id: first.id }));
      return;
    }
    const pages = await loadAllPages(first);
    await showTrace(pages);
    say('trace-status', (l) => t(l, 'form.done', { people: first.page.totalPeople, ms: first.stats.milliseconds }));
    void loadRecent();
  } catch (err) {
    say('trace-status', (l) => errorMessage(l, err), true);
  } finally {
    button.disabled = false;
  }
}

async function openTrace(id: string): Promise<void> {
  say('trace-status', (l) => t(l, 'form.running'));
  try {
    const first = await api.tracePage(id, 1, LOAD_PAGE_SIZE);
    await showTrace(await loadAllPages(first));
    say('trace-status', (l) => t(l, 'form.opened', { id }));
  } catch (err) {
    say('trace-status', (l) => errorMessage(l, err), true);
  }
}

/** The tracer's stored traces, to reopen one without tracing again. */
let recent: TraceMeta[] = [];

async function loadRecent(): Promise<void> {
  try {
    recent = (await api.recentTraces(10)).traces.filter((m) => m.hasResult);
  } catch {
    recent = [];
  }
  renderRecent();
}

function renderRecent(): void {
  const list = byId('recent');
  list.replaceChildren();
  for (const m of recent) {
    const b = h('button', { type: 'button', class: 'link' }, `${m.requestRef} · ${formatDateTime(m.createdAt, state.lang)} · ${t(state.lang, 'recent.people', { n: m.stats.people })}`);
    b.addEventListener('click', () => void openTrace(m.id));
    list.append(h('li', {}, b));
  }
  byId('recent-card').hidden = recent.length === 0 || state.session === undefined;
}

// ---- exports --------------------------------------------------------------------------------

function exportCsv(): void {
  const trace = state.trace;
  if (!trace) return;
  const csv = peopleCsv(trace, state.stations, state.lang);
  download(`truyvet-${trace.id}-people.csv`, new Blob([csv], { type: 'text/csv;charset=utf-8' }));
}

function graphTitle(): string {
  const trace = state.trace;
  return trace ? `truyvet · ${personLabel(trace.f0, trace.identities)} · ${trace.requestRef}` : 'truyvet';
}

function exportSvg(): void {
  const trace = state.trace;
  if (!trace) return;
  const { svg } = graph.exportSvg(graphTitle());
  download(`truyvet-${trace.id}-graph.svg`, new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
}

async function exportPng(): Promise<void> {
  const trace = state.trace;
  if (!trace) return;
  const { svg, width, height } = graph.exportSvg(graphTitle());
  const scale = Math.min(2, 8000 / Math.max(width, height));
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the SVG could not be drawn'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no canvas');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the PNG could not be made');
    download(`truyvet-${trace.id}-graph.png`, blob);
  } finally {
    URL.revokeObjectURL(url);
  }
}

// ---- session --------------------------------------------------------------------------------

function forgetEverything(): void {
  api.logout();
  store.update('session', (s) => {
    s.session = undefined;
    s.trace = undefined;
    s.timelines = new Map();
    s.timelineErrors = new Map();
    s.hotspots = undefined;
    s.hotspotError = undefined;
    s.selection = {};
    s.stationList = [];
    s.stations = new Map();
  });
  recent = [];
  renderRecent();
  say('trace-status', undefined);
}

async function login(e: Event): Promise<void> {
  e.preventDefault();
  const button = byId<HTMLButtonElement>('login-submit');
  const username = byId<HTMLInputElement>('username').value.trim();
  const password = byId<HTMLInputElement>('password');
  say('login-error', undefined);
  button.disabled = true;
  try {
    const r = await api.login(username, password.value);
    password.value = '';
    if (r.role !== 'tracer') {
      api.logout();
      say('login-error', (l) => t(l, 'auth.notTracer', { role: t(l, `role.${r.role}`) }));
      return;
    }
    store.update('session', (s) => (s.session = { username: r.username, role: r.role }));
    byId('f0').focus();
    void loadRecent();
  } catch (ex) {
    say('login-error', (l) => (ex instanceof ApiError && ex.status === 401 ? t(l, 'auth.refused') : errorMessage(l, ex)));
  } finally {
    button.disabled = false;
  }
}

// ---- wiring ---------------------------------------------------------------------------------

function setLang(lang: Lang): void {
  store.update('lang', (s) => (s.lang = lang));
}

store.subscribe(render);
api.onUnauthorized = () => {
  forgetEverything();
  say('login-error', (l) => t(l, 'auth.expired'));
};

byId('login-form').addEventListener('submit', (e) => void login(e));
byId('trace-form').addEventListener('submit', (e) => void runTrace(e));
byId('logout').addEventListener('click', () => forgetEverything());
byId('lang-vi').addEventListener('click', () => setLang('vi'));
byId('lang-en').addEventListener('click', () => setLang('en'));
byId('zoom-in').addEventListener('click', () => graph.zoomBy(1.4));
byId('zoom-out').addEventListener('click', () => graph.zoomBy(1 / 1.4));
byId('zoom-fit').addEventListener('click', () => graph.fit());
byId('graph-links').addEventListener('click', () => store.update('graph', (s) => (s.graphLinks = firstContactsOnly() ? 'all' : 'first')));
byId('export-csv').addEventListener('click', exportCsv);
byId('export-svg').addEventListener('click', exportSvg);
byId('export-png').addEventListener('click', () => {
  exportPng().catch((e: unknown) => say('trace-status', (l) => errorMessage(l, e), true));
});
byId('load-lanes').addEventListener('click', () => {
  const lanes = [...document.querySelectorAll<SVGGElement>('#timeline g.lane')].map((g) => g.getAttribute('data-id')).filter((id): id is string => id !== null);
  void Promise.all(lanes.map((id) => loadTimeline(id)));
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
  resizeTimer = setTimeout(render, 200);
});

render();
