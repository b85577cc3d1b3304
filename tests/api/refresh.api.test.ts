import { decodeJwt } from 'jose';
import { listAudit } from '../../engine/audit/store';
import { num } from '../../engine/db/convert';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { makeAccount } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { startInProcess, type TestServer } from '../helpers/server';

/**
 * POST /api/auth/refresh: a login's refresh token for a new access token and the next refresh
 * token of the same session, rotated with reuse detection (engine/accounts/refresh-tokens.ts).
 * The clock is frozen (the app's `now`), so expiry and the session's maximum are reached by
 * moving it, not by sleeping. Sessions here last at most 40 minutes.
 */

const run = newRunId('rf');
const MIN = 60_000;
const SESSION_MAX = 40 * 60;

// A whole second, so a token's iat (whole seconds) is the clock's time exactly.
let clock = Math.floor(Date.now() / 1000) * 1000;
let server: TestServer;
/** A second process of the same server (another worker of `serve --workers N`): only the graph is shared. */
let other: TestServer;
let admin: { username: string; password: string };

beforeAll(async () => {
  const settings = { tokenSeconds: 900, sessionMaxSeconds: SESSION_MAX };
  server = await startInProcess(run, { now: () => clock, settings });
  other = await startInProcess(run, { now: () => clock, settings });
  admin = await makeAccount(run, 'admin', 'admin');
});
afterAll(async () => {
  await server.close();
  await other.close();
  await removeRun(run);
  await closeDriver();
});

interface TokenBody {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  username: string;
  role: string;
  jurisdiction?: unknown;
}
type Answer = TokenBody & { detail: string; code: string; errors?: { path: string }[] };

const login = async (a: { username: string; password: string }, on = server) => {
  const r = await on.request<TokenBody>('POST', '/api/auth/token', { json: { username: a.username, password: a.password } });
  if (r.status !== 200) throw new Error(`login answered ${r.status}`);
  return r.body;
};
const refresh = (refreshToken: string, on = server) => on.request<Answer>('POST', '/api/auth/refresh', { json: { refreshToken } });
const me = (token: string) => server.request<{ username: string; role: string }>('GET', '/api/auth/me', { token });
// The admin logs in at each change: the frozen clock moves past a token's lifetime between tests.
const patch = async (username: string, json: unknown) =>
  server.request('PATCH', `/api/accounts/${encodeURIComponent(username)}`, { token: (await login(admin)).accessToken, json });
const claims = (token: string) => decodeJwt(token) as { sub: string; iat: number; exp: number; auth_time: number; tv: number };
const refreshEvents = (actor: string) => listAudit({ chain: run, action: 'auth.refresh', actor, limit: 100 });

describe('refreshing a session', () => {
  it('answers a login with a refresh token, and trades it for a new pair of the same shape; the new access token works after the old one expired', async () => {
    const a = await makeAccount(run, 'ok', 'tracer');
    const first = await login(a);
    expect(first.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    const loggedInAt = clock;
    clock += 13 * MIN;
    const r = await refresh(first.refreshToken);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(first).sort());
    expect(r.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, username: a.username, role: 'tracer' });
    expect(r.body.accessToken).not.toBe(first.accessToken);
    expect(r.body.refreshToken).not.toBe(first.refreshToken);
    clock = loggedInAt + 16 * MIN;
    expect((await me(first.accessToken)).status).toBe(401);
    expect((await me(r.body.accessToken)).body).toMatchObject({ username: a.username, role: 'tracer' });
  });

  it('needs no valid access token: a refresh token outlives the access tokens of its session', async () => {
    const a = await makeAccount(run, 'late', 'tracer');
    const first = await login(a);
    clock += 30 * MIN;
    expect((await me(first.accessToken)).status).toBe(401);
    const r = await refresh(first.refreshToken);
    expect(r.status).toBe(200);
    expect((await me(r.body.accessToken)).status).toBe(200);
  });

  it('keeps the login time (auth_time) through every refresh, and sets the new expiry from now', async () => {
    const a = await makeAccount(run, 'keep', 'tracer');
    const loggedInAt = clock;
    let pair = await login(a);
    expect(claims(pair.accessToken).auth_time).toBe(loggedInAt / 1000);
    for (let i = 1; i <= 2; i++) {
      clock += 10 * MIN;
      pair = (await refresh(pair.refreshToken)).body;
      expect(claims(pair.accessToken)).toMatchObject({ sub: a.username, auth_time: loggedInAt / 1000, iat: clock / 1000, exp: clock / 1000 + 900 });
    }
  });

  it('answers the role and jurisdiction in force now, not those of the login', async () => {
    const a = await makeAccount(run, 'role', 'auditor');
    const pair = await login(a);
    expect((await patch(a.username, { role: 'officer', jurisdiction: { province: '79' } })).status).toBe(200);
    const r = await refresh(pair.refreshToken);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ role: 'officer', jurisdiction: { province: '79' } });
  });

  it('works on any process of the server: a token spent on one is spent on the other (the state is in the graph)', async () => {
    const a = await makeAccount(run, 'workers', 'tracer');
    const first = await login(a, server);
    const second = await refresh(first.refreshToken, other);
    expect(second.status).toBe(200);
    expect((await refresh(second.body.refreshToken, server)).status).toBe(200);
    expect((await refresh(first.refreshToken, server)).body.detail).toMatch(/used before/);
  });
});

