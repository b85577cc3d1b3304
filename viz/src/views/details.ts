import { h } from '../dom';
import { t, type Lang } from '../i18n';
import { chainTo, evidenceOf, personKey, personLabel } from '../result';
import type { GroupSelection } from '../store';
import { formatDateTime, formatSpan } from '../time';
import type { LoadedTrace, Station, Timeline } from '../types';
import { genChip } from './people';

/**
 * The selected person: who they are, how the trace reached them (the chain from F0), and how
 * many contacts the evidence card under the graph holds for them (views/evidence.ts). Or the
 * selected group of the graph: where and when its people were first reached, and who they are.
 */

export interface DetailsInput {
  readonly trace: LoadedTrace;
  readonly personId: string;
  readonly stations: ReadonlyMap<string, Station>;
  readonly timeline: Timeline | undefined;
  readonly timelineError: string | undefined;
  readonly lang: Lang;
  readonly select: (id: string) => void;
}

export interface GroupDetailsInput {
  readonly trace: LoadedTrace;
  readonly group: GroupSelection;
  readonly stations: ReadonlyMap<string, Station>;
  readonly lang: Lang;
  readonly select: (id: string) => void;
}

/** Members of a group listed by name; the rest are counted (the people list has them all). */
export const GROUP_MEMBERS_SHOWN = 60;

function keepFocus(host: HTMLElement, key: string | undefined): () => void {
  // The panel is drawn again when the timeline arrives: keep the keyboard focus on the same
  // control for the same selection, or a Tab into the panel while it loads lands on nothing.
  const focusKey = host.dataset['selected'] === key ? host.querySelector(':focus')?.getAttribute('data-focus') : undefined;
  host.replaceChildren();
  if (key !== undefined) host.dataset['selected'] = key;
  else delete host.dataset['selected'];
  return () => {
    if (focusKey) host.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focusKey)}"]`)?.focus();
  };
}

export function renderDetails(host: HTMLElement, input: DetailsInput | GroupDetailsInput | undefined, lang: Lang): void {
  if (input && 'group' in input) return renderGroup(host, input);
  const restore = keepFocus(host, input?.personId);
  if (!input) {
    host.append(h('p', { class: 'note' }, t(lang, 'details.empty')));
    return;
  }
  const { trace, personId, timeline } = input;
  const person = trace.people.find((p) => p.id === personId);
  const generation = personId === trace.f0 ? 0 : (person?.generation ?? -1);
  const who = trace.identities[personId] ?? timeline?.identity;
  const personButton = (id: string, key: string) => {
    const b = h('button', { type: 'button', class: 'link', 'data-focus': key }, personLabel(id, trace.identities));
    b.addEventListener('click', () => input.select(id));
    return b;
  };

  host.append(
    h('h3', { 'data-testid': 'details-name' }, genChip(generation), ' ', who?.fullName ?? personKey(personId, trace.identities)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t(lang, 'people.key')),
      h('dd', { class: 'mono' }, personKey(personId, trace.identities)),
      who?.birthDate ? [h('dt', {}, t(lang, 'details.birth')), h('dd', {}, who.birthDate)] : null,
      who?.sex ? [h('dt', {}, t(lang, 'details.sex')), h('dd', {}, who.sex)] : null,
      who?.phone ? [h('dt', {}, t(lang, 'people.phone')), h('dd', { class: 'mono' }, who.phone)] : null,
      who && !who.registered ? [h('dt', {}, t(lang, 'details.registry')), h('dd', {}, t(lang, 'people.unregistered'))] : null,
      person ? [h('dt', {}, t(lang, 'people.exposure')), h('dd', {}, formatDateTime(person.exposureAt, lang))] : null,
      person ? [h('dt', {}, t(lang, 'people.score')), h('dd', {}, person.score.toFixed(3))] : null,
    ),
  );

  if (personId !== trace.f0) {
    const chain = chainTo(trace, personId);
    const path = h('ol', { class: 'chain' });
    for (const id of chain) path.append(h('li', {}, id === personId ? personLabel(id, trace.identities) : personButton(id, `chain:${id}`)));
    host.append(h('h4', {}, t(lang, 'details.chain')), path);
  }

  const ev = evidenceOf(trace, personId);
  const link = h('a', { href: '#evidence-card', 'data-focus': 'evidence' }, t(lang, 'details.toEvidence', { by: ev.reachedBy.length, to: ev.reached.length }));
  host.append(h('p', {}, link));
  restore();
}

function renderGroup(host: HTMLElement, input: GroupDetailsInput): void {
  const { trace, group, stations, lang } = input;
  const restore = keepFocus(host, `group:${group.id}`);
  const station = group.stationId !== undefined ? stations.get(group.stationId) : undefined;
  const title = group.stationId !== undefined ? (station?.name ?? group.stationId) : t(lang, 'graph.others', { n: group.people.length, g: group.generation });
  host.append(
    h('h3', { 'data-testid': 'details-name' }, genChip(group.generation), ' ', title),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t(lang, 'details.groupPeople')),
      h('dd', {}, String(group.people.length)),
      group.from !== undefined && group.to !== undefined ? [h('dt', {}, t(lang, 'details.groupSpan')), h('dd', {}, formatSpan(group.from, group.to, lang))] : null,
      station ? [h('dt', {}, t(lang, 'map.kind')), h('dd', {}, t(lang, `kind.${station.kind}`))] : null,
    ),
    h('p', { class: 'note' }, t(lang, group.stationId !== undefined ? 'details.groupAbout' : 'details.othersAbout')),
  );
  const list = h('ul', { class: 'members' });
  for (const id of group.people.slice(0, GROUP_MEMBERS_SHOWN)) {
    const b = h('button', { type: 'button', class: 'link', 'data-focus': `member:${id}` }, personLabel(id, trace.identities));
    b.addEventListener('click', () => input.select(id));
    list.append(h('li', {}, b));
  }
  host.append(list);
  if (group.people.length > GROUP_MEMBERS_SHOWN) host.append(h('p', { class: 'note' }, t(lang, 'graph.morePeople', { n: group.people.length - GROUP_MEMBERS_SHOWN })));
  restore();
}
