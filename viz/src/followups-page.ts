import { ApiError } from './api';
import { byId, clear, download, h } from './dom';
import { t, type Lang } from './i18n';
import { errorMessage } from './messages';
import type { Page } from './page';
import { formatDateTime } from './time';
import type { FollowUpList } from './types';
import { FOLLOW_UP_STATUSES } from './wave';

/**
 * The officers' page (issue 23 point 9): the follow-ups of their jurisdiction with name, phone,
 * status and quarantine end; a select per row changes the status (PATCH; the server's state
 * machine decides, and a 409's reason is shown on the row); the call list downloads as the
 * server writes it. An officer lands here after logging in (session.ts lets the role in).
 */

interface FollowUpsState {
  list: FollowUpList | undefined;
  error: unknown;
  /** Per follow-up id: why the last change was refused. */
  rowErrors: Map<string, unknown>;
}

let F: FollowUpsState = { list: undefined, error: undefined, rowErrors: new Map() };
let epoch = 0;

/** The message for a refused change: a 409 carries the server's reason (which statuses may follow). */
export function changeRefusal(lang: Lang, e: unknown): string {
  if (e instanceof ApiError && e.status === 409) return t(lang, 'fu.conflict', { reason: e.message });
  return errorMessage(lang, e);
}

async function load(page: Page): Promise<void> {
  const e = epoch;
  byId('fu-status').textContent = t(page.store.state.lang, 'wave.loading');
  try {
    const list = await page.api.followups('all');
    if (e !== epoch) return;
    F.list = list;
    F.error = undefined;
  } catch (err) {
    if (e === epoch) F.error = err;
  }
  renderFollowups(page.store.state.lang);
}

async function change(page: Page, id: string, status: string): Promise<void> {
  const e = epoch;
  try {
    const r = await page.api.updateFollowup(id, status);
    if (e !== epoch || F.list === undefined) return;
    F.rowErrors.delete(id);
    F.list = { ...F.list, followUps: F.list.followUps.map((f) => (f.id === id ? r.followUp : f)) };
  } catch (err) {
    if (e === epoch) F.rowErrors.set(id, err);
  }
  renderFollowups(page.store.state.lang);
}

async function exportList(page: Page): Promise<void> {
  const lang = page.store.state.lang;
  try {
    const blob = await page.api.followupsExport('open');
    download(`danh-sach-goi-${new Date().toISOString().slice(0, 10)}.csv`, blob);
  } catch (err) {
    F.error = err;
    renderFollowups(lang);
  }
}

export function wireFollowups(page: Page): void {
  byId('fu-reload').addEventListener('click', () => void load(page));
  byId('fu-export').addEventListener('click', () => void exportList(page));
  byId('fu-list').addEventListener('change', (e) => {
    const select = e.target as HTMLSelectElement;
    const id = select.dataset['followup'];
    if (id !== undefined) void change(page, id, select.value);
  });
  page.store.subscribe((c) => {
    const s = page.store.state;
    if (c === 'session') {
      epoch++;
      F = { list: undefined, error: undefined, rowErrors: new Map() };
      if (s.session?.role === 'officer') void load(page);
    }
    if (c === 'lang' || c === 'session') renderFollowups(s.lang);
  });
}

export function renderFollowups(lang: Lang): void {
  const status = byId('fu-status');
  const host = byId('fu-list');
  clear(host);
  status.className = 'status';
  if (F.error !== undefined) {
    status.className = 'status error';
    status.textContent = errorMessage(lang, F.error);
  } else status.textContent = F.list === undefined ? '' : t(lang, 'fu.count', { n: F.list.followUps.length });
  const list = F.list;
  if (list === undefined) return;
  if (list.followUps.length === 0) return void host.append(h('p', { class: 'note' }, t(lang, 'fu.none')));
  host.append(
    h(
      'table',
      { class: 'compact' },
      h('thead', {}, h('tr', {}, ...['fu.name', 'fu.phone', 'fu.status', 'fu.quarantineUntil', 'fu.home', 'fu.generation'].map((k) => h('th', {}, t(lang, k))))),
      h(
        'tbody',
        {},
        list.followUps.map((f) => {
          const who = list.identities[f.personId];
          const rowError = F.rowErrors.get(f.id);
          const select = h(
            'select',
            { 'data-followup': f.id, 'aria-label': t(lang, 'fu.statusOf', { name: who?.fullName ?? f.personId }) },
            FOLLOW_UP_STATUSES.map((s) => h('option', { value: s, selected: s === f.status }, t(lang, `fu.status.${s}`))),
          );
          return h(
            'tr',
            { 'data-followup': f.id, 'data-status': f.status },
            h('td', {}, who?.fullName ?? '—'),
            h('td', { class: 'mono' }, who?.phone ?? '—'),
            h('td', {}, select, rowError !== undefined && h('p', { class: 'error', role: 'alert' }, changeRefusal(lang, rowError))),
            h('td', {}, formatDateTime(f.quarantineUntil, lang)),
            h('td', {}, f.home.commune ? `${f.home.commune} / ${f.home.district}` : '—'),
            h('td', {}, `F${f.generation}`),
          );
        }),
      ),
    ),
  );
}
