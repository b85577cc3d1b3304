import { max, scaleBand, scaleLinear, select } from 'd3';
import { byId, clear, h } from './dom';
import { t, type Lang } from './i18n';
import { errorMessage } from './messages';
import type { Page } from './page';
import { formatDateTime, fromLocalInput, toLocalInput } from './time';
import type { CaseList, Cluster, ClusterList, DailyStats, OutbreakLink, OutbreakRun } from './types';
import { clusterLayout, curveQuery, curveWindow, peoplePerGeneration, runEnded } from './wave';

/**
 * The tracers' epidemic-wave page (issue 23 point 9): the confirmed cases, a form to run an
 * outbreak trace over them with its progress and counts, the clusters across days with a graph of
 * the selected one, and the epidemic curve of the tracer's jurisdiction. Its data lives here, not
 * in the store: nothing else on the page uses it; the store says which page is shown and the language.
 */

/** How often a running outbreak run is asked how far it has come. */
const POLL_MS = 700;

interface WaveState {
  loaded: boolean;
  cases: CaseList | undefined;
  casesError: unknown;
  run: OutbreakRun | undefined;
  /** The people of every page of a done run (for the counts per generation). */
  runPeople: { generation: number }[];
  runLinks: OutbreakLink[];
  runError: unknown;
  clusters: ClusterList | undefined;
  clustersError: unknown;
  cluster: Cluster | undefined;
  clusterError: unknown;
  curve: DailyStats | undefined;
  curveError: unknown;
}

const fresh = (): WaveState => ({
  loaded: false,
  cases: undefined,
  casesError: undefined,
  run: undefined,
  runPeople: [],
  runLinks: [],
  runError: undefined,
  clusters: undefined,
  clustersError: undefined,
  cluster: undefined,
  clusterError: undefined,
  curve: undefined,
  curveError: undefined,
});

let W = fresh();
/** Goes up at each logout: answers for the previous session are dropped. */
let epoch = 0;

function redraw(page: Page): void {
  renderWave(page.store.state.lang);
}

async function loadCases(page: Page): Promise<void> {
  const e = epoch;
  try {
    const cases = await page.api.cases();
    if (e !== epoch) return;
    W.cases = cases;
    W.casesError = undefined;
    if (byId<HTMLInputElement>('curve-from').value === '') {
      const w = curveWindow(cases.cases, Date.now());
      byId<HTMLInputElement>('curve-from').value = w.from;
      byId<HTMLInputElement>('curve-to').value = w.to;
      void loadCurve(page);
    }
    if (byId<HTMLInputElement>('ob-since').value === '') {
      const oldest = cases.cases.at(-1)?.confirmedAt;
      byId<HTMLInputElement>('ob-since').value = toLocalInput(oldest ?? Date.now() - 7 * 86_400_000);
    }
  } catch (err) {
    if (e === epoch) W.casesError = err;
  }
  redraw(page);
}

async function loadClusters(page: Page): Promise<void> {
  const e = epoch;
  try {
    const clusters = await page.api.clusters();
    if (e !== epoch) return;
    W.clusters = clusters;
    W.clustersError = undefined;
  } catch (err) {
    if (e === epoch) W.clustersError = err;
  }
  redraw(page);
}

async function selectCluster(page: Page, id: string): Promise<void> {
  const e = epoch;
  try {
    const cluster = await page.api.cluster(id);
    if (e !== epoch) return;
    W.cluster = cluster;
    W.clusterError = undefined;
  } catch (err) {
    if (e === epoch) W.clusterError = err;
  }
  redraw(page);
}

