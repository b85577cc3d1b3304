import { getCredentials, isLocked, recordLoginFailure, recordLoginSuccess } from '../../engine/accounts/accounts';
import { dummyHash, verifyPassword } from '../../engine/accounts/passwords';
import type { Role } from '../../engine/accounts/roles';
import { forbidden, TruyvetError } from '../../engine/errors';
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
  const accessToken = await issueToken(account, app.settings.tokenSeconds, now);
  await audit({ actor: account.username, role: account.role, action: 'auth.login', outcome: 'ok' });
  return { body: tokenBody(accessToken, app.settings.tokenSeconds, account) };
});

/**
 * A new token for the caller's session (api/session.ts). The app has already checked the token
 * and read the account for this request (enabled, same token version), as for any route; what is
 * left is the session's age. Audited like a login: ok, or failed/denied with the reason.
 */
export const refresh = handler(routes.refresh, async ({ principal, app, audit }) => {
  const { authTime, tokenVersion } = principal;
  if (principal.via !== 'password' || authTime === undefined || tokenVersion === undefined) {
    await audit({ action: 'auth.refresh', outcome: 'denied', details: { reason: 'external token' } });
    throw forbidden('a token of the external identity provider cannot be refreshed here; get a new one from the provider');
  }
  const now = app.now();
  const seconds = refreshedTokenSeconds(authTime, now, app.settings.tokenSeconds, app.settings.sessionMaxSeconds);
  if (seconds === undefined) {
    await audit({ action: 'auth.refresh', outcome: 'failed', details: { reason: 'session too old' } });
    const hours = Number((app.settings.sessionMaxSeconds / 3600).toFixed(2));
    throw new TruyvetError('unauthenticated', `the session began more than ${hours} h ago, its longest; log in again`);
  }
  const accessToken = await issueToken({ username: principal.username, tokenVersion }, seconds, now, authTime);
  await audit({ action: 'auth.refresh', outcome: 'ok', details: { sessionStart: new Date(authTime * 1000).toISOString() } });
  return { body: tokenBody(accessToken, seconds, principal) };
});

function tokenBody(accessToken: string, expiresIn: number, who: { username: string; role: Role; jurisdiction?: Jurisdiction | undefined }) {
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn,
    username: who.username,
    role: who.role,
    ...(who.jurisdiction ? { jurisdiction: who.jurisdiction } : {}),
  };
}

export const me = handler(routes.me, async ({ principal }) => Promise.resolve({ body: principal }));
