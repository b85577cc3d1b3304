import { ApiError } from './api';
import { t } from './i18n';
import { gateRole, login, logout, sessionExpired } from './session';
import { samplePages, sampleTrace, stations } from './testing/sample';
import { settle, testPage } from './testing/page';
import type { TokenResponse, TraceList } from './types';

const token = (role: string): TokenResponse => ({ accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer', expiresIn: 900, username: 'tracer1', role }) as TokenResponse;
const [page1] = samplePages(4);
const list: TraceList = { traces: [{ ...page1!, hasResult: true }] };

describe('the role gate', () => {
  it('lets a tracer in with their name and role', () => {
    expect(gateRole(token('tracer'))).toEqual({ username: 'tracer1', role: 'tracer' });
  });

  it('turns any other role away, naming the role in the language of the page', () => {
    const said = gateRole(token('auditor'));
    expect(typeof said).toBe('function');
    if (typeof said !== 'function') return;
    expect(said('en')).toBe(`This account has the ${t('en', 'role.auditor')} role; this page is for tracers and follow-up officers.`);
    expect(said('vi')).toBe(`Tài khoản này có vai trò ${t('vi', 'role.auditor')}; trang này dành cho cán bộ truy vết và cán bộ theo dõi.`);
  });

  it('lets an officer in (to their follow-up page, issue 23 point 9)', () => {
    expect(gateRole(token('officer'))).toEqual({ username: 'tracer1', role: 'officer' });
  });
});

describe('logging in', () => {
  it('keeps a tracer’s session and fetches their recent traces', async () => {
    const page = testPage({ login: () => Promise.resolve(token('tracer')), recentTraces: () => Promise.resolve(list) });
    page.lines.say('login-error', () => 'an old error');
    expect(await login(page, 'tracer1', 'pw')).toBe('in');
    expect(page.store.state.session).toEqual({ username: 'tracer1', role: 'tracer' });
    expect(page.shown('login-error')).toBe('');
    await settle();
    expect(page.calls).toEqual(['login(tracer1, pw)', 'recentTraces(10)']);
    expect(page.store.state.recent.map((m) => m.id)).toEqual([page1!.id]);
  });

  it('keeps an officer’s session and asks for no traces (officers have none; their follow-ups load on the session change)', async () => {
    const page = testPage({ login: () => Promise.resolve(token('officer')) });
    expect(await login(page, 'officer1', 'pw')).toBe('in');
    expect(page.store.state.session).toEqual({ username: 'tracer1', role: 'officer' });
    await settle();
    expect(page.calls).toEqual(['login(officer1, pw)']);
  });

  it('logs another role out again at once and keeps no session', async () => {
    const page = testPage({ login: () => Promise.resolve(token('admin')), logout: () => undefined });
    expect(await login(page, 'admin1', 'pw')).toBe('refused');
    expect(page.calls).toEqual(['login(admin1, pw)', 'logout()']);
    expect(page.store.state.session).toBeUndefined();
    expect(page.shown('login-error')).toMatch(/this page is for tracers/);
  });

  it('says no more than “wrong username or password” for a 401', async () => {
    const page = testPage({ login: () => Promise.reject(new ApiError(401, 'unauthenticated', 'the account is locked')) });
    expect(await login(page, 'tracer1', 'bad')).toBe('failed');
    expect(page.shown('login-error')).toBe('Wrong username or password, or the account is locked.');
    expect(page.store.state.session).toBeUndefined();
  });

  it('says what went wrong otherwise', async () => {
    const page = testPage({ login: () => Promise.reject(new ApiError(0, 'network', 'x')) });
    expect(await login(page, 'tracer1', 'pw')).toBe('failed');
    expect(page.shown('login-error')).toBe(t('en', 'error.network'));
  });
});

describe('logging out', () => {
  function loggedInWithATrace() {
    const page = testPage({ logout: () => undefined });
    page.store.update('session', (s) => {
      s.session = { username: 'tracer1', role: 'tracer' };
      s.trace = sampleTrace();
      s.stationList = stations;
      s.stations = new Map(stations.map((st) => [st.id, st]));
      s.selection = { station: 'ST1' };
      s.hotspotError = { error: new Error('x') };
      s.timelines.set('x', {} as never);
      s.recent = list.traces;
    });
    page.lines.say('trace-status', () => 'Done');
    return page;
  }

  it('forgets the session, the trace and everything loaded beside it, and clears the status', () => {
    const page = loggedInWithATrace();
    logout(page);
    const s = page.store.state;
    expect(page.calls).toEqual(['logout()']);
    expect([s.session, s.trace, s.hotspots, s.hotspotError]).toEqual([undefined, undefined, undefined, undefined]);
    expect([s.timelines.size, s.timelineErrors.size, s.stations.size, s.stationList.length, s.recent.length]).toEqual([0, 0, 0, 0, 0]);
    expect(s.selection).toEqual({});
    expect(page.shown('trace-status')).toBe('');
  });

  it('when the session expires, also says so on the login line', () => {
    const page = loggedInWithATrace();
    sessionExpired(page);
    expect(page.store.state.session).toBeUndefined();
    expect(page.shown('login-error')).toBe('Your session has expired. Please log in again.');
  });
});
