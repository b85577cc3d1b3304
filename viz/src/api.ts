import type { HotspotList, Problem, Station, Timeline, TokenResponse, TraceList, TracePage } from './types';

/**
 * The view's client of the truyvet API (same origin). The bearer token lives in this object
 * only — never in localStorage, sessionStorage or a cookie — so closing or reloading the page
 * logs the tracer out.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export interface TraceRequest {
  readonly f0: string;
  readonly from: string;
  readonly to: string;
  readonly until?: string;
  readonly depth: number;
  /** Seconds. */
  readonly tolerance: number;
  readonly mode: 'time-respecting' | 'naive';
  readonly requestRef: string;
  readonly purpose: string;
  /** More tolerances (seconds) to count F1, F2, … at, for the sensitivity panel. */
  readonly sensitivity?: readonly number[];
}

/** People per page when the view loads a trace (the API's maximum): few round trips. */
export const LOAD_PAGE_SIZE = 1000;

export class Api {
  private token: string | undefined;
  /** Called when the server refuses the token (expired): the page asks to log in again. */
  onUnauthorized: () => void = () => undefined;

  constructor(private readonly base = '') {}

  get loggedIn(): boolean {
    return this.token !== undefined;
  }

  async login(username: string, password: string): Promise<TokenResponse> {
    const r = await this.request<TokenResponse>('POST', '/api/auth/token', { username, password }, false);
    this.token = r.accessToken;
    return r;
  }

  logout(): void {
    this.token = undefined;
  }

  createTrace(body: TraceRequest, pageSize = LOAD_PAGE_SIZE): Promise<TracePage> {
    return this.request<TracePage>('POST', '/api/traces', { ...body, pageSize });
  }

  tracePage(id: string, page: number, pageSize = LOAD_PAGE_SIZE): Promise<TracePage> {
    return this.request<TracePage>('GET', `/api/traces/${encodeURIComponent(id)}?page=${page}&pageSize=${pageSize}`);
  }

  /** The caller's stored traces, newest first as the server lists them. */
  recentTraces(limit = 10): Promise<TraceList> {
    return this.request<TraceList>('GET', `/api/traces?limit=${limit}`);
  }

  timeline(personId: string, traceId: string): Promise<Timeline> {
    return this.request<Timeline>('GET', `/api/people/${encodeURIComponent(personId)}/timeline?trace=${encodeURIComponent(traceId)}`);
  }

  hotspots(traceId: string, limit = 50): Promise<HotspotList> {
    return this.request<HotspotList>('GET', `/api/hotspots?trace=${encodeURIComponent(traceId)}&limit=${limit}`);
  }

  /** Every station the caller may see, a few thousand per request. */
  async stations(): Promise<Station[]> {
    const limit = 5000;
    const all: Station[] = [];
    for (let skip = 0; ; skip += limit) {
      const r = await this.request<{ stations: Station[] }>('GET', `/api/stations?skip=${skip}&limit=${limit}`);
      all.push(...r.stations);
      if (r.stations.length < limit || all.length >= 100_000) return all;
    }
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown, authed = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (authed) {
      if (this.token === undefined) throw new ApiError(401, 'unauthenticated', 'not logged in');
      headers['Authorization'] = `Bearer ${this.token}`;
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, credentials: 'omit', cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch {
      throw new ApiError(0, 'network', 'the server does not answer');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const p = (json ?? {}) as Partial<Problem>;
      if (res.status === 401 && authed) {
        this.token = undefined;
        this.onUnauthorized();
      }
      throw new ApiError(res.status, p.code ?? 'error', p.detail ?? p.title ?? `HTTP ${res.status}`, p.errors ?? []);
    }
    return json as T;
  }
}
