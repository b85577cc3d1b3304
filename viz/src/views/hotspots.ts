import { h, onActivate } from '../dom';
import { hotspotRuns } from '../hotspot-runs';
import { t, type Lang } from '../i18n';
import { hotspotRows } from '../map-data';
import type { Selection } from '../store';
import { formatSpan } from '../time';
import type { Hotspot, HotspotList, Station } from '../types';

/**
 * The hotspot list: station × time-window cells ranked by how many of the trace's people passed,
 * with runs of adjacent cells of a station shown as one row (hotspot-runs.ts). Selecting a row
 * selects the run: its station, its whole span and everyone who passed in it.
 */
export function renderHotspots(
  host: HTMLElement,
  hotspots: HotspotList | undefined,
  error: string | undefined,
  stations: ReadonlyMap<string, Station>,
  lang: Lang,
  selection: Selection,
  onSelect: (h: Hotspot) => void,
): void {
  const focused = host.querySelector(':focus')?.getAttribute('data-rank');
  host.replaceChildren();
  if (error !== undefined) {
    host.append(h('p', { class: 'note' }, t(lang, 'hot.error', { reason: error })));
    return;
  }
  if (!hotspots) return;
  const rows = hotspotRows(hotspotRuns(hotspots.hotspots), stations);
  if (rows.length === 0) {
    host.append(h('p', { class: 'note' }, t(lang, 'hot.none')));
    return;
  }
  const minutes = Math.round(hotspots.windowSeconds / 60);
  const tbody = h('tbody');
  for (const r of rows) {
    const picked = selection.hotspot !== undefined && selection.hotspot.stationId === r.hotspot.stationId && selection.hotspot.windowStart === r.hotspot.windowStart;
    const tr = h(
      'tr',
      { tabindex: 0, 'data-rank': r.rank, 'data-station': r.hotspot.stationId, 'data-cells': r.hotspot.cells, 'aria-selected': String(picked), class: picked ? 'selected' : undefined },
      h('td', {}, String(r.rank)),
      h('td', {}, r.stationName),
      h(
        'td',
        {},
        formatSpan(r.hotspot.windowStart, r.hotspot.windowEnd, lang),
        r.hotspot.cells > 1 ? h('span', { class: 'small' }, ` (${t(lang, 'hot.cells', { n: r.hotspot.cells })})`) : null,
      ),
      // Three counts of different things, each said in its heading: the busiest single window,
      // everyone over the row's whole span, and passages summed over its windows.
      h('td', { class: 'num', 'data-col': 'peak' }, String(r.hotspot.cases)),
      h('td', { class: 'num', 'data-col': 'people' }, String(r.hotspot.people.length)),
      h('td', { class: 'num', 'data-col': 'passages' }, String(r.hotspot.passages)),
    );
    onActivate(tr, () => onSelect(r.hotspot));
    tbody.append(tr);
  }
  host.append(
    h(
      'table',
      { class: 'compact rows' },
      h('caption', { class: 'sr-only' }, t(lang, 'hot.title')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, '#'),
          h('th', { scope: 'col' }, t(lang, 'hot.station')),
          h('th', { scope: 'col' }, t(lang, 'hot.window')),
          h('th', { scope: 'col', class: 'num', title: t(lang, 'hot.casesHint', { minutes }) }, t(lang, 'hot.cases', { minutes })),
          h('th', { scope: 'col', class: 'num' }, t(lang, 'hot.people')),
          h('th', { scope: 'col', class: 'num', title: t(lang, 'hot.passagesHint') }, t(lang, 'hot.passages')),
        ),
      ),
      tbody,
    ),
    h('p', { class: 'note', 'data-testid': 'hot-legend' }, t(lang, 'hot.legend', { minutes })),
  );
  if (focused) host.querySelector<HTMLElement>(`tr[data-rank="${focused}"]`)?.focus();
}
