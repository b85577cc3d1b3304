import { generationColor, textOn } from '../colors';
import { h, onActivate } from '../dom';
import { t, type Lang } from '../i18n';
import { listPage, LIST_PAGE_SIZE } from '../paging';
import { classOf, filterChoices, homeOf, isFiltered, NO_FILTER, PEOPLE_SORTS, queryPeople, type ContactClass, type ListFilter, type PeopleSort } from '../people-query';
import { personKey } from '../result';
import type { Selection } from '../store';
import { formatDateTime } from '../time';
import type { LoadedTrace, Station } from '../types';

/**
 * The people list: one row per person, a page at a time; searched (name, key, phone, home),
 * filtered (generation, class, home district, station, risk) and sorted over the whole loaded
 * result (people-query.ts). The table scrolls inside its own box on a narrow screen.
 */

export interface PeopleListHandlers {
  readonly select: (id: string) => void;
  readonly page: (page: number) => void;
  readonly generation: (g: number | undefined) => void;
  readonly filter: (f: ListFilter) => void;
}

export function genChip(generation: number): HTMLElement {
  const fill = generationColor(generation);
  return h('span', { class: 'chip', style: `background:${fill};color:${textOn(fill)}` }, `F${generation}`);
}

/** A contact's or person's class (issue 25) as a badge; nothing while the data has none. */
export function classBadge(cls: ContactClass | undefined, lang: Lang): HTMLElement | null {
  if (cls === undefined) return null;
  return h('span', { class: `badge ${cls}`, 'data-class': cls, title: t(lang, `class.${cls}Hint`) }, t(lang, `class.${cls}`));
}

/** Risk bands the filter offers (the score of one brief F1 contact is 0.393, of a close one ≥ 0.632). */
export const MIN_SCORES = [0.3, 0.5, 0.632, 0.8];

let typing: ReturnType<typeof setTimeout> | undefined;

function select(id: string, label: string, value: string, options: readonly (readonly [string, string])[], onChange: (v: string) => void): HTMLElement[] {
  const el = h('select', { id, 'data-focus': id });
  for (const [v, text] of options) el.append(h('option', { value: v, selected: v === value }, text));
  el.addEventListener('change', () => onChange(el.value));
  return [h('label', { for: id }, label), el];
}

function toolbar(trace: LoadedTrace, lang: Lang, generation: number | undefined, f: ListFilter, stations: ReadonlyMap<string, Station>, on: PeopleListHandlers): HTMLElement {
  const set = (change: { [K in keyof ListFilter]?: ListFilter[K] | undefined }) => {
    const next: Record<string, unknown> = { ...f, ...change };
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    on.filter(next as unknown as ListFilter);
  };
  const search = h('input', {
    id: 'people-search',
    type: 'search',
    value: f.text,
    'data-focus': 'people-search',
    placeholder: t(lang, 'people.searchHint'),
    autocomplete: 'off',
    spellcheck: 'false',
  });
  search.addEventListener('input', () => {
    clearTimeout(typing);
    // The whole page draws again on a change: once the tracer pauses, not on every key.
    typing = setTimeout(() => set({ text: search.value }), 200);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    clearTimeout(typing);
    set({ text: search.value });
  });
  const gens: [string, string][] = [['', t(lang, 'people.all')]];
  for (let g = 1; g <= trace.params.depth; g++) gens.push([String(g), `F${g}`]);
  const { homes, stations: at } = filterChoices(trace);
  const parts: HTMLElement[] = [
    h('label', { for: 'people-search' }, t(lang, 'people.search')),
    search,
    ...select('people-generation', t(lang, 'people.filter'), generation === undefined ? '' : String(generation), gens, (v) => on.generation(v === '' ? undefined : Number(v))),
  ];
  // The class filter only when the data carries classes (issue 25).
  if (trace.people.some((p) => classOf(p) !== undefined)) {
    parts.push(
      ...select('people-class', t(lang, 'people.class'), f.cls ?? '', [['', t(lang, 'people.all')], ['close', t(lang, 'class.close')], ['brief', t(lang, 'class.brief')]], (v) =>
        set({ cls: v === 'close' || v === 'brief' ? v : undefined }),
      ),
    );
  }
  if (homes.length > 1) {
    parts.push(...select('people-home', t(lang, 'people.home'), f.district ?? '', [['', t(lang, 'people.all')], ...homes.map((x) => [x.key, `${x.label} (${x.n})`] as const)], (v) => set({ district: v === '' ? undefined : v })));
  }
  if (at.length > 1) {
    parts.push(
      ...select('people-station', t(lang, 'people.station'), f.station ?? '', [['', t(lang, 'people.all')], ...at.map((x) => [x.id, `${stations.get(x.id)?.name ?? x.id} (${x.n})`] as const)], (v) =>
        set({ station: v === '' ? undefined : v }),
      ),
    );
  }
  parts.push(
    ...select('people-risk', t(lang, 'people.minScore'), f.minScore === undefined ? '' : String(f.minScore), [['', t(lang, 'people.all')], ...MIN_SCORES.map((s) => [String(s), `≥ ${s}`] as const)], (v) =>
      set({ minScore: v === '' ? undefined : Number(v) }),
    ),
    ...select('people-sort', t(lang, 'people.sort'), f.sort, PEOPLE_SORTS.map((s) => [s, t(lang, `sort.${s}`)] as const), (v) => set({ sort: (PEOPLE_SORTS as readonly string[]).includes(v) ? (v as PeopleSort) : 'list' })),
  );
  if (isFiltered(f) || generation !== undefined) {
    const clear = h('button', { type: 'button', 'data-focus': 'people-clear' }, t(lang, 'people.clear'));
    clear.addEventListener('click', () => {
      on.generation(undefined);
      on.filter({ ...NO_FILTER, sort: f.sort });
    });
    parts.push(clear);
  }
  return h('div', { class: 'toolbar filters', role: 'search' }, ...parts);
}