async function loadCurve(page: Page): Promise<void> {
  const from = byId<HTMLInputElement>('curve-from').value;
  const to = byId<HTMLInputElement>('curve-to').value;
  if (from === '' || to === '') return;
  const e = epoch;
  try {
    const q = curveQuery(from, to);
    const curve = await page.api.dailyStats(q.from, q.to);
    if (e !== epoch) return;
    W.curve = curve;
    W.curveError = undefined;
  } catch (err) {
    if (e === epoch) {
      W.curve = undefined;
      W.curveError = err;
    }
  }
  redraw(page);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a run, follows it until it ends, then reads every page of its result. */
async function runOutbreak(page: Page): Promise<void> {
  const since = fromLocalInput(byId<HTMLInputElement>('ob-since').value);
  const until = fromLocalInput(byId<HTMLInputElement>('ob-until').value);
  const button = byId<HTMLButtonElement>('ob-run');
  const e = epoch;
  W.run = undefined;
  W.runPeople = [];
  W.runLinks = [];
  W.runError = undefined;
  if (since === undefined) {
    W.runError = new Error(t(page.store.state.lang, 'wave.sinceMissing'));
    redraw(page);
    return;
  }
  button.disabled = true;
  redraw(page);
  try {
    let run = await page.api.createOutbreak({
      confirmedSince: since,
      ...(until !== undefined ? { confirmedUntil: until } : {}),
      depth: Number(byId<HTMLInputElement>('ob-depth').value),
      closeOnly: byId<HTMLInputElement>('ob-close').checked,
      requestRef: byId<HTMLInputElement>('ob-ref').value.trim(),
      purpose: byId<HTMLTextAreaElement>('ob-purpose').value.trim(),
    });
    while (e === epoch) {
      W.run = run;
      redraw(page);
      if (runEnded(run)) break;
      await sleep(POLL_MS);
      run = await page.api.outbreak(run.id);
    }
    if (e !== epoch || run.status !== 'done') return;
    const people = [...(run.people ?? [])];
    for (let p = 2; p <= (run.page?.totalPages ?? 1); p++) people.push(...((await page.api.outbreak(run.id, p)).people ?? []));
    if (e !== epoch) return;
    W.runPeople = people;
    W.runLinks = [...(run.links ?? [])];
    // The run has just joined its clusters to the clusters across days, and its cases may be new.
    void loadClusters(page);
    void loadCases(page);
  } catch (err) {
    if (e === epoch) W.runError = err;
  } finally {
    button.disabled = false;
    redraw(page);
  }
}

export function wireWave(page: Page): void {
  byId('to-trace').addEventListener('click', () => page.store.update('view', (s) => (s.view = 'trace')));
  byId('to-wave').addEventListener('click', () => {
    page.store.update('view', (s) => (s.view = 'wave'));
    byId('ob-title').focus();
  });
  byId('outbreak-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void runOutbreak(page);
  });
  byId('curve-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void loadCurve(page);
  });
  byId('clusters-list').addEventListener('click', (e) => {
    const id = (e.target as HTMLElement).closest<HTMLElement>('[data-cluster]')?.dataset['cluster'];
    if (id !== undefined) void selectCluster(page, id);
  });
  page.store.subscribe((change) => {
    const s = page.store.state;
    if (change === 'session' && s.session === undefined) {
      epoch++;
      W = fresh();
      for (const id of ['curve-from', 'curve-to', 'ob-since', 'ob-until']) byId<HTMLInputElement>(id).value = '';
    }
    if (change === 'view' && s.view === 'wave' && !W.loaded) {
      W.loaded = true;
      void loadCases(page);
      void loadClusters(page);
    }
    if (change === 'lang' || change === 'view' || change === 'session') redraw(page);
  });
}

// ---- drawing ----

const err = (lang: Lang, e: unknown): HTMLElement => h('p', { class: 'error', role: 'alert' }, errorMessage(lang, e));

export function renderWave(lang: Lang): void {
  if (byId('wave').hidden) return;
  renderRun(lang);
  renderCases(lang);
  renderClusters(lang);
  renderCurve(lang);
}

function renderRun(lang: Lang): void {
  const status = byId('ob-status');
  const out = byId('ob-result');
  clear(out);
  status.className = 'status';
  const run = W.run;
  if (W.runError !== undefined) {
    status.className = 'status error';
    status.textContent = W.runError instanceof Error && !('status' in W.runError) ? W.runError.message : errorMessage(lang, W.runError);
    return;
  }
  if (run === undefined) {
    status.textContent = '';
    return;
  }
  const p = run.progress;
  status.textContent =
    run.status === 'done'
      ? t(lang, 'wave.done', { cases: run.caseCount, ms: Math.round(run.stats?.milliseconds ?? 0) })
      : run.status === 'queued' || run.status === 'running'
        ? t(lang, 'wave.progress', { status: t(lang, `wave.status.${run.status}`), generation: p.generation, people: p.people, links: p.links })
        : `${t(lang, `wave.status.${run.status}`)}${run.error ? `: ${run.error}` : ''}`;
  if (run.status !== 'done' || run.stats === undefined) return;
  const gens = peoplePerGeneration(W.runPeople);
  out.append(
    h(
      'table',
      { class: 'compact', 'data-testid': 'ob-counts' },
      h('tbody', {}, [
        ...gens.map((g) => h('tr', { 'data-generation': g.generation }, h('th', {}, `F${g.generation}`), h('td', {}, String(g.people)))),
        h('tr', { 'data-count': 'people' }, h('th', {}, t(lang, 'wave.people')), h('td', {}, String(run.stats.people))),
        h('tr', { 'data-count': 'links' }, h('th', {}, t(lang, 'wave.links')), h('td', {}, String(run.stats.links))),
        h('tr', { 'data-count': 'clusters' }, h('th', {}, t(lang, 'wave.clusters')), h('td', {}, String(run.stats.clusters))),
      ]),
    ),
  );
}

