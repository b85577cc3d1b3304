import { generationColor } from './colors';
import { byId, h } from './dom';
import { t, type Lang } from './i18n';
import { classOf } from './people-query';
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
  /** Close contacts (issue 25), when the result carries classes: close people per generation, and in all. */
  readonly close?: { readonly counts: ReadonlyMap<number, number>; readonly line: string };
}

/**
 * The close people per generation (CONTRACT-25: a person's `class`), and in all (`stats.closePeople`,
 * else counted here); undefined for a result without classes (traces stored before close contacts).
 */
export function closeCounts(trace: Pick<LoadedTrace, 'people' | 'params' | 'stats'>): { counts: Map<number, number>; total: number } | undefined {
  if (!trace.people.some((p) => classOf(p) !== undefined)) return undefined;
  const counts = new Map<number, number>();
  for (let g = 1; g <= trace.params.depth; g++) counts.set(g, 0);
  let counted = 0;
  for (const p of trace.people) {
    if (classOf(p) !== 'close') continue;
    counts.set(p.generation, (counts.get(p.generation) ?? 0) + 1);
    counted++;
  }
  const stated = (trace.stats as { closePeople?: unknown }).closePeople;
  return { counts, total: typeof stated === 'number' ? stated : counted };
}

function closeParams(trace: Pick<LoadedTrace, 'params'>): { closeOnly: boolean; minutes: number } {
  const p = trace.params as { closeOnly?: unknown; closeSeconds?: unknown };
  return { closeOnly: p.closeOnly === true, minutes: Math.round((typeof p.closeSeconds === 'number' ? p.closeSeconds : 900) / 60) };
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
  const close = closeCounts(trace);
  const cp = closeParams(trace);
  return {
    f0: personLabel(trace.f0, trace.identities),
    period:
      `${formatDateTime(p.from, lang)} – ${formatDateTime(p.to, lang)}` +
      (p.until !== undefined && p.until !== p.to ? ` (${t(lang, 'form.until')}: ${formatDateTime(p.until, lang)})` : ''),
    params:
      t(lang, 'summary.params', { depth: p.depth, tolerance: formatDuration(p.toleranceSeconds, lang), mode: t(lang, p.mode === 'naive' ? 'form.modeNaive' : 'form.modeTime') }) +
      (cp.closeOnly ? ` · ${t(lang, 'summary.closeOnly', { minutes: cp.minutes })}` : ''),
    counts: summaryCounts(trace, preview),
    stats: t(lang, 'summary.stats', { people: trace.stats.people, contacts: trace.stats.contacts, ms: trace.stats.milliseconds }),
    ref: t(lang, 'summary.ref', { ref: trace.requestRef, id: trace.id }),
    warnings,
    ...(close
      ? { close: { counts: close.counts, line: t(lang, cp.closeOnly ? 'summary.closeAll' : 'summary.close', { close: close.total, people: trace.stats.people, minutes: cp.minutes }) } }
      : {}),
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
          s.close ? h('span', { class: 'count-close', 'data-testid': `count-close-f${g}` }, t(lang, 'summary.closeCount', { n: s.close.counts.get(g) ?? 0 })) : null,
        ),
      ),
    ),
    ...(s.close ? [h('p', { class: 'small', 'data-testid': 'close-summary' }, s.close.line)] : []),
    h('p', { class: 'small' }, s.stats),
    h('p', { class: 'small' }, s.ref),
    ...s.warnings.map((w) => h('p', { class: 'warning' }, w)),
  );
}
