import { h } from '../dom';
import { t, type Lang } from '../i18n';
import { chainTo, evidenceOf, personKey, personLabel } from '../result';
import { formatDateTime, formatDuration, formatTime } from '../time';
import type { LoadedTrace, Station, Timeline, TraceContact } from '../types';
import { classOf } from '../people-query';
import { sexLabel, sourceLabel } from '../words';
import { classBadge } from './people';
import { genChip } from './people';

/**
 * The selected person: who they are, how the trace reached them (the chain from F0 and the
 * evidence of each contact: station, time, overlap, both passages), whom they reached, and their
 * passages in the trace's period (their timeline, fetched from the API on selection).
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

export function renderDetails(host: HTMLElement, input: DetailsInput | undefined, lang: Lang): void {
  // The panel is drawn again when the timeline arrives: keep the keyboard focus on the same
  // control for the same person, or a Tab into the panel while it loads lands on nothing.
  const focusKey = host.dataset['person'] === input?.personId ? host.querySelector(':focus')?.getAttribute('data-focus') : undefined;
  host.replaceChildren();
  if (input) host.dataset['person'] = input.personId;
  else delete host.dataset['person'];
  if (!input) {
    host.append(h('p', { class: 'note' }, t(lang, 'details.empty')));
    return;
  }
  const { trace, personId, stations, timeline } = input;
  const person = trace.people.find((p) => p.id === personId);
  const generation = personId === trace.f0 ? 0 : (person?.generation ?? -1);
  const who = trace.identities[personId] ?? timeline?.identity;
  const stationName = (id: string) => stations.get(id)?.name ?? id;
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
      who?.sex ? [h('dt', {}, t(lang, 'details.sex')), h('dd', {}, sexLabel(lang, who.sex))] : null,
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
  const contactTable = (rows: readonly TraceContact[], other: 'source' | 'target', caption: string) =>
    h(
      'table',
      { class: 'compact evidence' },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t(lang, 'evidence.time')),
          h('th', { scope: 'col' }, t(lang, 'evidence.station')),
          h('th', { scope: 'col' }, t(lang, other === 'source' ? 'evidence.from' : 'evidence.to')),
          h('th', { scope: 'col' }, t(lang, 'evidence.overlap')),
          h('th', { scope: 'col' }, t(lang, 'evidence.passages')),
          h('th', { scope: 'col' }, t(lang, 'evidence.trust')),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((c, i) =>
          h(
            'tr',
            {},
            h('td', {}, formatDateTime(c.at, lang)),
            h('td', {}, stationName(c.stationId)),
            h('td', {}, personButton(c[other], `${other}:${i}`)),
            h('td', {}, formatDuration(c.overlapSeconds, lang), ' ', classBadge(classOf(c), lang)),
            h('td', { class: 'mono small' }, `${c.passages[0]} / ${c.passages[1]}`),
            // Which passage is the national QR's: the contact weighs half in the score (README, "Risk score").
            h('td', { class: c.trust ? 'low-trust' : undefined }, c.trust ? t(lang, 'evidence.national') : ''),
          ),
        ),
      ),
    );
  if (ev.reachedBy.length > 0) host.append(contactTable(ev.reachedBy, 'source', t(lang, 'details.reachedBy', { n: ev.reachedBy.length })));
  if (ev.reached.length > 0) host.append(contactTable(ev.reached, 'target', t(lang, 'details.reached', { n: ev.reached.length })));

  const tl = h('section', { class: 'person-timeline', 'data-testid': 'person-timeline' }, h('h4', {}, t(lang, 'details.passages')));
  if (input.timelineError !== undefined) tl.append(h('p', { class: 'error' }, input.timelineError));
  else if (!timeline) tl.append(h('p', { class: 'note' }, t(lang, 'details.loading')));
  else if (timeline.passages.length === 0) tl.append(h('p', { class: 'note' }, t(lang, 'details.noPassages')));
  else {
    const used = new Set([...ev.reachedBy.map((c) => c.passages[1]), ...ev.reached.map((c) => c.passages[0])]);
    tl.append(
      h(
        'table',
        { class: 'compact' },
        h('caption', { class: 'sr-only' }, t(lang, 'details.passages')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t(lang, 'evidence.time')),
            h('th', { scope: 'col' }, t(lang, 'evidence.station')),
            h('th', { scope: 'col' }, t(lang, 'details.source')),
            h('th', { scope: 'col' }, t(lang, 'details.evidence')),
          ),
        ),
        h(
          'tbody',
          {},
          timeline.passages.map((p) =>
            h(
              'tr',
              { class: used.has(p.id) ? 'evidence-row' : undefined, 'data-passage': p.id },
              h('td', {}, formatDateTime(p.at, lang) + (p.leftAt !== p.at ? ` – ${formatTime(p.leftAt, lang)}` : '')),
              h('td', {}, p.stationName || stationName(p.stationId)),
              h('td', { class: p.trust === 'national' ? 'low-trust' : undefined }, p.trust === 'national' ? `${sourceLabel(lang, p.source)} · ${t(lang, 'evidence.national')}` : sourceLabel(lang, p.source)),
              h('td', {}, used.has(p.id) ? t(lang, 'details.usedAsEvidence') : ''),
            ),
          ),
        ),
      ),
    );
  }
  host.append(tl);
  if (focusKey) host.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focusKey)}"]`)?.focus();
}