function renderCases(lang: Lang): void {
  const host = byId('cases');
  clear(host);
  if (W.casesError !== undefined) return void host.append(err(lang, W.casesError));
  const list = W.cases;
  if (list === undefined) return void host.append(h('p', { class: 'note' }, t(lang, 'wave.loading')));
  if (list.cases.length === 0) return void host.append(h('p', { class: 'note' }, t(lang, 'wave.noCases')));
  const name = (pid: string): string => list.identities[pid]?.fullName ?? list.identities[pid]?.rawKey ?? '—';
  host.append(
    h('p', { class: 'note' }, t(lang, 'wave.casesCount', { n: list.cases.length })),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'compact' },
        h('thead', {}, h('tr', {}, ...['wave.caseId', 'wave.name', 'wave.confirmed', 'wave.caseStatus', 'wave.home'].map((k) => h('th', {}, t(lang, k))))),
        h(
          'tbody',
          {},
          list.cases.map((c) =>
            h(
              'tr',
              { 'data-case': c.id },
              h('td', { class: 'mono' }, c.id),
              h('td', {}, name(c.personId)),
              h('td', {}, formatDateTime(c.confirmedAt, lang)),
              h('td', {}, t(lang, `case.${c.status}`)),
              h('td', {}, c.home ? `${c.home.commune} / ${c.home.district}` : t(lang, 'wave.noHome')),
            ),
          ),
        ),
      ),
    ),
  );
}

function renderClusters(lang: Lang): void {
  const host = byId('clusters-list');
  const graph = byId('cluster-graph');
  clear(host);
  clear(graph);
  if (W.clustersError !== undefined) host.append(err(lang, W.clustersError));
  else if (W.clusters === undefined) host.append(h('p', { class: 'note' }, t(lang, 'wave.loading')));
  else if (W.clusters.clusters.length === 0) host.append(h('p', { class: 'note' }, t(lang, 'wave.noClusters')));
  else
    host.append(
      h(
        'ul',
        { class: 'recent' },
        W.clusters.clusters.map((c) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', 'data-cluster': c.id, 'aria-pressed': String(W.cluster?.id === c.id) },
              t(lang, 'wave.clusterItem', { id: c.id, size: c.size, days: c.days.length, index: c.indexCase ?? '—' }),
            ),
          ),
        ),
      ),
    );
  if (W.clusterError !== undefined) return void graph.append(err(lang, W.clusterError));
  if (W.cluster !== undefined) drawCluster(graph, W.cluster, lang);
}

