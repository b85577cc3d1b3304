import { generationColor, textOn } from '../colors';
import { h, onActivate } from '../dom';
import { t, type Lang } from '../i18n';
import { listPage, LIST_PAGE_SIZE } from '../paging';
import { personKey } from '../result';
import type { Selection } from '../store';
import { formatDateTime } from '../time';
import type { LoadedTrace, TracePerson } from '../types';

/** The people list: one row per person, a page at a time, filterable by generation. */

export interface PeopleListHandlers {
  readonly select: (id: string) => void;
  readonly page: (page: number) => void;
  readonly generation: (g: number | undefined) => void;
}

export function genChip(generation: number): HTMLElement {
  const fill = generationColor(generation);
  return h('span', { class: 'chip', style: `background:${fill};color:${textOn(fill)}` }, `F${generation}`);
}

export function filteredPeople(trace: LoadedTrace, generation: number | undefined): readonly TracePerson[] {
  return generation === undefined ? trace.people : trace.people.filter((p) => p.generation === generation);
}

export function renderPeople(host: HTMLElement, trace: LoadedTrace | undefined, lang: Lang, selection: Selection, page: number, generation: number | undefined, on: PeopleListHandlers): void {
  const focused = host.querySelector(':focus');
  const focusKey = focused?.getAttribute('data-id') ?? focused?.getAttribute('data-focus');
  host.replaceChildren();
  if (!trace) return;
  const people = filteredPeople(trace, generation);
  const p = listPage(people, page, LIST_PAGE_SIZE);

  const filter = h('select', { id: 'people-generation', 'aria-label': t(lang, 'people.filter'), 'data-focus': 'filter' });
  filter.append(h('option', { value: '' }, t(lang, 'people.all')));
  for (let g = 1; g <= trace.params.depth; g++) filter.append(h('option', { value: String(g), selected: generation === g }, `F${g}`));
  filter.addEventListener('change', () => on.generation(filter.value === '' ? undefined : Number(filter.value)));

  const tbody = h('tbody');
  for (const person of p.items) {
    const who = trace.identities[person.id];
    const picked = selection.person === person.id;
    const via = person.via.map((v) => personKey(v, trace.identities));
    const tr = h(
      'tr',
      { tabindex: 0, 'data-id': person.id, 'data-generation': person.generation, 'aria-selected': String(picked), class: picked ? 'selected' : undefined },
      h('td', {}, genChip(person.generation)),
      h('td', { class: 'mono' }, personKey(person.id, trace.identities)),
      h('td', {}, who?.fullName ?? (who?.registered === false ? t(lang, 'people.unregistered') : '')),
      h('td', { class: 'mono' }, who?.phone ?? ''),
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
        h('th', { scope: 'col' }, t(lang, 'people.key')),
        h('th', { scope: 'col' }, t(lang, 'people.name')),
        h('th', { scope: 'col' }, t(lang, 'people.phone')),
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
  const pager = h(
    'div',
    { class: 'pager' },
    prev,
    h('span', { 'aria-live': 'polite', 'data-testid': 'people-range' }, t(lang, 'people.range', { first: p.first, last: p.last, total: p.total, page: p.page, pages: p.pages })),
    next,
  );
  host.append(h('div', { class: 'toolbar' }, h('label', { for: 'people-generation' }, t(lang, 'people.filter')), filter), table, pager);
  if (focusKey) host.querySelector<HTMLElement>(`[data-id="${CSS.escape(focusKey)}"], [data-focus="${CSS.escape(focusKey)}"]`)?.focus();
}