describe('reuse detection', () => {
  it('spends a refresh token: presented again, it revokes every token of that login (401), audited as denied; other logins go on', async () => {
    const a = await makeAccount(run, 'reuse', 'tracer');
    const pair = await login(a);
    const elsewhere = await login(a);
    const next = await refresh(pair.refreshToken);
    expect(next.status).toBe(200);
    const again = await refresh(pair.refreshToken);
    expect([again.status, again.body.code]).toEqual([401, 'unauthenticated']);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(again.body.detail).toBe('this refresh token was used before: every token of this login is revoked; log in again');
    // The thief's or the user's newer token: both dead now.
    const after = await refresh(next.body.refreshToken);
    expect([after.status, after.body.detail]).toEqual([401, 'this session has ended (logged out, or one of its refresh tokens was used twice); log in again']);
    expect((await refresh(elsewhere.refreshToken)).status).toBe(200);
    const events = await refreshEvents(a.username);
    const family = events[0]?.details?.['session'];
    expect(family).toMatch(/^rf[0-9a-f]{24}$/);
    expect(events.map((e) => [e.outcome, e.role, e.details?.['reason'] ?? null, e.details?.['session'] === family])).toEqual([
      ['ok', 'tracer', null, true],
      ['denied', 'tracer', 'refresh token reused', true],
      ['failed', 'tracer', 'session ended', true],
      ['ok', 'tracer', null, false],
    ]);
    expect(events[1]?.details?.['revoked']).toBe(2);
    const logins = await listAudit({ chain: run, action: 'auth.login', actor: a.username, limit: 100 });
    expect(logins.map((e) => e.details?.['session'])).toContain(family);
  });

  it('lets one of several refreshes racing with the same token through; the others count as reuse and end the session', async () => {
    const a = await makeAccount(run, 'race', 'tracer');
    const pair = await login(a);
    const rs = await Promise.all([server, other, server, other, server].map((on) => refresh(pair.refreshToken, on)));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);
    const winner = rs.find((r) => r.status === 200)!;
    expect((await refresh(winner.body.refreshToken)).status).toBe(401);
  });
});

describe('what cannot be refreshed', () => {
  it('refuses the refresh token of an account disabled since, and audits the refusal', async () => {
    const a = await makeAccount(run, 'dis', 'tracer');
    const pair = await login(a);
    expect((await patch(a.username, { disabled: true })).status).toBe(200);
    const r = await refresh(pair.refreshToken);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body.detail).toBe('the account is disabled');
    expect((await refreshEvents(a.username)).map((e) => [e.outcome, e.details?.['reason']])).toEqual([['failed', 'disabled']]);
    // Enabled again, the old session stays ended: its family was revoked.
    expect((await patch(a.username, { disabled: false })).status).toBe(200);
    expect((await refresh(pair.refreshToken)).status).toBe(401);
  });

  it('refuses a refresh token issued before a password change (its token version is stale)', async () => {
    const a = await makeAccount(run, 'pw', 'tracer');
    const pair = await login(a);
    expect((await patch(a.username, { password: 'a brand new pass 9' })).status).toBe(200);
    const r = await refresh(pair.refreshToken);
    expect(r.status).toBe(401);
    expect(r.body.detail).toMatch(/no longer valid; log in again/);
  });

  it('refuses what is not a refresh token of this server (401), and a request without one (400, naming the field)', async () => {
    const a = await makeAccount(run, 'bad', 'tracer');
    const pair = await login(a);
    for (const token of [`rt_${'A'.repeat(43)}`, pair.accessToken.slice(0, 200)]) {
      const r = await refresh(token);
      expect([r.status, r.body.detail]).toEqual([401, 'the refresh token is not valid; log in again']);
    }
    const empty = await server.request<Answer>('POST', '/api/auth/refresh', { token: pair.accessToken, json: {} });
    expect([empty.status, empty.body.errors?.map((e) => e.path)]).toEqual([400, ['body.refreshToken']]);
  });

  it('cuts the last access tokens of a session at its maximum, and refuses to go past it (401), audited', async () => {
    const a = await makeAccount(run, 'max', 'tracer');
    const loggedInAt = clock;
    let pair = await login(a);
    const lifetimes: number[] = [];
    for (const at of [13, 26, 39]) {
      clock = loggedInAt + at * MIN;
      const r = await refresh(pair.refreshToken);
      lifetimes.push(r.body.expiresIn);
      pair = r.body;
    }
    // 40 minutes at most: 15, then 14 (26 → 40), then 1 (39 → 40).
    expect(lifetimes).toEqual([900, 14 * 60, 60]);
    expect(claims(pair.accessToken).exp).toBe(loggedInAt / 1000 + SESSION_MAX);
    clock = loggedInAt + SESSION_MAX * 1000;
    const r = await refresh(pair.refreshToken);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ code: 'unauthenticated', detail: expect.stringMatching(/session began more than 0\.67 h ago.*log in again/) as unknown });
    expect((await refreshEvents(a.username)).map((e) => [e.outcome, e.details?.['reason'] ?? null])).toEqual([
      ['ok', null],
      ['ok', null],
      ['ok', null],
      ['failed', 'session too old'],
    ]);
  });
});

