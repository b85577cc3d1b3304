import { getCredentials, isLocked, recordLoginFailure, recordLoginSuccess } from '../../engine/accounts/accounts';
import { dummyHash, verifyPassword } from '../../engine/accounts/passwords';
import { TruyvetError } from '../../engine/errors';
import { issueToken } from '../auth';
import { handler } from '../context';
import { routes } from '../routes';

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
    await audit({ actor: cred ? body.username : '?', role: cred?.account.role ?? '-', action: 'auth.login', outcome: 'failed', details: { reason, ...extra } });
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
  return {
    body: {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: app.settings.tokenSeconds,
      username: account.username,
      role: account.role,
      ...(account.jurisdiction ? { jurisdiction: account.jurisdiction } : {}),
    },
  };
});

export const me = handler(routes.me, async ({ principal }) => Promise.resolve({ body: principal }));
