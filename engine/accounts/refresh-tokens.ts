import { createHash, randomBytes } from 'node:crypto';
import { deleteExpiredRefreshTokens, insertRefreshToken, revokeRefreshTokenFamily, tradeRefreshToken, type TradeStep } from '../db/refresh-tokens';
import { toAccount, type Account } from './accounts';

/**
 * Refresh tokens, rotated with reuse detection. A login opens a session (a *family*) and gets an
 * opaque random token; trading it in (POST /api/auth/refresh) spends it and gives the next one of
 * the same family. A spent token presented again means two parties hold the family, the user and
 * whoever copied a token: the whole family is revoked, so the next refresh of either fails and the
 * user logs in again. State lives in the graph (engine/db/refresh-tokens.ts), so every worker of
 * `serve --workers N` sees it.
 *
 * Only the SHA-256 of a token is stored: 256 random bits, so the hash needs no key or salt and a
 * copy of the database does not yield usable tokens. A family ends with its session
 * (`expiresAt` = login + the session maximum), or when the account's token version changes (a new
 * password, a disable), which the rotation checks against the account in the same transaction.
 */

const PREFIX = 'rt_';
/** Expired tokens a login deletes on its way, so the graph holds about the live sessions only. */
const SWEEP = 1000;

export interface RefreshSession {
  readonly username: string;
  readonly tokenVersion: number;
  /** The login that opened the session, epoch seconds (the access tokens' `auth_time`). */
  readonly authTime: number;
  /** When the family ends, epoch ms: the session's maximum. */
  readonly expiresAt: number;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Opens a family for a login: its first token, and the family's id (for the audit). */
export async function openRefreshFamily(s: RefreshSession, now: number): Promise<{ token: string; family: string }> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const family = `rf${randomBytes(12).toString('hex')}`;
  await insertRefreshToken(hashRefreshToken(token), family, s, now);
  await sweepExpired(now);
  return { token, family };
}

/**
 * Deletes expired tokens, a bounded number per login, so the graph holds about the live sessions
 * only. Best effort, apart from the login's own transaction: two logins sweeping the same nodes
 * at once may collide, and the next login sweeps what is left.
 */
async function sweepExpired(now: number): Promise<void> {
  try {
    await deleteExpiredRefreshTokens(now, SWEEP);
  } catch {
    // Left for the next login.
  }
}

/** Why a refresh token was not traded. */
export type RefreshRefusal =
  /** Not a token this server issued (or one deleted long after its session ended). */
  | 'unknown'
  /** The session reached its maximum. */
  | 'expired'
  /** Its family was revoked before: a reuse, a logout. */
  | 'revoked'
  /** A spent token again: its family is revoked now. */
  | 'reused'
  /** The account is gone, disabled, or has a new token version (password changed): the family is revoked. */
  | 'account';

export type RotateOutcome =
  | { readonly ok: true; readonly token: string; readonly family: string; readonly session: RefreshSession; readonly account: Account }
  | {
      readonly ok: false;
      readonly reason: RefreshRefusal;
      readonly family?: string;
      readonly username?: string;
      /** The account as it is now, when it exists (for the audit's role). */
      readonly account?: Account;
      /** Tokens of the family revoked by this refusal. */
      readonly revoked?: number;
    };

/**
 * Trades a refresh token for the next of its family, in one transaction (engine/db/refresh-tokens.ts
 * locks the token before reading it, so of two requests with the same token one spends it and the
 * other finds it spent). The account is read in the same transaction: the answer carries the role
 * and jurisdiction in force now.
 */
export async function rotateRefreshToken(presented: string, now: number, sessionMaxMs: number): Promise<RotateOutcome> {
  const next = PREFIX + randomBytes(32).toString('base64url');
  const { decision, revoked } = await tradeRefreshToken(hashRefreshToken(presented), now, (t, row): TradeStep & { outcome: RotateOutcome } => {
    if (t === undefined) return { action: 'none', outcome: { ok: false, reason: 'unknown' } };
    const account = row === undefined ? undefined : toAccount(row);
    const who = { family: t.family, username: t.username, ...(account ? { account } : {}) };
    if (t.revoked) return { action: 'none', outcome: { ok: false, reason: 'revoked', ...who } };
    if (t.spent) return { action: 'revoke', why: 'reused', outcome: { ok: false, reason: 'reused', ...who } };
    const session: RefreshSession = { username: t.username, tokenVersion: t.tokenVersion, authTime: t.authTime, expiresAt: t.expiresAt };
    // The session's maximum as set now counts too (a server restarted with a shorter one).
    if (Math.min(session.expiresAt, session.authTime * 1000 + sessionMaxMs) <= now) return { action: 'none', outcome: { ok: false, reason: 'expired', ...who } };
    if (account === undefined || account.disabled || account.tokenVersion !== session.tokenVersion) {
      return { action: 'revoke', why: 'account', outcome: { ok: false, reason: 'account', ...who } };
    }
    return { action: 'rotate', nextHash: hashRefreshToken(next), outcome: { ok: true, token: next, family: t.family, session, account } };
  });
  return decision.action === 'revoke' && !decision.outcome.ok ? { ...decision.outcome, revoked } : decision.outcome;
}

/** Ends the session of a refresh token (logout): its family is revoked. Returns the family's owner, if the token was known. */
export async function revokeRefreshFamily(presented: string, now: number): Promise<{ username: string; family: string } | undefined> {
  return revokeRefreshTokenFamily(hashRefreshToken(presented), now);
}