describe('logout', () => {
  it('ends the session of a refresh token (204): no token of that login refreshes any more; audited', async () => {
    const a = await makeAccount(run, 'out', 'tracer');
    const pair = await login(a);
    const next = (await refresh(pair.refreshToken)).body;
    const r = await server.request('POST', '/api/auth/logout', { json: { refreshToken: next.refreshToken } });
    expect([r.status, r.text]).toEqual([204, '']);
    expect((await refresh(next.refreshToken)).body.detail).toMatch(/session has ended/);
    const events = await listAudit({ chain: run, action: 'auth.logout', actor: a.username, limit: 10 });
    expect(events.map((e) => e.outcome)).toEqual(['ok']);
    // Again, or with a token no one knows: still 204 (a logout cannot fail), nothing audited.
    expect((await server.request('POST', '/api/auth/logout', { json: { refreshToken: next.refreshToken } })).status).toBe(204);
    expect((await server.request('POST', '/api/auth/logout', { json: { refreshToken: `rt_${'B'.repeat(43)}` } })).status).toBe(204);
    expect(await listAudit({ chain: run, action: 'auth.logout', actor: a.username, limit: 10 })).toHaveLength(1);
  });
});

describe('what is stored and audited', () => {
  it('stores only a hash of each refresh token, and writes no token into the audit', async () => {
    const a = await makeAccount(run, 'aud', 'tracer');
    const loggedInAt = clock;
    const pair = await login(a);
    clock += 5 * MIN;
    const next = (await refresh(pair.refreshToken)).body;
    const stored = await readQuery('MATCH (t:RefreshToken {username: $u}) RETURN properties(t) AS p', { u: a.username }, (r) => JSON.stringify(r['p']));
    expect(stored).toHaveLength(2);
    for (const text of stored) for (const secret of [pair.refreshToken, next.refreshToken, pair.refreshToken.slice(3), next.refreshToken.slice(3)]) expect(text).not.toContain(secret);
    const [e, ...more] = await refreshEvents(a.username);
    expect(more).toEqual([]);
    expect(e).toMatchObject({ actor: a.username, role: 'tracer', outcome: 'ok', at: new Date(clock).toISOString(), details: { sessionStart: new Date(loggedInAt).toISOString() } });
    const audit = JSON.stringify(await listAudit({ chain: run, limit: 1000 }));
    for (const secret of [pair.accessToken, pair.refreshToken, next.accessToken, next.refreshToken]) expect(audit).not.toContain(secret);
  });

  it('deletes the refresh tokens of a session that has ended, at a later login', async () => {
    const a = await makeAccount(run, 'sweep', 'tracer');
    await refresh((await login(a)).refreshToken);
    const count = () => readQuery('MATCH (t:RefreshToken {username: $u}) RETURN count(t) AS n', { u: a.username }, (r) => num(r['n']));
    expect(await count()).toEqual([2]);
    clock += SESSION_MAX * 1000;
    await login(admin);
    expect(await count()).toEqual([0]);
  });
});
