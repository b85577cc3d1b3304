import { decide, refreshAt, RETRY_MS, tokenTimes, type TokenTimes } from './refresh';
import type { CaseList, Cluster, ClusterList, DailyStats, FollowUpList, FollowUpStatusChanged, HotspotList, OutbreakRun, Problem, Station, Timeline, TokenResponse, TraceList, TraceMeta, TracePage, TraceProgress } from './types';

/**
 * The view's client of the truyvet API (same origin). The bearer token and the refresh token live
 * in this object only — never in localStorage, sessionStorage or a cookie — so closing or reloading
 * the page logs the tracer out. Shortly before the access token expires, the refresh token is
 * traded for a new pair if the tracer has been active since it came (refresh.ts); otherwise it
 * runs out and the page asks to log in again. Each refresh token works once (the server ends the
 * session if one is used twice), and a logout ends the session on the server too.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: readonly { path: string; message: string }[] = [],
    /** From Retry-After, when the server gave one (a 503 `busy`). */
    readonly retryAfterSeconds?: number,
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
  /** Close contacts only (issue 25): every generation counts only co-locations of at least the close threshold. */
  readonly closeOnly?: boolean;
  /** A UUID the client makes to follow the trace while it runs (GET /api/traces/progress/:id) and cancel it. */
  readonly progressId?: string;
}

export interface OutbreakRequest {
  /** ISO instant: trace the registry's cases confirmed at or after it. */
  readonly confirmedSince: string;
  /** … and at or before this one (optional). */
  readonly confirmedUntil?: string;
  readonly depth: number;
  readonly closeOnly: boolean;
  readonly requestRef: string;
  readonly purpose: string;
}

/** People per page when the view loads a trace (the API's maximum): few round trips. */
export const LOAD_PAGE_SIZE = 1000;

export class Api {
  private token: string | undefined;
  private refreshToken: string | undefined;
  private times: TokenTimes | undefined;
  private lastActivity: number | undefined;
  private lastFailure: number | undefined;
  private refreshing = false;
  private timers: ReturnType<typeof setTimeout>[] = [];
  /** Goes up with every new token and every logout: an answer meant for an older one is dropped. */
  private generation = 0;
  /** Called when the server refuses the token, or it runs out unrefreshed: the page asks to log in again. */
  onUnauthorized: () => void = () => undefined;

  constructor(private readonly base = '') {}

  get loggedIn(): boolean {
    return this.token !== undefined;
  }

  async login(username: string, password: string): Promise<TokenResponse> {
    const sentAt = Date.now();
    const generation = this.generation;
    const r = await this.request<TokenResponse>('POST', '/api/auth/token', { username, password }, false);
    if (generation === this.generation) this.useToken(r, sentAt);
    return r;
  }

  /** Forgets the tokens and stops their timers; the server ends the session (not awaited: a logout cannot fail). */
  logout(): void {
    const refreshToken = this.refreshToken;
    if (refreshToken !== undefined) void this.request('POST', '/api/auth/logout', { refreshToken }, false).catch(() => undefined);
    this.generation++;
    this.token = undefined;
    this.refreshToken = undefined;
    this.times = undefined;
    this.lastActivity = undefined;
    this.lastFailure = undefined;
    this.refreshing = false;
    this.clearTimers();
  }

  /** The tracer pressed a key, clicked or pointed: a due refresh may go now. */
  noteActivity(): void {
    if (this.token === undefined) return;
    this.lastActivity = Date.now();
    this.check();
  }

  private useToken(r: TokenResponse, sentAt: number): void {
    this.generation++;
    this.token = r.accessToken;
    this.refreshToken = r.refreshToken;
    this.times = tokenTimes(sentAt, r.expiresIn);
    this.lastFailure = undefined;
    this.refreshing = false;
    this.clearTimers();
    // One look when the refresh is due, one at the expiry; activity in between looks again.
    this.schedule(refreshAt(this.times));
    this.schedule(this.times.expiresAt);
  }

