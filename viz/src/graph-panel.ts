import { generationColor } from './colors';
import { byId, h } from './dom';
import { DEFAULT_NODE_CAP, DENSE_LINKS, type GraphData } from './graph';
import { t, type Lang } from './i18n';
import type { State, Store } from './store';
import type { LoadedTrace } from './types';
import type { GraphView } from './views/graph';

/** The graph card around the graph view: its buttons, the notes under it and the legend. */

/** Only each person's first contact is drawn when asked, or by itself when the links are dense. */
export function firstContactsOnly(state: Pick<State, 'graphLinks' | 'trace'>): boolean {
  if (state.graphLinks !== 'auto') return state.graphLinks === 'first';
  return (state.trace?.contacts.length ?? 0) > DENSE_LINKS;
}

/** The links button turns to the other of all / first-only from whatever is drawn now. */
export function toggleGraphLinks(store: Store): void {
  store.update('graph', (s) => (s.graphLinks = firstContactsOnly(s) ? 'all' : 'first'));
}

/** What the graph leaves out: people past the node cap, later contacts in first-only mode. */
export function graphNotes(data: Pick<GraphData, 'hiddenPeople' | 'drawnPeople' | 'laterLinks'> | undefined, trace: LoadedTrace | undefined, lang: Lang): string {
  const notes: string[] = [];
  if (data && data.hiddenPeople > 0) notes.push(t(lang, 'graph.hidden', { drawn: data.drawnPeople, total: trace?.people.length ?? 0, hidden: data.hiddenPeople }));
  if (data && data.laterLinks > 0) notes.push(t(lang, 'graph.firstOnlyNote', { n: data.laterLinks }));
  return notes.join(' ');
}

export function renderGraphPanel(graph: GraphView, state: State): void {
  const { trace, lang, selection } = state;
  const firstOnly = firstContactsOnly(state);
  const data = graph.render(trace, state.stations, lang, selection, { cap: DEFAULT_NODE_CAP, firstOnly });
  byId('graph-links').setAttribute('aria-pressed', String(firstOnly));
  byId('graph-notice').textContent = graphNotes(data, trace, lang);
  renderGraphLegend(trace, lang);
}

function renderGraphLegend(trace: LoadedTrace | undefined, lang: Lang): void {
  const host = byId('graph-legend');
  host.replaceChildren();
  if (!trace) return;
  for (let g = 0; g <= trace.params.depth; g++) {
    host.append(h('span', { class: 'key' }, h('span', { class: 'swatch round', style: `background:${generationColor(g)}` }), `F${g}`));
  }
  host.append(h('span', { class: 'note' }, t(lang, 'graph.legendNote')));
}

export function wireGraphPanel(graph: GraphView, store: Store): void {
  byId('zoom-in').addEventListener('click', () => graph.zoomBy(1.4));
  byId('zoom-out').addEventListener('click', () => graph.zoomBy(1 / 1.4));
  byId('zoom-fit').addEventListener('click', () => graph.fit());
  byId('graph-links').addEventListener('click', () => toggleGraphLinks(store));
}
