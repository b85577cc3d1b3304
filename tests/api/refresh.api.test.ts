import { decodeJwt, SignJWT } from 'jose';
import { listAudit } from '../../engine/audit/store';
import { closeDriver } from '../../engine/db/driver';
import { secretKey } from '../../engine/secrets';
import { AUDIENCE, ISSUER } from '../../api/auth';
import { newRunId } from '../helpers/run-data';
import { cleanupRun, makeAccount, startServer, type TestServer } from './harness';

/**
 * POST /api/auth/refresh: a still-valid token of a local account for a new one of the same
 * session. The clock is frozen (the app's `now`), so expiry and the session's maximum are
 * reached by moving it, not by sleeping. Sessions here last at most 40 minutes.
 */

const run = newRunId('rf');
const MIN = 60_000;
const SESSION_MAX = 40 * 60;

// A whole second, so a token's iat (whole seconds) is the clock's time exactly.
let clock = Math.floor(Date.now() / 1000) * 1000;
let server: TestServer;
let admin: { username: string; password: string };

beforeAll(async () => {
  server = await startServer(run, { now: () => clock, settings: { tokenSeconds: 900, sessionMaxSeconds: SESSION_MAX } });
  admin = await makeAccount(run, 'admin', 'admin');
});
afterAll(async () => {
  await server.close();
  await cleanupRun(run);
  await closeDriver();
});

interface TokenBody {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  username: string;
  role: string;
  jurisdiction?: unknown;
}

const refresh = (token: string) => server.request<TokenBody & { detail: string; code: string }>('POST', '/api/auth/refresh', { token });
const me = (token: string) => server.request<{ username: string; role: string }>('GET', '/api/auth/me', { token });
// The admin logs in at each change: the frozen clock moves past a token's lifetime between tests.
const patch = async (username: string, json: unknown) =>
  server.request('PATCH', `/api/accounts/${encodeURIComponent(username)}`, { token: await server.login(admin.username, admin.password), json });
const claims = (token: string) => decodeJwt(token) as { sub: string; iat: number; exp: number; auth_time: number; tv: number };

/** A token signed with the server's key, for sessions older than the clock can reach by login. */
const signed = (sub: string, c: { authTime: number; iat: number; exp: number }) =>
  new SignJWT({ tv: 0, auth_time: c.authTime })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(c.iat)
    .setExpirationTime(c.exp)
    .sign(secretKey('TRUYVET_JWT_SECRET'));

