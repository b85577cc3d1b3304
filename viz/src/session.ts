import { ApiError } from './api';
import { byId } from './dom';
import { t } from './i18n';
import type { Text } from './lines';
import { errorMessage } from './messages';
import type { Page } from './page';
import { loadRecent } from './recent';
import type { Session, State } from './store';
import type { TokenResponse } from './types';

/** Logging in and out: the session in the store, the role gate, and forgetting everything at the end. */

/**
 * The page is the tracers' own, and the officers' follow-up list (followups-page.ts): an account of
 * another role is told so and logged out again at once (the API would refuse its calls anyway).
 */
export function gateRole(r: Pick<TokenResponse, 'username' | 'role'>): Session | Text {
  if (r.role !== 'tracer' && r.role !== 'officer') return (l) => t(l, 'auth.notTracer', { role: t(l, `role.${r.role}`) });
  return { username: r.username, role: r.role };
}

/** A refused password says no more than that; anything else says what went wrong. */
export function loginFailure(e: unknown): Text {
  return (l) => (e instanceof ApiError && e.status === 401 ? t(l, 'auth.refused') : errorMessage(l, e, 'login'));
}

/** What a logout forgets: the session, the trace and everything loaded beside it, the recent traces. */
export function forget(s: State): void {
  s.session = undefined;
  s.trace = undefined;
  s.timelines = new Map();
  s.timelineErrors = new Map();
  s.hotspots = undefined;
  s.hotspotError = undefined;
  s.selection = {};
  s.stationList = [];
  s.stations = new Map();
  s.recent = [];
  s.view = 'trace';
}

/**
 * Logs in; 'in' for a tracer, 'refused' for another role (logged out again), 'failed' when the
 * server said no. The login line says why when it is not 'in'.
 */
export async function login(page: Page, username: string, password: string): Promise<'in' | 'refused' | 'failed'> {
  page.lines.say('login-error', undefined);
  let r: TokenResponse;
  try {
    r = await page.api.login(username, password);
  } catch (e) {
    page.lines.say('login-error', loginFailure(e));
    return 'failed';
  }
  const session = gateRole(r);
  if (typeof session === 'function') {
    page.api.logout();
    page.lines.say('login-error', session);
    return 'refused';
  }
  page.store.update('session', (s) => (s.session = session));
  // Only tracers have traces; an officer's follow-up list loads itself on the session change (followups-page.ts).
  if (session.role === 'tracer') void loadRecent(page);
  return 'in';
}

export function logout(page: Page): void {
  page.api.logout();
  page.store.update('session', forget);
  page.lines.say('trace-status', undefined);
}

/** The server refused the token, or it ran out unrefreshed: log in again. */
export function sessionExpired(page: Page): void {
  logout(page);
  page.lines.say('login-error', (l) => t(l, 'auth.expired'));
}

async function submitLogin(page: Page, e: Event): Promise<void> {
  e.preventDefault();
  const button = byId<HTMLButtonElement>('login-submit');
  const username = byId<HTMLInputElement>('username').value.trim();
  const password = byId<HTMLInputElement>('password');
  button.disabled = true;
  try {
    const outcome = await login(page, username, password.value);
    if (outcome !== 'failed') password.value = '';
    if (outcome === 'in') byId(page.store.state.session?.role === 'officer' ? 'followups-title' : 'f0').focus();
  } finally {
    button.disabled = false;
  }
}

export function wireSession(page: Page): void {
  byId('login-form').addEventListener('submit', (e) => void submitLogin(page, e));
  byId('logout').addEventListener('click', () => logout(page));
}

/** The login form or the workspace, and who is logged in. */
export function renderSession(state: State): void {
  const { session, lang } = state;
  const logged = session !== undefined;
  const tracer = session?.role === 'tracer';
  byId('login').hidden = logged;
  byId('workspace').hidden = !tracer || state.view !== 'trace';
  byId('wave').hidden = !tracer || state.view !== 'wave';
  byId('followups').hidden = session?.role !== 'officer';
  byId('pages').hidden = !tracer;
  byId('to-trace').setAttribute('aria-current', String(tracer && state.view === 'trace'));
  byId('to-wave').setAttribute('aria-current', String(tracer && state.view === 'wave'));
  byId('logout').hidden = !logged;
  byId('who').textContent = session ? `${session.username} (${t(lang, `role.${session.role}`)})` : '';
}