  private schedule(at: number): void {
    this.timers.push(setTimeout(() => this.check(), Math.max(0, at - Date.now())));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private check(): void {
    if (this.token === undefined || this.times === undefined) return;
    const state = { token: this.times, lastActivity: this.lastActivity, lastFailure: this.lastFailure, inFlight: this.refreshing };
    switch (decide(state, Date.now())) {
      case 'expired':
        // A sleeping laptop or a throttled background tab may see this late; the server has refused it already.
        this.logout();
        this.onUnauthorized();
        return;
      case 'refresh':
        void this.refresh();
        return;
      case 'wait':
        return;
    }
  }

  private async refresh(): Promise<void> {
    const sentAt = Date.now();
    const generation = this.generation;
    const refreshToken = this.refreshToken;
    if (refreshToken === undefined) return;
    this.refreshing = true;
    try {
      const r = await this.request<TokenResponse>('POST', '/api/auth/refresh', { refreshToken }, false);
      if (generation === this.generation) this.useToken(r, sentAt);
    } catch (e) {
      if (generation !== this.generation) return;
      // Refused (session at its maximum, ended, account changed): log in again.
      if (e instanceof ApiError && e.status === 401) {
        // Nothing left to end on the server.
        this.refreshToken = undefined;
        this.logout();
        this.onUnauthorized();
        return;
      }
      // Anything else (no network, a 5xx): try again a little later while the token lasts.
      this.refreshing = false;
      this.lastFailure = Date.now();
      this.schedule(this.lastFailure + RETRY_MS);
    }
  }

  /** The first page; or, when traces need approval, the stored request (status `pending`). */
  createTrace(body: TraceRequest, pageSize = LOAD_PAGE_SIZE): Promise<TracePage | TraceMeta> {
    return this.request<TracePage | TraceMeta>('POST', '/api/traces', { ...body, pageSize });
  }

  /** How far the trace sent with this progressId has come (404 before it is registered and after it ends). */
  traceProgress(progressId: string): Promise<TraceProgress> {
    return this.request<TraceProgress>('GET', `/api/traces/progress/${encodeURIComponent(progressId)}`);
  }

  /** Stops the trace sent with this progressId; its own request then answers 499 `cancelled`. */
  cancelTrace(progressId: string): Promise<{ progressId: string; cancelled: true }> {
    return this.request('POST', `/api/traces/progress/${encodeURIComponent(progressId)}/cancel`);
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

  // ---- the epidemic-wave pages (wave-page.ts, followups-page.ts) ----

  /** Confirmed cases in the caller's jurisdiction, newest confirmation first. */
  cases(limit = 200): Promise<CaseList> {
    return this.request<CaseList>('GET', `/api/cases?limit=${limit}`);
  }

  /** Starts an outbreak run (202: queued); follow it with outbreak(). */
  createOutbreak(body: OutbreakRequest): Promise<OutbreakRun> {
    return this.request<OutbreakRun>('POST', '/api/outbreaks', body);
  }

  /** A run's status; once done, a page of its result (links and clusters on page 1). */
  outbreak(id: string, page = 1, pageSize = LOAD_PAGE_SIZE): Promise<OutbreakRun> {
    return this.request<OutbreakRun>('GET', `/api/outbreaks/${encodeURIComponent(id)}?page=${page}&pageSize=${pageSize}`);
  }

  clusters(limit = 100): Promise<ClusterList> {
    return this.request<ClusterList>('GET', `/api/clusters?limit=${limit}`);
  }

  cluster(id: string): Promise<Cluster> {
    return this.request<Cluster>('GET', `/api/clusters/${encodeURIComponent(id)}`);
  }

  /** Daily counts between two instants (at most 92 days). */
  dailyStats(from: string, to: string): Promise<DailyStats> {
    return this.request<DailyStats>('GET', `/api/stats/daily?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  }

  followups(status = 'all'): Promise<FollowUpList> {
    return this.request<FollowUpList>('GET', `/api/followups?status=${encodeURIComponent(status)}&limit=1000`);
  }

  updateFollowup(id: string, status: string): Promise<FollowUpStatusChanged> {
    return this.request<FollowUpStatusChanged>('PATCH', `/api/followups/${encodeURIComponent(id)}`, { status });
  }

  /** The call list as the server writes it (CSV with a BOM), to download. */
  followupsExport(status = 'open'): Promise<Blob> {
    return this.request<Blob>('GET', `/api/followups/export?status=${encodeURIComponent(status)}`, undefined, true, true);
  }

  private async request<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown, authed = true, blob = false): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = this.token;
    if (authed) {
      if (token === undefined) throw new ApiError(401, 'unauthenticated', 'not logged in');
      headers['Authorization'] = `Bearer ${token}`;
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, credentials: 'omit', cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch {
      throw new ApiError(0, 'network', 'the server does not answer');
    }
    if (blob && res.ok) return (await res.blob()) as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const p = (json ?? {}) as Partial<Problem>;
      // Only a refusal of the token in use ends the session (not one of a token replaced meanwhile).
      if (res.status === 401 && authed && token === this.token) {
        this.logout();
        this.onUnauthorized();
      }
      const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
      throw new ApiError(res.status, p.code ?? 'error', p.detail ?? p.title ?? `HTTP ${res.status}`, p.errors ?? [], Number.isFinite(retryAfter) ? retryAfter : undefined);
    }
    return json as T;
  }
}