/** The app appends a refusal's audit event without holding the 401 back (api/app.ts authorize): wait for it. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('refreshing a token', () => {
  it('gives a new token of the same shape as a login, which works after the old one has expired', async () => {
    const a = await makeAccount(run, 'ok', 'tracer');
    const login = await server.request<TokenBody>('POST', '/api/auth/token', { json: { username: a.username, password: a.password } });
    const first = login.body.accessToken;
    const loggedInAt = clock;
    clock += 13 * MIN;
    const r = await refresh(first);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(login.body).sort());
    expect(r.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, username: a.username, role: 'tracer' });
    expect(r.body.accessToken).not.toBe(first);
    clock = loggedInAt + 16 * MIN;
    expect((await me(first)).status).toBe(401);
    expect((await me(r.body.accessToken)).body).toMatchObject({ username: a.username, role: 'tracer' });
  });

  it('keeps the login time (auth_time) through every refresh, and sets the new expiry from now', async () => {
    const a = await makeAccount(run, 'keep', 'tracer');
    const loggedInAt = clock;
    let token = await server.login(a.username, a.password);
    expect(claims(token).auth_time).toBe(loggedInAt / 1000);
    for (let i = 1; i <= 2; i++) {
      clock += 10 * MIN;
      token = (await refresh(token)).body.accessToken;
      expect(claims(token)).toMatchObject({ sub: a.username, auth_time: loggedInAt / 1000, iat: clock / 1000, exp: clock / 1000 + 900 });
    }
  });

  it('answers the role and jurisdiction in force now, not those of the old token', async () => {
    const a = await makeAccount(run, 'role', 'auditor');
    const token = await server.login(a.username, a.password);
    expect((await patch(a.username, { role: 'officer', jurisdiction: { province: '79' } })).status).toBe(200);
    const r = await refresh(token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ role: 'officer', jurisdiction: { province: '79' } });
  });
});

describe('what cannot be refreshed', () => {
  it('refuses the token of an account disabled since, and audits the refusal', async () => {
    const a = await makeAccount(run, 'dis', 'tracer');
    const token = await server.login(a.username, a.password);
    expect((await patch(a.username, { disabled: true })).status).toBe(200);
    const r = await refresh(token);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body.detail).toBe('the account is disabled');
    const refused = () =>
      listAudit({ chain: run, action: 'auth.refused', actor: a.username, limit: 100 }).then((es) => es.some((e) => e.details?.['route'] === 'refresh' && e.details['reason'] === 'disabled'));
    expect(await eventually(refused)).toBe(true);
  });

  it('refuses a token issued before a password change (its token version is stale)', async () => {
    const a = await makeAccount(run, 'pw', 'tracer');
    const token = await server.login(a.username, a.password);
    expect((await patch(a.username, { password: 'a brand new pass 9' })).status).toBe(200);
    const r = await refresh(token);
    expect(r.status).toBe(401);
    expect(r.body.detail).toMatch(/no longer valid; log in again/);
  });

  it('refuses an expired token', async () => {
    const a = await makeAccount(run, 'exp', 'tracer');
    const token = await server.login(a.username, a.password);
    clock += 15 * MIN;
    const r = await refresh(token);
    expect(r.status).toBe(401);
    expect(r.body.detail).toBe('the token is not valid or has expired');
  });

  it('cuts the last tokens of a session at its maximum, and refuses to go past it (401), audited', async () => {
    const a = await makeAccount(run, 'max', 'tracer');
    const loggedInAt = clock;
    let token = await server.login(a.username, a.password);
    const lifetimes: number[] = [];
    for (const at of [13, 26, 39]) {
      clock = loggedInAt + at * MIN;
      const r = await refresh(token);
      lifetimes.push(r.body.expiresIn);
      token = r.body.accessToken;
    }
    // 40 minutes at most: 15, then 14 (26 → 40), then 1 (39 → 40).
    expect(lifetimes).toEqual([900, 14 * 60, 60]);
    expect(claims(token).exp).toBe(loggedInAt / 1000 + SESSION_MAX);

    // Any still-valid token of a session that has reached its maximum is refused.
    clock = loggedInAt + SESSION_MAX * 1000;
    const late = await signed(a.username, { authTime: loggedInAt / 1000, iat: clock / 1000 - 10, exp: clock / 1000 + 600 });
    expect((await me(late)).status).toBe(200);
    const r = await refresh(late);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ code: 'unauthenticated', detail: expect.stringMatching(/session began more than 0\.67 h ago.*log in again/) as unknown });
    const events = await listAudit({ chain: run, action: 'auth.refresh', actor: a.username, limit: 100 });
    expect(events.map((e) => [e.outcome, e.details?.['reason'] ?? null])).toEqual([
      ['ok', null],
      ['ok', null],
      ['ok', null],
      ['failed', 'session too old'],
    ]);
  });
});

describe('the audit of refreshes', () => {
  it('records who, with which role, when and the session it belongs to, never the token', async () => {
    const a = await makeAccount(run, 'aud', 'tracer');
    const loggedInAt = clock;
    const token = await server.login(a.username, a.password);
    clock += 5 * MIN;
    const fresh = (await refresh(token)).body.accessToken;
    const [e, ...more] = await listAudit({ chain: run, action: 'auth.refresh', actor: a.username, limit: 100 });
    expect(more).toEqual([]);
    expect(e).toMatchObject({ actor: a.username, role: 'tracer', outcome: 'ok', at: new Date(clock).toISOString(), details: { sessionStart: new Date(loggedInAt).toISOString() } });
    expect(JSON.stringify(e)).not.toContain(token);
    expect(JSON.stringify(e)).not.toContain(fresh);
  });
});
