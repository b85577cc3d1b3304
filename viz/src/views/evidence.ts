import { h } from '../dom';
import { closeSecondsOf, contactEvidence, contactReason, exactDuration, passageSpan, type ContactEvidence, type PassageSide } from '../evidence';
import { t, type Lang } from '../i18n';
import { evidenceOf, personLabel } from '../result';
import { formatDateTime, formatTime } from '../time';
import type { LoadedTrace, Station, Timeline, TraceContact } from '../types';

/**
 * The evidence card, the width of the page under the graph: for the selected person, each
 * contact that reached them and each they passed on — when and where, both passages (arrival –
 * departure in Ho Chi Minh City time, to the second; how long each stayed; each one's trust),
 * how far apart or how long together, the tolerance that made it a contact, and its class —
 * then their movements in the trace's period. The passages' times come from the two people's
 * timelines: those of the first EVIDENCE_ROWS contacts are loaded on selection (selection.ts),
 * the others on a button in their row.
 */

/** Contacts of each table whose passages are loaded with the selection. */
export const EVIDENCE_ROWS = 25;

export interface EvidenceInput {
  readonly trace: LoadedTrace;
  readonly personId: string;
  readonly stations: ReadonlyMap<string, Station>;
  readonly timelines: ReadonlyMap<string, Timeline>;
  /** The selected person's timeline failed: the message. */
  readonly timelineError: string | undefined;
  readonly lang: Lang;
  readonly select: (id: string) => void;
  /** Loads these people's timelines (a row past EVIDENCE_ROWS asks for its two). */
  readonly load: (ids: readonly string[]) => void;
  /** Draws the card again (after showing or hiding rows). */
  readonly redraw: () => void;
}

/** The people whose timelines the first rows of both tables need (the selected person too). */
export function evidencePeople(trace: Pick<LoadedTrace, 'contacts'>, personId: string): string[] {
  const ev = evidenceOf(trace, personId);
  const ids = new Set<string>([personId]);
  for (const c of ev.reachedBy.slice(0, EVIDENCE_ROWS)) ids.add(c.source);
  for (const c of ev.reached.slice(0, EVIDENCE_ROWS)) ids.add(c.target);
  return [...ids];
}

