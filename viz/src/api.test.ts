import { Api, ApiError } from './api';

/**
 * The API client's token refresh with jest's fake clock and a stand-in for fetch (the decisions
 * themselves are tested in refresh.test.ts; this checks the timers and the wiring).
 */

const MIN = 60_000;

interface Call {
  path: string;
  auth: string | undefined;
  body?: unknown;
}

let calls: Call[];
let answers: Map<string, { status: number; body: unknown; headers?: Record<string, string> }[]>;
let tokens: number;

function answer(path: string, status: number, body: unknown, headers?: Record<string, string>): void {
  answers.set(path, [...(answers.get(path) ?? []), { status, body, ...(headers ? { headers } : {}) }]);
}

const tokenBody = () => {
  ++tokens;
  return { accessToken: `token-${tokens}`, refreshToken: `refresh-${tokens}`, tokenType: 'Bearer', expiresIn: 900, username: 'tracer1', role: 'tracer' };
};

beforeEach(() => {
  jest.useFakeTimers({ now: 1_700_000_000_000 });
  calls = [];
  answers = new Map();
  tokens = 0;
  globalThis.fetch = jest.fn((url: string, init: RequestInit) => {
    const path = url.split('?')[0] ?? url;
    calls.push({ path, auth: (init.headers as Record<string, string>)['Authorization'], ...(typeof init.body === 'string' ? { body: JSON.parse(init.body) as unknown } : {}) });
    const queued = answers.get(path)?.shift();
    const a: { status: number; body: unknown; headers?: Record<string, string> } =
      queued ?? (path.startsWith('/api/auth/') ? { status: 200, body: tokenBody() } : { status: 200, body: { traces: [] } });
    return Promise.resolve({ ok: a.status < 300, status: a.status, headers: new Headers(a.headers ?? {}), text: () => Promise.resolve(JSON.stringify(a.body)) } as Response);
  }) as unknown as typeof fetch;
});

afterEach(() => {
  jest.useRealTimers();
});

async function loggedIn(): Promise<{ api: Api; expired: jest.Mock }> {
  const api = new Api();
  const expired = jest.fn();
  api.onUnauthorized = expired;
  await api.login('tracer1', 'pw');
  return { api, expired };
}

/** A key or a click a little after the login (activity at the login's own instant does not count). */
async function activeAfter(api: Api, ms = 1000): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  api.noteActivity();
}

const refreshes = () => calls.filter((c) => c.path === '/api/auth/refresh');
const logouts = () => calls.filter((c) => c.path === '/api/auth/logout');

describe('the view keeps an active tracer logged in', () => {
  it('refreshes two minutes before the expiry after some activity, and uses the new token', async () => {
    const { api, expired } = await loggedIn();
    await activeAfter(api, MIN);
    await jest.advanceTimersByTimeAsync(12 * MIN - 1);
    expect(refreshes()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    // The refresh token is the credential, without the bearer token.
    expect(refreshes()).toEqual([{ path: '/api/auth/refresh', auth: undefined, body: { refreshToken: 'refresh-1' } }]);
    // Past the first token's expiry, still logged in, with the second token.
    await jest.advanceTimersByTimeAsync(5 * MIN);
    await api.recentTraces();
    expect(calls.at(-1)?.auth).toBe('Bearer token-2');
    expect([api.loggedIn, expired.mock.calls.length]).toEqual([true, 0]);
  });

  it('trades the newest refresh token each time (each works once)', async () => {
    const { api } = await loggedIn();
    await activeAfter(api);
    await jest.advanceTimersByTimeAsync(13 * MIN);
    await activeAfter(api);
    await jest.advanceTimersByTimeAsync(13 * MIN);
    expect(refreshes().map((c) => c.body)).toEqual([{ refreshToken: 'refresh-1' }, { refreshToken: 'refresh-2' }]);
  });

  it('refreshes at once on activity between the due time and the expiry', async () => {
    const { api } = await loggedIn();
    await jest.advanceTimersByTimeAsync(14 * MIN);
    expect(refreshes()).toEqual([]);
    api.noteActivity();
    await jest.advanceTimersByTimeAsync(0);
    expect(refreshes()).toHaveLength(1);
  });

  it('tries again after a refresh that failed without a 401, while the token lasts', async () => {
    const { api, expired } = await loggedIn();
    await activeAfter(api);
    answer('/api/auth/refresh', 503, { code: 'unavailable', status: 503 });
    await jest.advanceTimersByTimeAsync(13 * MIN - 1000);
    expect(refreshes()).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(refreshes()).toHaveLength(2);
    expect([api.loggedIn, expired.mock.calls.length]).toEqual([true, 0]);
  });
});

describe('the view lets a session end', () => {
  it('lets the token of an idle page run out and asks to log in again, without a refresh', async () => {
    const { api, expired } = await loggedIn();
    await jest.advanceTimersByTimeAsync(15 * MIN - 1);
    expect(expired).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(api.loggedIn).toBe(false);
    expect(refreshes()).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('asks to log in again when the server refuses the refresh (401)', async () => {
    const { api, expired } = await loggedIn();
    await activeAfter(api);
    answer('/api/auth/refresh', 401, { code: 'unauthenticated', status: 401, detail: 'the session began more than 12 h ago, its longest; log in again' });
    await jest.advanceTimersByTimeAsync(13 * MIN - 1000);
    expect(refreshes()).toHaveLength(1);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(api.loggedIn).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
    // A refused refresh token has no session left to end.
    expect(logouts()).toEqual([]);
  });

  it('clears its timers on logout and ends the session on the server: nothing fires afterwards', async () => {
    const { api, expired } = await loggedIn();
    await activeAfter(api);
    api.logout();
    expect(logouts()).toEqual([{ path: '/api/auth/logout', auth: undefined, body: { refreshToken: 'refresh-1' } }]);
    expect(jest.getTimerCount()).toBe(0);
    api.noteActivity();
    await jest.advanceTimersByTimeAsync(30 * MIN);
    expect(refreshes()).toEqual([]);
    expect(expired).not.toHaveBeenCalled();
  });

  it('drops a refreshed token that arrives after a logout', async () => {
    const { api } = await loggedIn();
    let release: () => void = () => undefined;
    const real = globalThis.fetch;
    globalThis.fetch = jest.fn(
      (url: string, init: RequestInit) =>
        new Promise<Response>((resolve) => {
          release = () => resolve(real(url, init));
        }),
    ) as unknown as typeof fetch;
    await activeAfter(api);
    await jest.advanceTimersByTimeAsync(13 * MIN);
    expect(globalThis.fetch).toHaveBeenCalledTimes(1);
    api.logout();
    release();
    await jest.advanceTimersByTimeAsync(0);
    expect(api.loggedIn).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('a refused request', () => {
  const REQ = { f0: 'x', from: '2021-08-01T00:00:00Z', to: '2021-08-02T00:00:00Z', depth: 2, tolerance: 900, mode: 'time-respecting', requestRef: 'R 1', purpose: 'p' } as const;
  it('carries the problem code and the Retry-After of a busy server', async () => {
    const { api } = await loggedIn();
    answer('/api/traces', 503, { code: 'busy', status: 503, detail: 'the server is busy with other traces (64 waiting); try again later' }, { 'Retry-After': '7' });
    const e = (await api.createTrace(REQ).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.retryAfterSeconds]).toEqual([503, 'busy', 7]);
    answer('/api/traces', 422, { code: 'invalid_input', status: 422, detail: 'too large' });
    const other = (await api.createTrace(REQ).catch((x: unknown) => x)) as ApiError;
    expect(other.retryAfterSeconds).toBeUndefined();
  });
});