export function renderPeople(
  host: HTMLElement,
  trace: LoadedTrace | undefined,
  lang: Lang,
  selection: Selection,
  page: number,
  generation: number | undefined,
  filter: ListFilter,
  stations: ReadonlyMap<string, Station>,
  on: PeopleListHandlers,
): void {
  const focused = host.querySelector<HTMLElement>(':focus');
  const focusKey = focused?.getAttribute('data-id') ?? focused?.getAttribute('data-focus');
  const caret = focused instanceof HTMLInputElement ? focused.selectionStart : null;
  host.replaceChildren();
  if (!trace) return;
  const people = queryPeople(trace, generation, filter);
  const p = listPage(people, page, LIST_PAGE_SIZE);
  const hasClass = trace.people.some((x) => classOf(x) !== undefined);

  const tbody = h('tbody');
  for (const person of p.items) {
    const who = trace.identities[person.id];
    const picked = selection.person === person.id;
    const via = person.via.map((v) => personKey(v, trace.identities));
    const tr = h(
      'tr',
      { tabindex: 0, 'data-id': person.id, 'data-generation': person.generation, 'data-score': person.score, 'aria-selected': String(picked), class: picked ? 'selected' : undefined },
      h('td', {}, genChip(person.generation)),
      hasClass ? h('td', {}, classBadge(classOf(person), lang)) : null,
      h('td', { class: 'mono' }, personKey(person.id, trace.identities)),
      h('td', {}, who?.fullName ?? (who?.registered === false ? t(lang, 'people.unregistered') : '')),
      h('td', { class: 'mono' }, who?.phone ?? ''),
      h('td', { class: 'small' }, homeOf(trace, person.id)?.label ?? ''),
      h('td', {}, formatDateTime(person.exposureAt, lang)),
      h('td', { class: 'num' }, person.score.toFixed(3)),
      h('td', { class: 'mono small' }, via.slice(0, 2).join(', ') + (via.length > 2 ? ` +${via.length - 2}` : '')),
    );
    onActivate(tr, () => on.select(person.id));
    tbody.append(tr);
  }
  const table = h(
    'table',
    { class: 'rows', id: 'people-table' },
    h('caption', { class: 'sr-only' }, t(lang, 'people.title')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t(lang, 'people.gen')),
        hasClass ? h('th', { scope: 'col' }, t(lang, 'people.class')) : null,
        h('th', { scope: 'col' }, t(lang, 'people.key')),
        h('th', { scope: 'col' }, t(lang, 'people.name')),
        h('th', { scope: 'col' }, t(lang, 'people.phone')),
        h('th', { scope: 'col' }, t(lang, 'people.home')),
        h('th', { scope: 'col' }, t(lang, 'people.exposure')),
        h('th', { scope: 'col', class: 'num' }, t(lang, 'people.score')),
        h('th', { scope: 'col' }, t(lang, 'people.via')),
      ),
    ),
    tbody,
  );
  const prev = h('button', { type: 'button', disabled: p.page <= 1, 'data-focus': 'prev' }, t(lang, 'people.prev'));
  const next = h('button', { type: 'button', disabled: p.page >= p.pages, 'data-focus': 'next' }, t(lang, 'people.next'));
  prev.addEventListener('click', () => on.page(p.page - 1));
  next.addEventListener('click', () => on.page(p.page + 1));
  const range = p.total === 0 ? t(lang, 'people.none') : t(lang, 'people.range', { first: p.first, last: p.last, total: p.total, page: p.page, pages: p.pages });
  const pager = h('div', { class: 'pager' }, prev, h('span', { 'aria-live': 'polite', 'data-testid': 'people-range' }, range), next);
  host.append(
    toolbar(trace, lang, generation, filter, stations, on),
    riskExplained(lang),
    h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': t(lang, 'people.title') }, table),
    pager,
  );
  if (focusKey) {
    const el = host.querySelector<HTMLElement>(`[data-id="${CSS.escape(focusKey)}"], [data-focus="${CSS.escape(focusKey)}"]`);
    el?.focus();
    if (el instanceof HTMLInputElement && caret !== null) el.setSelectionRange(caret, caret);
  }
}

/** What the risk score is, in a sentence or two, with the formula and where it is written down. */
export function riskExplained(lang: Lang): HTMLElement {
  return h(
    'details',
    { class: 'explain', id: 'risk-explained' },
    h('summary', {}, t(lang, 'risk.title')),
    h('p', {}, t(lang, 'risk.text')),
    h('p', { class: 'mono small' }, 'score = (1 − e^(−e/2)) × 0.5^(F − 1),  e = Σ w × (1 + overlap / 15 min)'),
    h('p', { class: 'small' }, h('a', { href: 'tracing.txt', target: '_blank', rel: 'noopener' }, t(lang, 'risk.link'))),
  );
}
