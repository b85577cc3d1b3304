import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStore } from 'express-rate-limit';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { getAccount } from '../../engine/accounts/accounts';
import { listAudit } from '../../engine/audit/store';
import { closeDriver, readQuery } from '../../engine/db/driver';
import { secretKey } from '../../engine/secrets';
import { AUDIENCE, ISSUER } from '../../api/auth';
import { makeAccount, PASSWORD } from '../helpers/builders';
import { newRunId, removeRun } from '../helpers/cleanup';
import { runCli } from '../helpers/cli';
import { startInProcess, type TestServer } from '../helpers/server';

const run = newRunId('au');
const truyvet = (...args: string[]) => runCli(args, { env: { TRUYVET_AUDIT_CHAIN: run } });

let clock = Date.now();
let server: TestServer;

beforeAll(async () => {
  server = await startInProcess(run, { now: () => clock, settings: { lockout: { maxFailures: 3, lockMs: 10 * 60_000 } } });
});
afterAll(async () => {
  await server.close();
  await removeRun(run);
  await closeDriver();
});

const me = (token: string) => server.request<{ username: string; role: string; via: string }>('GET', '/api/auth/me', { token });
const patch = (admin: string, username: string, json: unknown) => server.request('PATCH', `/api/accounts/${encodeURIComponent(username)}`, { token: admin, json });

