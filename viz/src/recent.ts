import { LOAD_PAGE_SIZE } from './api';
import { byId, h } from './dom';
import { t, type Lang } from './i18n';
import { errorMessage } from './messages';
import type { Page } from './page';
import { formatDateTime } from './time';
import { openResult } from './trace-load';
import type { TraceList, TraceMeta } from './types';

/** The tracer's stored traces, to reopen one without tracing again. */

export const RECENT_SHOWN = 10;

/** Only traces whose result is still stored can be reopened. */
export function reopenable(list: TraceList): TraceMeta[] {
  return list.traces.filter((m) => m.hasResult);
}

export function recentLabel(m: TraceMeta, lang: Lang): string {
  return `${m.requestRef} · ${formatDateTime(m.createdAt, lang)} · ${t(lang, 'recent.people', { n: m.stats.people })}`;
}

/** Fetches the list again; a failure leaves it empty (the card is then hidden). */
export async function loadRecent(page: Page): Promise<void> {
  let recent: TraceMeta[];
  try {
    recent = reopenable(await page.api.recentTraces(RECENT_SHOWN));
  } catch {
    recent = [];
  }
  page.store.update('recent', (s) => (s.recent = recent));
}

export async function openTrace(page: Page, id: string): Promise<void> {
  page.lines.say('trace-status', (l) => t(l, 'form.running'));
  try {
    const first = await page.api.tracePage(id, 1, LOAD_PAGE_SIZE);
    await openResult(page, first);
    page.lines.say('trace-status', (l) => t(l, 'form.opened', { id }));
  } catch (err) {
    page.lines.say('trace-status', (l) => errorMessage(l, err), true);
  }
}

export function renderRecent(page: Page): void {
  const { recent, lang, session } = page.store.state;
  const list = byId('recent');
  list.replaceChildren();
  for (const m of recent) {
    const b = h('button', { type: 'button', class: 'link' }, recentLabel(m, lang));
    b.addEventListener('click', () => void openTrace(page, m.id));
    list.append(h('li', {}, b));
  }
  byId('recent-card').hidden = recent.length === 0 || session === undefined;
}
