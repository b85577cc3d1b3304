import { getCredentials, isLocked, recordLoginFailure, recordLoginSuccess } from '../../engine/accounts/accounts';
import { dummyHash, verifyPassword } from '../../engine/accounts/passwords';
import type { Role } from '../../engine/accounts/roles';
import { openRefreshFamily, revokeRefreshFamily, rotateRefreshToken, type RotateOutcome } from '../../engine/accounts/refresh-tokens';
import { TruyvetError } from '../../engine/errors';
import type { Jurisdiction } from '../../engine/types';
import { issueToken } from '../auth';
import { handler } from '../context';
import { routes } from '../routes';
import { refreshedTokenSeconds } from '../session';

const REFUSED = 'the username or password is wrong, or the account is locked or disabled';

/**
 * Login. Every attempt is audited (ok or failed, with the reason), and every failure answers the
 * same 401 whatever the reason, after the same scrypt work, so the answer tells a guesser
 * nothing about which accounts exist or are locked. An unknown username is not written to the
 * audit (people type passwords into the username field); the event says `?`.
 */
export const token = handler(routes.token, async ({ body, app, audit }) => {
  const now = app.now();
  const cred = await getCredentials(body.username);
  const ok = await verifyPassword(body.password, cred?.passwordHash ?? (await dummyHash()));
  const fail = async (reason: string, extra: Record<string, string | number | boolean> = {}) => {
    await audit({ actor: cred ? cred.account.username : '?', role: cred?.account.role ?? '-', action: 'auth.login', outcome: 'failed', details: { reason, ...extra } });
    return new TruyvetError('unauthenticated', REFUSED);
  };
  if (!cred) throw await fail('unknown user');
  const { account } = cred;
  if (account.disabled) throw await fail('disabled');
  if (isLocked(account, now)) throw await fail('locked');
  if (!ok) {
    const lock = await recordLoginFailure(account.username, now, app.settings.lockout);
    throw await fail('wrong password', lock.lockedUntil !== undefined ? { lockedNow: true } : {});
  }
  await recordLoginSuccess(account.username);
  const authTime = Math.floor(now / 1000);
  const accessToken = await issueToken(account, app.settings.tokenSeconds, now);
  const expiresAt = (authTime + app.settings.sessionMaxSeconds) * 1000;
  const { token: refreshToken, family } = await openRefreshFamily({ username: account.username, tokenVersion: account.tokenVersion, authTime, expiresAt }, now);
  await audit({ actor: account.username, role: account.role, action: 'auth.login', outcome: 'ok', details: { session: family } });
  return { body: tokenBody(accessToken, app.settings.tokenSeconds, refreshToken, account) };
});

/** Why a refresh was refused: the answer (401) and the audit's reason and outcome. */
function refusal(r: Extract<RotateOutcome, { ok: false }>, sessionMaxSeconds: number): { detail: string; reason: string; outcome: 'failed' | 'denied' } {
  switch (r.reason) {
    case 'unknown':
      return { detail: 'the refresh token is not valid; log in again', reason: 'unknown refresh token', outcome: 'failed' };
    case 'expired':
      return { detail: `the session began more than ${Number((sessionMaxSeconds / 3600).toFixed(2))} h ago, its longest; log in again`, reason: 'session too old', outcome: 'failed' };
    case 'revoked':
      return { detail: 'this session has ended (logged out, or one of its refresh tokens was used twice); log in again', reason: 'session ended', outcome: 'failed' };
    case 'reused':
      return { detail: 'this refresh token was used before: every token of this login is revoked; log in again', reason: 'refresh token reused', outcome: 'denied' };
    case 'account':
      if (r.account === undefined) return { detail: 'the refresh token is not valid; log in again', reason: 'no account', outcome: 'failed' };
      if (r.account.disabled) return { detail: 'the account is disabled', reason: 'disabled', outcome: 'failed' };
      return { detail: 'the token is no longer valid; log in again', reason: 'stale token', outcome: 'failed' };
  }
}

/**
 * Trades a refresh token for a new access token and the next refresh token of the same session
 * (engine/accounts/refresh-tokens.ts): rotated, with reuse detection, in the graph so every worker
 * agrees. The new access token keeps the login time and never outlives the session's maximum
 * (api/session.ts). Audited like a login: ok with the session, or failed/denied with the reason;
 * a reuse names the session it revoked. A token of no session is refused without an event.
 */
export const refresh = handler(routes.refresh, async ({ body, app, audit }) => {
  const now = app.now();
  const r = await rotateRefreshToken(body.refreshToken, now, app.settings.sessionMaxSeconds * 1000);
  if (!r.ok) {
    const why = refusal(r, app.settings.sessionMaxSeconds);
    // A token of no session names no one: not audited (else anyone could fill the audit chain).
    if (r.reason !== 'unknown') await audit({
      actor: r.username ?? '?',
      role: r.account?.role ?? '-',
      action: 'auth.refresh',
      outcome: why.outcome,
      details: { reason: why.reason, ...(r.family ? { session: r.family } : {}), ...(r.revoked !== undefined ? { revoked: r.revoked } : {}) },
    });
    throw new TruyvetError('unauthenticated', why.detail);
  }
  const { authTime, tokenVersion } = r.session;
  // Defined: the rotation refused a session at its maximum.
  const seconds = refreshedTokenSeconds(authTime, now, app.settings.tokenSeconds, app.settings.sessionMaxSeconds) ?? 1;
  const accessToken = await issueToken({ username: r.account.username, tokenVersion }, seconds, now, authTime);
  await audit({
    actor: r.account.username,
    role: r.account.role,
    action: 'auth.refresh',
    outcome: 'ok',
    details: { sessionStart: new Date(authTime * 1000).toISOString(), session: r.family },
  });
  return { body: tokenBody(accessToken, seconds, r.token, r.account) };
});

/** Ends the session of a refresh token (its whole family). Answers 204 whatever the token was: a logout cannot fail. */
export const logout = handler(routes.logout, async ({ body, app, audit }) => {
  const ended = await revokeRefreshFamily(body.refreshToken, app.now());
  if (ended) await audit({ actor: ended.username, role: '-', action: 'auth.logout', outcome: 'ok', details: { session: ended.family } });
  return { status: 204, body: undefined };
});

function tokenBody(accessToken: string, expiresIn: number, refreshToken: string, who: { username: string; role: Role; jurisdiction?: Jurisdiction | undefined }) {
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn,
    refreshToken,
    username: who.username,
    role: who.role,
    ...(who.jurisdiction ? { jurisdiction: who.jurisdiction } : {}),
  };
}

export const me = handler(routes.me, async ({ principal }) => Promise.resolve({ body: principal }));
