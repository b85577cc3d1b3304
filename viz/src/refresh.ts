/**
 * When the view refreshes its token (POST /api/auth/refresh). Pure: the API client (api.ts) owns
 * the timers and passes the clock in.
 *
 * A token is refreshed shortly before it expires, and only if the tracer has done something (a
 * key, a click, a pointer) since it came: an unattended page lets its token run out and asks to
 * log in again, so a screen left open does not keep showing personal data. The server ends the
 * session anyway after its maximum (TRUYVET_SESSION_MAX_HOURS).
 */

/** How long before the expiry the view starts to refresh. */
export const REFRESH_LEAD_MS = 2 * 60_000;

/** After a refresh that failed without a 401 (no network, a 5xx), the next try waits this long. */
export const RETRY_MS = 15_000;

export interface TokenTimes {
  /** When the request that got the token was sent (epoch ms, this page's clock). */
  readonly since: number;
  /** `since` + the token's `expiresIn`: never later than the server's expiry, which counts from after. */
  readonly expiresAt: number;
}

export function tokenTimes(sentAt: number, expiresInSeconds: number): TokenTimes {
  return { since: sentAt, expiresAt: sentAt + expiresInSeconds * 1000 };
}

/** REFRESH_LEAD_MS before the expiry; for a token shorter than twice that, halfway through its life. */
export function refreshAt(t: TokenTimes, lead = REFRESH_LEAD_MS): number {
  return Math.max(t.since + (t.expiresAt - t.since) / 2, t.expiresAt - lead);
}

export interface RefreshState {
  readonly token: TokenTimes;
  /** The tracer's last key, click or pointer action (epoch ms). */
  readonly lastActivity?: number | undefined;
  /** The last refresh that was tried for this token and failed without a 401. */
  readonly lastFailure?: number | undefined;
  /** A refresh is on its way. */
  readonly inFlight?: boolean;
}

/**
 * At `now`: `expired` (the token has run out: ask to log in), `refresh` (due, and the tracer
 * has been active since the token came), or `wait` (not due yet, idle since the token came, a
 * refresh on its way, or a failed one too recent to try again).
 */
export function decide(s: RefreshState, now: number, lead = REFRESH_LEAD_MS): 'refresh' | 'wait' | 'expired' {
  if (now >= s.token.expiresAt) return 'expired';
  if (s.inFlight === true || now < refreshAt(s.token, lead)) return 'wait';
  if (!wasActive(s)) return 'wait';
  if (s.lastFailure !== undefined && now - s.lastFailure < RETRY_MS) return 'wait';
  return 'refresh';
}

/** Has the tracer done anything since the token came? (The login's own click came before it.) */
export function wasActive(s: Pick<RefreshState, 'token' | 'lastActivity'>): boolean {
  return s.lastActivity !== undefined && s.lastActivity > s.token.since;
}
