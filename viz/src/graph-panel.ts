import { generationColor } from './colors';
import { byId, h } from './dom';
import { DENSE_LINKS, type GraphData, type GenerationShown } from './graph';
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

/** "F2: 40 of 1,668 shown, 1,628 in 24 groups" — or "F2: all 12 shown". */
export function shownText(g: GenerationShown, lang: Lang): string {
  if (g.grouped === 0) return t(lang, 'graph.shownAll', { g: g.generation, n: g.total });
  return t(lang, 'graph.shown', { g: g.generation, shown: g.shown, total: g.total, grouped: g.grouped, groups: g.groups });
}

/** What the graph leaves out: later contacts in first-only mode. */
export function graphNotes(data: Pick<GraphData, 'laterLinks'> | undefined, lang: Lang): string {
  return data && data.laterLinks > 0 ? t(lang, 'graph.firstOnlyNote', { n: data.laterLinks }) : '';
}

export function renderGraphPanel(graph: GraphView, state: State): void {
  const { trace, lang, selection } = state;
  const firstOnly = firstContactsOnly(state);
  const data = graph.render(trace, state.stations, lang, selection, { firstOnly });
  byId('graph-links').setAttribute('aria-pressed', String(firstOnly));
  const notice = byId('graph-notice');
  notice.replaceChildren();
  for (const g of data?.generations ?? []) {
    notice.append(h('span', { class: 'shown', 'data-testid': `graph-shown-f${g.generation}`, style: `border-color:${generationColor(g.generation)}` }, shownText(g, lang)), ' ');
  }
  const note = graphNotes(data, lang);
  if (data?.generations.some((g) => g.grouped > 0)) notice.append(h('span', { class: 'hint' }, t(lang, 'graph.groupNote')));
  if (note) notice.append(h('span', { class: 'hint' }, note));
  renderGraphLegend(trace, lang);
}

function renderGraphLegend(trace: LoadedTrace | undefined, lang: Lang): void {
  const host = byId('graph-legend');
  host.replaceChildren();
  if (!trace) return;
  for (let g = 0; g <= trace.params.depth; g++) {
    host.append(h('span', { class: 'key' }, h('span', { class: 'swatch round', style: `background:${generationColor(g)}` }), `F${g}`));
  }
  host.append(h('span', { class: 'key' }, h('span', { class: 'swatch round group' }), t(lang, 'graph.groupKey')));
  host.append(h('span', { class: 'note' }, t(lang, 'graph.legendNote')));
}

export function wireGraphPanel(graph: GraphView, store: Store): void {
  byId('zoom-in').addEventListener('click', () => graph.zoomBy(1.4));
  byId('zoom-out').addEventListener('click', () => graph.zoomBy(1 / 1.4));
  byId('zoom-fit').addEventListener('click', () => graph.fit());
  byId('graph-links').addEventListener('click', () => toggleGraphLinks(store));
}