function drawCluster(host: HTMLElement, cluster: Cluster, lang: Lang): void {
  const width = 520;
  const height = 320;
  const layout = clusterLayout(cluster, W.runLinks, width, height);
  const at = new Map(layout.nodes.map((n) => [n.id, n]));
  host.append(
    h('h3', {}, t(lang, 'wave.clusterTitle', { id: cluster.id })),
    h('p', { class: 'note' }, t(lang, 'wave.clusterNote', { cases: cluster.cases.length, outside: cluster.outsideCases, stations: cluster.stations?.length ?? 0, links: layout.edges.filter((e) => e.kind === 'link').length })),
  );
  const svg = select(host).append('svg').attr('class', 'cluster-graph').attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img').attr('aria-label', t(lang, 'wave.clusterTitle', { id: cluster.id }));
  // Links arc above the straight line between two cases, so a link over two days never hides one over one.
  const point = (id: string): [number, number] => [at.get(id)?.x ?? 0, at.get(id)?.y ?? 0];
  svg
    .selectAll('path.link')
    .data(layout.edges.filter((e) => e.kind === 'link'))
    .join('path')
    .attr('class', 'link')
    .attr('d', (e) => {
      const [x1, y1] = point(e.from);
      const [x2, y2] = point(e.to);
      return `M${x1},${y1} Q${(x1 + x2) / 2},${(y1 + y2) / 2 - Math.hypot(x2 - x1, y2 - y1) / 4} ${x2},${y2}`;
    });
  svg
    .selectAll('line.at')
    .data(layout.edges.filter((e) => e.kind === 'at'))
    .join('line')
    .attr('class', 'at')
    .attr('x1', (e) => point(e.from)[0])
    .attr('y1', (e) => point(e.from)[1])
    .attr('x2', (e) => point(e.to)[0])
    .attr('y2', (e) => point(e.to)[1]);
  const cases = svg.selectAll('g.case').data(layout.nodes.filter((n) => n.kind === 'case')).join('g').attr('class', 'case').attr('data-case', (n) => n.id);
  cases.append('circle').attr('cx', (n) => n.x).attr('cy', (n) => n.y).attr('r', 7);
  cases.append('title').text((n) => `${n.id} · ${n.label}`);
  cases.append('text').attr('x', (n) => n.x).attr('y', (n) => n.y - 11).attr('text-anchor', 'middle').text((n) => n.id.slice(-6));
  const stations = svg.selectAll('g.station').data(layout.nodes.filter((n) => n.kind === 'station')).join('g').attr('class', 'station').attr('data-station', (n) => n.id.slice('station:'.length));
  stations.append('rect').attr('x', (n) => n.x - 6).attr('y', (n) => n.y - 6).attr('width', 12).attr('height', 12);
  stations.append('text').attr('x', (n) => n.x).attr('y', (n) => n.y + 18).attr('text-anchor', 'middle').text((n) => n.label.slice(0, 18));
  stations.append('title').text((n) => t(lang, 'wave.stationLinks', { name: n.label, links: n.links ?? 0 }));
  svg.selectAll('text.day').data(layout.days).join('text').attr('class', 'day').attr('x', (d) => at.get(layout.nodes.find((n) => n.kind === 'case' && n.label === d)?.id ?? '')?.x ?? 0).attr('y', 14).attr('text-anchor', 'middle').text((d) => d.slice(5));
}

function renderCurve(lang: Lang): void {
  const host = byId('curve');
  clear(host);
  if (W.curveError !== undefined) return void host.append(err(lang, W.curveError));
  const curve = W.curve;
  if (curve === undefined) return;
  const total = curve.days.reduce((a, d) => a + d.cases, 0);
  host.append(h('p', { class: 'note', 'data-testid': 'curve-total' }, t(lang, 'wave.curveTotal', { cases: total, days: curve.days.length })));
  const width = 520;
  const height = 220;
  const m = { top: 10, right: 10, bottom: 40, left: 34 };
  const x = scaleBand<string>().domain(curve.days.map((d) => d.day)).range([m.left, width - m.right]).padding(0.15);
  const y = scaleLinear().domain([0, Math.max(1, max(curve.days, (d) => d.cases) ?? 1)]).nice().range([height - m.bottom, m.top]);
  const svg = select(host).append('svg').attr('class', 'curve').attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img').attr('aria-label', t(lang, 'wave.curveTitle'));
  const bars = svg.selectAll('g.bar').data(curve.days).join('g').attr('class', 'bar').attr('data-day', (d) => d.day).attr('data-cases', (d) => d.cases);
  bars.append('rect').attr('x', (d) => x(d.day) ?? 0).attr('width', x.bandwidth()).attr('y', (d) => y(d.cases)).attr('height', (d) => y(0) - y(d.cases));
  bars.append('title').text((d) => t(lang, 'wave.curveBar', { day: d.day, cases: d.cases }));
  const every = Math.max(1, Math.ceil(curve.days.length / 10));
  svg.selectAll('text.tick').data(curve.days.filter((_, i) => i % every === 0)).join('text').attr('class', 'tick').attr('x', (d) => (x(d.day) ?? 0) + x.bandwidth() / 2).attr('y', height - m.bottom + 14).attr('text-anchor', 'middle').text((d) => d.day.slice(5));
  svg.selectAll('text.y').data(y.ticks(4).filter(Number.isInteger)).join('text').attr('class', 'y').attr('x', m.left - 4).attr('y', (v) => y(v) + 4).attr('text-anchor', 'end').text((v) => String(v));
}