export function renderEvidence(host: HTMLElement, input: EvidenceInput | undefined, lang: Lang): void {
  // Drawn again as timelines arrive: keep the keyboard focus on the same control.
  const focusKey = host.dataset['person'] === input?.personId ? host.querySelector(':focus')?.getAttribute('data-focus') : undefined;
  host.replaceChildren();
  const card = host.closest('section');
  if (card) card.hidden = !input;
  if (!input) {
    delete host.dataset['person'];
    return;
  }
  host.dataset['person'] = input.personId;
  const { trace, personId, stations } = input;
  const stationName = (id: string) => stations.get(id)?.name ?? id;
  const personButton = (id: string, key: string) => {
    const b = h('button', { type: 'button', class: 'link', 'data-focus': key }, personLabel(id, trace.identities));
    b.addEventListener('click', () => input.select(id));
    return b;
  };
  host.append(h('p', { class: 'note' }, t(lang, 'evidence.intro', { label: personLabel(personId, trace.identities), tolerance: exactDuration(trace.params.toleranceSeconds, lang) })));

  const passageCell = (s: PassageSide, row: number, c: TraceContact) => {
    const trust = s.trust === 'national' ? h('span', { class: 'low-trust' }, t(lang, 'evidence.national')) : h('span', {}, t(lang, 'evidence.standard'));
    if (!s.passage) {
      const load = h('button', { type: 'button', class: 'link', 'data-focus': `load:${row}` }, t(lang, 'evidence.loadTimes'));
      load.addEventListener('click', () => input.load([c.source, c.target]));
      // Loaded and not there: the passage lies outside the period the timeline covers.
      const state = input.timelines.has(s.person) ? '—' : row < EVIDENCE_ROWS ? t(lang, 'details.loading') : load;
      return h('td', { class: 'passage', 'data-passage': s.id }, state, h('br'), trust, h('br'), h('span', { class: 'mono small' }, s.id));
    }
    const stay = s.staySeconds === 0 ? t(lang, 'evidence.scan') : t(lang, 'evidence.stay', { d: exactDuration(s.staySeconds ?? 0, lang) });
    return h(
      'td',
      { class: 'passage', 'data-passage': s.id, 'data-at': s.passage.at, 'data-left-at': s.passage.leftAt },
      h('span', { class: 'times' }, passageSpan(s.passage)),
      h('br'),
      h('span', { class: 'small' }, stay),
      h('br'),
      trust,
      h('br'),
      h('span', { class: 'mono small' }, s.id),
    );
  };

  const row = (c: TraceContact, i: number, other: 'source' | 'target') => {
    const e: ContactEvidence = contactEvidence(c, trace, input.timelines);
    return h(
      'tr',
      { class: e.class === 'close' ? 'close' : undefined, 'data-class': e.class, 'data-gap': e.gapSeconds, 'data-overlap': e.overlapSeconds },
      h('td', {}, formatDateTime(c.at, lang)),
      h('td', {}, stationName(c.stationId)),
      h('td', {}, personButton(c[other], `${other}:${i}`)),
      h('td', { class: `class-${e.class}` }, t(lang, e.class === 'close' ? 'evidence.classClose' : 'evidence.classBrief', { close: exactDuration(closeSecondsOf(trace.params), lang) })),
      passageCell(e.source, i, c),
      passageCell(e.target, i, c),
      h('td', { class: 'why' }, contactReason(e, lang)),
    );
  };
  // Rows past EVIDENCE_ROWS on demand; the choice holds while the same person stays selected.
  const showAll = (table: string) => host.dataset[`all${table}`] === personId;
  const moreButton = (table: string, n: number) => {
    const open = showAll(table);
    const b = h('button', { type: 'button', class: 'more-rows', 'data-focus': `more:${table}`, 'aria-expanded': String(open) }, t(lang, open ? 'evidence.fewer' : 'evidence.all', { n }));
    b.addEventListener('click', () => {
      if (open) delete host.dataset[`all${table}`];
      else host.dataset[`all${table}`] = personId;
      input.redraw();
    });
    return b;
  };
  const table = (rows: readonly TraceContact[], other: 'source' | 'target', caption: string, testid: 'ReachedBy' | 'Reached') =>
    h(
      'div',
      { class: 'table-wrap', 'data-testid': testid === 'Reached' ? 'evidence-reached' : 'evidence-reached-by' },
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
            h('th', { scope: 'col' }, t(lang, 'evidence.class')),
            h('th', { scope: 'col' }, t(lang, 'evidence.sourcePassage')),
            h('th', { scope: 'col' }, t(lang, 'evidence.targetPassage')),
            h('th', { scope: 'col' }, t(lang, 'evidence.why')),
          ),
        ),
        h('tbody', {}, rows.slice(0, EVIDENCE_ROWS).map((c, i) => row(c, i, other))),
        rows.length > EVIDENCE_ROWS && showAll(testid) ? h('tbody', { class: 'more' }, rows.slice(EVIDENCE_ROWS).map((c, i) => row(c, EVIDENCE_ROWS + i, other))) : null,
      ),
      rows.length > EVIDENCE_ROWS ? moreButton(testid, rows.length) : null,
    );
  const ev = evidenceOf(trace, personId);
  if (ev.reachedBy.length > 0) host.append(table(ev.reachedBy, 'source', t(lang, 'details.reachedBy', { n: ev.reachedBy.length }), 'ReachedBy'));
  if (ev.reached.length > 0) host.append(table(ev.reached, 'target', t(lang, 'details.reached', { n: ev.reached.length }), 'Reached'));
  if (ev.reachedBy.length === 0 && ev.reached.length === 0) host.append(h('p', { class: 'note' }, t(lang, 'evidence.none')));

  // Their movements, the passages used as evidence marked.
  const timeline = input.timelines.get(personId);
  const tl = h('section', { class: 'person-timeline', 'data-testid': 'person-timeline' }, h('h3', {}, t(lang, 'details.passages')));
  if (input.timelineError !== undefined) tl.append(h('p', { class: 'error' }, input.timelineError));
  else if (!timeline) tl.append(h('p', { class: 'note' }, t(lang, 'details.loading')));
  else if (timeline.passages.length === 0) tl.append(h('p', { class: 'note' }, t(lang, 'details.noPassages')));
  else {
    const used = new Set([...ev.reachedBy.map((c) => c.passages[1]), ...ev.reached.map((c) => c.passages[0])]);
    tl.append(
      h(
        'div',
        { class: 'table-wrap' },
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
                h('td', { class: p.trust === 'national' ? 'low-trust' : undefined }, p.trust === 'national' ? `${p.source} · ${t(lang, 'evidence.national')}` : p.source),
                h('td', {}, used.has(p.id) ? t(lang, 'details.usedAsEvidence') : ''),
              ),
            ),
          ),
        ),
      ),
    );
  }
  host.append(tl);
  if (focusKey) host.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focusKey)}"]`)?.focus();
}
