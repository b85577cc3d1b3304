import { generationColor } from './colors';
import { byId, h } from './dom';
import { t, type Lang } from './i18n';
import { generationCounts, personLabel } from './result';
import { formatDateTime, formatDuration } from './time';
import type { LoadedTrace } from './types';
import { genChip } from './views/people';

/** The summary card: F0, the period and parameters, people per generation, and what is missing. */

export interface SummaryTexts {
  readonly f0: string;
  /** The period traced, with the end of exposures when it differs. */
  readonly period: string;
  readonly params: string;
  readonly counts: ReadonlyMap<number, number>;
  readonly stats: string;
  readonly ref: string;
  /** The server's cap cut people; the view loaded fewer pages than there are. */
  readonly warnings: readonly string[];
}

/**
 * People per generation: counted in the loaded people, or, while the first page is shown alone
 * (`preview`), taken from the trace's own row of the sensitivity counts when the server gave it.
 */
export function summaryCounts(trace: LoadedTrace, preview: boolean): ReadonlyMap<number, number> {
  const own = trace.sensitivity?.find((r) => r.toleranceSeconds === trace.params.toleranceSeconds);
  if (!preview || !own) return generationCounts(trace);
  const counts = new Map<number, number>();
  for (let g = 1; g <= trace.params.depth; g++) counts.set(g, own.counts[String(g)] ?? 0);
  return counts;
}

export function summaryTexts(trace: LoadedTrace, lang: Lang, preview = false): SummaryTexts {
  const p = trace.params;
  const warnings: string[] = [];
  if (trace.truncated) warnings.push(t(lang, 'summary.truncated', { found: trace.peopleFound, kept: trace.totalPeople }));
  if (trace.people.length < trace.totalPeople) warnings.push(t(lang, 'summary.partial', { loaded: trace.people.length, total: trace.totalPeople }));
  return {
    f0: personLabel(trace.f0, trace.identities),
    period:
      `${formatDateTime(p.from, lang)} – ${formatDateTime(p.to, lang)}` +
      (p.until !== undefined && p.until !== p.to ? ` (${t(lang, 'form.until')}: ${formatDateTime(p.until, lang)})` : ''),
    params: t(lang, 'summary.params', { depth: p.depth, tolerance: formatDuration(p.toleranceSeconds, lang), mode: t(lang, p.mode === 'naive' ? 'form.modeNaive' : 'form.modeTime') }),
    counts: summaryCounts(trace, preview),
    stats: t(lang, 'summary.stats', { people: trace.stats.people, contacts: trace.stats.contacts, ms: trace.stats.milliseconds }),
    ref: t(lang, 'summary.ref', { ref: trace.requestRef, id: trace.id }),
    warnings,
  };
}

export function renderSummary(trace: LoadedTrace | undefined, lang: Lang, selectPerson: (id: string) => void, preview = false): void {
  const host = byId('summary');
  host.replaceChildren();
  if (!trace) return;
  const s = summaryTexts(trace, lang, preview);
  const f0Button = h('button', { type: 'button', class: 'link', 'data-testid': 'select-f0' }, s.f0);
  f0Button.addEventListener('click', () => selectPerson(trace.f0));
  host.append(
    h('p', {}, genChip(0), ' ', f0Button),
    h('p', { class: 'small' }, s.period, ' · ', s.params),
    h(
      'ul',
      { class: 'counts' },
      [...s.counts].map(([g, n]) =>
        h(
          'li',
          { style: `border-color:${generationColor(g)}` },
          h('span', { class: 'count-label' }, `F${g}`),
          h('span', { class: 'count', 'data-testid': `count-f${g}` }, String(n)),
        ),
      ),
    ),
    h('p', { class: 'small' }, s.stats),
    h('p', { class: 'small' }, s.ref),
    ...s.warnings.map((w) => h('p', { class: 'warning' }, w)),
  );
}
