import { createHash, randomBytes } from 'node:crypto';
import type { ManagedTransaction } from 'neo4j-driver';
import { int, num, numOrNull, str } from '../db/convert';
import { writeTx } from '../db/driver';
import { FIELDS, toAccount, type Account } from './accounts';

/**
 * Refresh tokens, rotated with reuse detection. A login opens a session (a *family*) and gets an
 * opaque random token; trading it in (POST /api/auth/refresh) spends it and gives the next one of
 * the same family. A spent token presented again means two parties hold the family, the user and
 * whoever copied a token: the whole family is revoked, so the next refresh of either fails and the
 * user logs in again. State lives in the graph, so every worker of `serve --workers N` sees it:
 *
 *   (:RefreshToken {hash, family, username, tokenVersion, authTime, expiresAt, createdAt,
 *                   spentAt?, revokedAt?, revokedFor?})
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
  await writeTx((tx) => createToken(tx, hashRefreshToken(token), family, s, now));
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
    await writeTx((tx) => tx.run('MATCH (x:RefreshToken) WHERE x.expiresAt <= $now WITH x LIMIT $sweep DELETE x', { now: int(now), sweep: int(SWEEP) }));
  } catch {
    // Left for the next login.
  }
}

async function createToken(tx: ManagedTransaction, hash: string, family: string, s: RefreshSession, now: number): Promise<void> {
  await tx.run(
    `CREATE (:RefreshToken {hash: $hash, family: $family, username: $username, tokenVersion: $tokenVersion,
       authTime: $authTime, expiresAt: $expiresAt, createdAt: $now})`,
    { hash, family, username: s.username, tokenVersion: int(s.tokenVersion), authTime: int(s.authTime), expiresAt: int(s.expiresAt), now: int(now) },
  );
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
 * Trades a refresh token for the next of its family, in one transaction: the token is locked
 * (written) before it is read, so of two requests with the same token one spends it and the
 * other finds it spent. The account is read in the same transaction: the answer carries the role
 * and jurisdiction in force now.
 */
export async function rotateRefreshToken(presented: string, now: number, sessionMaxMs: number): Promise<RotateOutcome> {
  const next = PREFIX + randomBytes(32).toString('base64url');
  return writeTx(async (tx): Promise<RotateOutcome> => {
    const rows = (
      await tx.run(
        `MATCH (t:RefreshToken {hash: $hash})
         SET t.lastSeenAt = $now
         WITH t
         OPTIONAL MATCH (a:Account {username: t.username})
         RETURN t {.family, .username, .tokenVersion, .authTime, .expiresAt, .spentAt, .revokedAt} AS t,
                CASE WHEN a IS NULL THEN null ELSE ${FIELDS} END AS a`,
        { hash: hashRefreshToken(presented), now: int(now) },
      )
    ).records;
    const row = rows[0];
    if (row === undefined) return { ok: false, reason: 'unknown' };
    const t = row.get('t') as Record<string, unknown>;
    const family = str(t['family']);
    const username = str(t['username']);
    const a = row.get('a') as unknown;
    const account = a === null ? undefined : toAccount(a);
    const who = { family, username, ...(account ? { account } : {}) };
    const revoke = async (why: RefreshRefusal): Promise<number> => {
      const r = await tx.run(
        'MATCH (x:RefreshToken {family: $family}) WHERE x.revokedAt IS NULL SET x.revokedAt = $now, x.revokedFor = $why RETURN count(x) AS n',
        { family, now: int(now), why },
      );
      return num(r.records[0]?.get('n') ?? 0);
    };
    if (t['revokedAt'] !== null && t['revokedAt'] !== undefined) return { ok: false, reason: 'revoked', ...who };
    if (numOrNull(t['spentAt']) !== null) return { ok: false, reason: 'reused', ...who, revoked: await revoke('reused') };
    const session: RefreshSession = { username, tokenVersion: num(t['tokenVersion']), authTime: num(t['authTime']), expiresAt: num(t['expiresAt']) };
    // The session's maximum as set now counts too (a server restarted with a shorter one).
    if (Math.min(session.expiresAt, session.authTime * 1000 + sessionMaxMs) <= now) return { ok: false, reason: 'expired', ...who };
    if (account === undefined || account.disabled || account.tokenVersion !== session.tokenVersion) {
      return { ok: false, reason: 'account', ...who, revoked: await revoke('account') };
    }
    await tx.run('MATCH (t:RefreshToken {hash: $hash}) SET t.spentAt = $now', { hash: hashRefreshToken(presented), now: int(now) });
    await createToken(tx, hashRefreshToken(next), family, session, now);
    return { ok: true, token: next, family, session, account };
  });
}

/** Ends the session of a refresh token (logout): its family is revoked. Returns the family's owner, if the token was known. */
export async function revokeRefreshFamily(presented: string, now: number): Promise<{ username: string; family: string } | undefined> {
  return writeTx(async (tx) => {
    const r = await tx.run(
      `MATCH (t:RefreshToken {hash: $hash})
       WITH t.family AS family, t.username AS username
       MATCH (x:RefreshToken {family: family}) WHERE x.revokedAt IS NULL
       SET x.revokedAt = $now, x.revokedFor = 'logout'
       RETURN DISTINCT family, username`,
      { hash: hashRefreshToken(presented), now: int(now) },
    );
    const row = r.records[0];
    return row === undefined ? undefined : { username: str(row.get('username')), family: str(row.get('family')) };
  });
}