describe('login', () => {
  it('answers a short-lived bearer token for the right password, and the token works', async () => {
    const a = await makeAccount(run, 'ok1', 'tracer');
    const res = await server.request<{ accessToken: string; expiresIn: number; role: string }>('POST', '/api/auth/token', { json: { username: a.username, password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body.expiresIn).toBe(900);
    expect(res.body.role).toBe('tracer');
    expect((await me(res.body.accessToken)).body).toEqual({ username: a.username, role: 'tracer', via: 'password' });
  });

  it('refuses a wrong password and an unknown user with the same 401, and audits both', async () => {
    const a = await makeAccount(run, 'ok2', 'auditor');
    const wrong = await server.request<{ detail: string }>('POST', '/api/auth/token', { json: { username: a.username, password: 'not the password 1' } });
    const unknown = await server.request<{ detail: string }>('POST', '/api/auth/token', { json: { username: `${run}-nobody`, password: 'not the password 1' } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const events = await listAudit({ chain: run, action: 'auth.login', limit: 1000 });
    expect(events.some((e) => e.actor === a.username && e.outcome === 'failed' && e.details?.['reason'] === 'wrong password')).toBe(true);
    // The unknown name is not written down: people type passwords into the username field.
    expect(events.some((e) => e.actor === '?' && e.details?.['reason'] === 'unknown user')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(`${run}-nobody`);
  });

  it('locks an account after repeated failures, even for the right password, until the lockout ends', async () => {
    const a = await makeAccount(run, 'lock', 'tracer');
    const attempt = (password: string) => server.request('POST', '/api/auth/token', { json: { username: a.username, password } });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong password 99')).status).toBe(401);
    expect((await attempt(PASSWORD)).status).toBe(401);
    expect((await getAccount(a.username))?.lockedUntil).toBe(clock + 10 * 60_000);
    clock += 10 * 60_000 - 1;
    expect((await attempt(PASSWORD)).status).toBe(401);
    clock += 1;
    expect((await attempt(PASSWORD)).status).toBe(200);
    const reasons = (await listAudit({ chain: run, action: 'auth.login', actor: a.username, limit: 100 })).map((e) => e.details?.['reason'] ?? e.outcome);
    expect(reasons).toEqual(['wrong password', 'wrong password', 'wrong password', 'locked', 'locked', 'ok']);
  });

  it('limits login attempts per client address (429)', async () => {
    const limited = await startInProcess(`${run}rl`, { settings: { loginPerMinute: 3 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.request('POST', '/api/auth/token', { json: { username: `${run}-x`, password: 'whatever pass 1' } })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const r = await limited.request<{ code: string }>('POST', '/api/auth/token', { json: { username: `${run}-x`, password: 'whatever pass 1' } });
      expect(r.body.code).toBe('rate_limited');
      expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    } finally {
      await limited.close();
      await removeRun(`${run}rl`);
    }
  });

  it('keys a limit shared between workers by a digest of the client address, never the address', async () => {
    const keys: string[] = [];
    class Recording extends MemoryStore {
      override async increment(key: string) {
        keys.push(key);
        return super.increment(key);
      }
    }
    const stores: string[] = [];
    const limited = await startInProcess(`${run}sh`, {
      settings: { loginPerMinute: 2 },
      sharedLimitStore: (name) => {
        stores.push(name);
        return new Recording();
      },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.request('POST', '/api/auth/token', { json: { username: `${run}-y`, password: 'whatever pass 1' } })).status);
      expect(statuses).toEqual([401, 401, 429]);
      expect(stores.sort()).toEqual(['declarations', 'declarations-document', 'login']);
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(keys[0]).not.toContain('127.0.0.1');
    } finally {
      await limited.close();
      await removeRun(`${run}sh`);
    }
  });

  it('limits all API requests per client address (429)', async () => {
    const limited = await startInProcess(`${run}rq`, { settings: { requestsPerMinute: 4 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await limited.request('GET', '/api/openapi.json')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('account changes take effect on the very next request', () => {
  let admin: string;
  beforeAll(async () => {
    const a = await makeAccount(run, 'admin', 'admin');
    admin = await server.login(a.username, a.password);
  });

  it('refuses the token of an account disabled a moment ago, and keeps refusing it after re-enabling', async () => {
    const a = await makeAccount(run, 'dis', 'tracer');
    const token = await server.login(a.username, a.password);
    expect((await me(token)).status).toBe(200);
    expect((await patch(admin, a.username, { disabled: true })).status).toBe(200);
    expect((await me(token)).status).toBe(401);
    expect((await server.request('POST', '/api/auth/token', { json: { username: a.username, password: a.password } })).status).toBe(401);
    expect((await patch(admin, a.username, { disabled: false })).status).toBe(200);
    expect((await me(token)).status).toBe(401);
    const fresh = await server.login(a.username, a.password);
    expect((await me(fresh)).status).toBe(200);
  });

  it('applies a role change to a token issued before it', async () => {
    const a = await makeAccount(run, 'rc', 'auditor');
    const token = await server.login(a.username, a.password);
    expect((await server.request('GET', '/api/audit?limit=1', { token })).status).toBe(200);
    expect((await patch(admin, a.username, { role: 'officer', jurisdiction: { province: '79' } })).status).toBe(200);
    expect((await server.request('GET', '/api/audit?limit=1', { token })).status).toBe(403);
    expect((await me(token)).body.role).toBe('officer');
  });

  it('refuses an officer without a jurisdiction (422) and an unknown account (404)', async () => {
    const a = await makeAccount(run, 'nj', 'auditor');
    const r = await patch(admin, a.username, { role: 'officer' });
    expect(r.status).toBe(422);
    expect((await patch(admin, `${run}-ghost`, { disabled: true })).status).toBe(404);
  });

  it('audits account changes with the roles before and after, never the password', async () => {
    const a = await makeAccount(run, 'au', 'importer');
    await patch(admin, a.username, { role: 'auditor', password: 'a brand new pass 9' });
    const [e] = (await listAudit({ chain: run, action: 'account.update', limit: 1000 })).filter((x) => x.target === a.username);
    expect(e?.details).toMatchObject({ roleBefore: 'importer', roleAfter: 'auditor', passwordChanged: true });
    expect(JSON.stringify(e)).not.toContain('a brand new pass 9');
  });

  it('refuses the token of an account disabled from the command line on its next request', async () => {
    const a = await makeAccount(run, 'cli', 'tracer');
    const token = await server.login(a.username, a.password);
    expect((await me(token)).status).toBe(200);
    const out = await truyvet('accounts', 'disable', a.username, '--json');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ username: a.username, disabled: true });
    expect((await me(token)).status).toBe(401);
  });
});

describe('usernames are unique whatever their case', () => {
  let admin: string;
  beforeAll(async () => {
    const a = await makeAccount(run, 'case-admin', 'admin');
    admin = await server.login(a.username, a.password);
  });

  it('refuses an account whose name differs from another only in case (409), from the API and the command line', async () => {
    const a = await makeAccount(run, 'case', 'tracer');
    const upper = a.username.toUpperCase();
    const r = await server.request<{ detail: string }>('POST', '/api/accounts', { token: admin, json: { username: upper, password: 'long enough pass 1', role: 'tracer' } });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/already exists.*whatever their case/);
    const cli = await truyvet('accounts', 'create', `${run}-Case`, '--role', 'tracer', '--json');
    expect(cli.code).toBe(1);
    expect(await readQuery('MATCH (x:Account) WHERE toLower(x.username) = $k RETURN x.username AS u', { k: a.username.toLowerCase() }, (x) => x['u'] as string)).toEqual([a.username]);
  });

  it('lets one of several creations that differ only in case through at once, the database deciding', async () => {
    const base = `${run}-race`;
    const names = [base, base.toUpperCase(), `${run}-Race`, `${run}-rACE`, `${run}-RaCe`];
    const rs = await Promise.all(names.map((username) => server.request('POST', '/api/accounts', { token: admin, json: { username, password: 'long enough pass 1', role: 'auditor' } })));
    expect(rs.map((x) => x.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it('logs in whatever the case the name is typed in (a phone capitalises the first letter), as the stored name', async () => {
    const a = await makeAccount(run, 'phone', 'officer', { province: '79' });
    const r = await server.request<{ accessToken: string; username: string }>('POST', '/api/auth/token', { json: { username: a.username.toUpperCase(), password: a.password } });
    expect([r.status, r.body.username]).toEqual([200, a.username]);
    expect((await me(r.body.accessToken)).body.username).toBe(a.username);
    const wrong = await server.request('POST', '/api/auth/token', { json: { username: a.username.toUpperCase(), password: 'not the password 1' } });
    expect(wrong.status).toBe(401);
    const [failed] = (await listAudit({ chain: run, action: 'auth.login', limit: 1000 })).filter((e) => e.outcome === 'failed' && e.actor.toLowerCase() === a.username);
    expect(failed?.actor).toBe(a.username);
  });
});

describe('jurisdictions from the command line', () => {
  const cli = (...args: string[]) => truyvet('accounts', ...args);

  it('refuses a jurisdiction that names no administrative unit in create and set-role (exit 2, naming the unit), and takes real ones', async () => {
    const bad = await cli('create', `${run}-cli7`, '--role', 'officer', '--jurisdiction', '7', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--jurisdiction: '7' is not a province code/);
    expect(await getAccount(`${run}-cli7`)).toBeUndefined();
    const ok = await cli('create', `${run}-cli25`, '--role', 'officer', '--jurisdiction', '79//25747', '--json');
    expect([ok.code, (JSON.parse(ok.stdout) as { jurisdiction: string }).jurisdiction]).toEqual([0, '79//25747']);
    const moved = await cli('set-role', `${run}-cli25`, 'officer', '--jurisdiction', '01/760', '--json');
    expect(moved.code).toBe(2);
    expect(moved.stderr).toMatch(/district '760' does not lie in province '01'/);
    expect((await getAccount(`${run}-cli25`))?.jurisdiction).toEqual({ province: '79', commune: '25747' });
  });
});

describe('tokens that must not work', () => {
  let username: string;
  beforeAll(async () => {
    username = (await makeAccount(run, 'tok', 'tracer')).username;
  });
  const sign = (key: Uint8Array, over: { exp?: number; iss?: string; aud?: string; tv?: number } = {}) =>
    new SignJWT({ tv: over.tv ?? 0 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(username)
      .setIssuer(over.iss ?? ISSUER)
      .setAudience(over.aud ?? AUDIENCE)
      .setIssuedAt(Math.floor(clock / 1000) - 10)
      .setExpirationTime(over.exp ?? Math.floor(clock / 1000) + 600)
      .sign(key);

  it('accepts a well-made token (the control case)', async () => {
    expect((await me(await sign(secretKey('TRUYVET_JWT_SECRET')))).status).toBe(200);
  });

  it.each([
    ['alg none', () => Promise.resolve(new UnsecuredJWT({ tv: 0 }).setSubject('x').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').encode())],
    ['expired', () => sign(secretKey('TRUYVET_JWT_SECRET'), { exp: Math.floor(clock / 1000) - 1 })],
    ['signed with another key', () => sign(new Uint8Array(32).fill(7))],
    ['from another issuer', () => sign(secretKey('TRUYVET_JWT_SECRET'), { iss: 'someone-else' })],
    ['for another audience', () => sign(secretKey('TRUYVET_JWT_SECRET'), { aud: 'other-api' })],
    ['with an old token version', () => sign(secretKey('TRUYVET_JWT_SECRET'), { tv: 5 })],
    ['malformed', () => Promise.resolve('not.a.jwt')],
    ['empty segments', () => Promise.resolve('..........')],
    ['RS256 under the local issuer', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({ tv: 0 }).setProtectedHeader({ alg: 'RS256' }).setSubject(username).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').setIssuedAt().sign(privateKey);
    }],
  ])('refuses a token %s with 401', async (_name, make) => {
    const res = await me(await make());
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('stops an accepted token at its expiry: the memo of checked tokens re-reads the clock', async () => {
    const exp = Math.floor(clock / 1000) + 60;
    const token = await sign(secretKey('TRUYVET_JWT_SECRET'), { exp });
    expect((await me(token)).status).toBe(200);
    const saved = clock;
    try {
      clock = exp * 1000 - 1;
      expect((await me(token)).status).toBe(200);
      clock = exp * 1000;
      expect((await me(token)).status).toBe(401);
    } finally {
      clock = saved;
    }
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const res = await server.request('GET', '/api/auth/me', { headers: { authorization: `Basic ${Buffer.from(`${username}:${PASSWORD}`).toString('base64')}` } });
    expect(res.status).toBe(401);
  });
});

describe('an external identity provider (JWKS)', () => {
  let jwksServer: Server;
  let ext: TestServer;
  let privateKey: CryptoKey;
  const issuer = 'https://idp.test.invalid/realms/health';

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    ext = await startInProcess(`${run}ex`, {
      settings: { oidc: { jwksUrl: url, issuer, audience: 'truyvet', roleClaim: 'truyvet_role', jurisdictionClaim: 'truyvet_jurisdiction' } },
    });
  });
  afterAll(async () => {
    await ext.close();
    await new Promise<void>((r) => jwksServer.close(() => r()));
    await removeRun(`${run}ex`);
    await removeRun(`oidc:${run}`);
  });

  const idToken = (claims: Record<string, unknown>, sub = `${run}-alice`, aud = 'truyvet') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject(sub).setIssuer(issuer).setAudience(aud).setIssuedAt().setExpirationTime('5m').sign(privateKey);

  it('maps the role and jurisdiction claims of a provider token', async () => {
    const res = await ext.request<{ username: string; role: string; jurisdiction: unknown; via: string }>('GET', '/api/auth/me', {
      token: await idToken({ truyvet_role: 'officer', truyvet_jurisdiction: '79/760/26734' }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ username: `oidc:${run}-alice`, role: 'officer', jurisdiction: { province: '79', district: '760', commune: '26734' }, via: 'oidc' });
  });

  it('refuses a provider token whose jurisdiction claim names no administrative unit (401, saying which)', async () => {
    for (const claim of ['7', { province: '79', district: '001' }, '79/760/00001']) {
      const res = await ext.request<{ detail: string }>('GET', '/api/auth/me', { token: await idToken({ truyvet_role: 'officer', truyvet_jurisdiction: claim }) });
      expect([claim, res.status]).toEqual([claim, 401]);
      expect(res.body.detail).toMatch(/'truyvet_jurisdiction' claim names no administrative unit: .*(province|district|commune)/);
    }
  });

  it.each([
    ['no role claim', () => idToken({})],
    ['an unknown role', () => idToken({ truyvet_role: 'superuser' })],
    ['an officer without jurisdiction', () => idToken({ truyvet_role: 'officer' })],
    ['another audience', () => idToken({ truyvet_role: 'tracer' }, `${run}-bob`, 'other')],
  ])('refuses a provider token with %s', async (_n, make) => {
    expect((await ext.request('GET', '/api/auth/me', { token: await make() })).status).toBe(401);
  });

  it('does not refresh a provider token: a refresh needs a refresh token of a login here (400 without one, 401 with the provider token in its place)', async () => {
    const token = await idToken({ truyvet_role: 'tracer' }, `${run}-dave`);
    const bare = await ext.request<{ errors: { path: string }[] }>('POST', '/api/auth/refresh', { token, json: {} });
    expect([bare.status, bare.body.errors.map((e) => e.path)]).toEqual([400, ['body.refreshToken']]);
    const instead = await ext.request<{ detail: string }>('POST', '/api/auth/refresh', { json: { refreshToken: token.slice(0, 200) } });
    expect([instead.status, instead.body.detail]).toEqual([401, 'the refresh token is not valid; log in again']);
    expect(instead.headers.get('content-type')).toMatch(/problem\+json/);
    // A token of no session names no one: nothing to audit.
    expect(await listAudit({ chain: `${run}ex`, action: 'auth.refresh', limit: 100 })).toEqual([]);
  });

  it('cuts off an external user at once with a local disable', async () => {
    const token = await idToken({ truyvet_role: 'tracer' }, `${run}-carol`);
    expect((await ext.request('GET', '/api/auth/me', { token })).status).toBe(200);
    const adminAcc = await makeAccount(`${run}ex`, 'admin', 'admin');
    const admin = await ext.login(adminAcc.username, adminAcc.password);
    expect((await ext.request('PATCH', `/api/accounts/${encodeURIComponent(`oidc:${run}-carol`)}`, { token: admin, json: { disabled: true } })).status).toBe(200);
    expect((await ext.request('GET', '/api/auth/me', { token })).status).toBe(401);
  });
});
