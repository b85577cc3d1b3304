import type { ManagedTransaction } from 'neo4j-driver';
import { FIELDS, toAccountRow, type AccountRow } from './accounts';
import { int, num, numOrNull, str } from './convert';
import { writeTx } from './driver';

/**
 * Refresh tokens in the graph (engine/accounts/refresh-tokens.ts holds the rotation's rules):
 *
 *   (:RefreshToken {hash, family, username, tokenVersion, authTime, expiresAt, createdAt,
 *                   lastSeenAt?, spentAt?, revokedAt?, revokedFor?})
 */

/** What a token's family carries on: who, which token version, since when, until when. */
export interface RefreshSessionRow {
  readonly username: string;
  readonly tokenVersion: number;
  /** Epoch seconds. */
  readonly authTime: number;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export interface StoredRefreshToken extends RefreshSessionRow {
  readonly family: string;
  readonly spent: boolean;
  readonly revoked: boolean;
}

async function createToken(tx: ManagedTransaction, hash: string, family: string, s: RefreshSessionRow, now: number): Promise<void> {
  await tx.run(
    `CREATE (:RefreshToken {hash: $hash, family: $family, username: $username, tokenVersion: $tokenVersion,
       authTime: $authTime, expiresAt: $expiresAt, createdAt: $now})`,
    { hash, family, username: s.username, tokenVersion: int(s.tokenVersion), authTime: int(s.authTime), expiresAt: int(s.expiresAt), now: int(now) },
  );
}

/** Stores the first token of a new family. */
export async function insertRefreshToken(hash: string, family: string, s: RefreshSessionRow, now: number): Promise<void> {
  await writeTx((tx) => createToken(tx, hash, family, s, now));
}

/** Deletes up to `limit` tokens whose session ended by `now`. */
export async function deleteExpiredRefreshTokens(now: number, limit: number): Promise<void> {
  await writeTx((tx) => tx.run('MATCH (x:RefreshToken) WHERE x.expiresAt <= $now WITH x LIMIT $sweep DELETE x', { now: int(now), sweep: int(limit) }));
}

/** What a trade does once the token and its account are read. */
export type TradeStep =
  /** Nothing more is written. */
  | { readonly action: 'none' }
  /** Every live token of the family is revoked, for this reason. */
  | { readonly action: 'revoke'; readonly why: string }
  /** The token is spent and the next of its family stored. */
  | { readonly action: 'rotate'; readonly nextHash: string };

/**
 * Trades a refresh token, in one transaction: the token is locked (written) before it is read, so
 * of two requests with the same token one spends it and the other finds it spent; its account is
 * read in the same transaction. `decide` (pure: a retried transaction calls it again) says what
 * to write; the answer is its decision and how many tokens a revocation revoked.
 */
export async function tradeRefreshToken<D extends TradeStep>(
  hash: string,
  now: number,
  decide: (token: StoredRefreshToken | undefined, account: AccountRow | undefined) => D,
): Promise<{ decision: D; revoked: number }> {
  return writeTx(async (tx) => {
    const row = (
      await tx.run(
        `MATCH (t:RefreshToken {hash: $hash})
         SET t.lastSeenAt = $now
         WITH t
         OPTIONAL MATCH (a:Account {username: t.username})
         RETURN t {.family, .username, .tokenVersion, .authTime, .expiresAt, .spentAt, .revokedAt} AS t,
                CASE WHEN a IS NULL THEN null ELSE ${FIELDS} END AS a`,
        { hash, now: int(now) },
      )
    ).records[0];
    let token: StoredRefreshToken | undefined;
    let account: AccountRow | undefined;
    if (row !== undefined) {
      const t = row.get('t') as Record<string, unknown>;
      token = {
        family: str(t['family']),
        username: str(t['username']),
        tokenVersion: num(t['tokenVersion']),
        authTime: num(t['authTime']),
        expiresAt: num(t['expiresAt']),
        spent: numOrNull(t['spentAt']) !== null,
        revoked: t['revokedAt'] !== null && t['revokedAt'] !== undefined,
      };
      const a = row.get('a') as unknown;
      account = a === null ? undefined : toAccountRow(a);
    }
    const decision = decide(token, account);
    let revoked = 0;
    if (token !== undefined && decision.action === 'revoke') {
      const r = await tx.run(
        'MATCH (x:RefreshToken {family: $family}) WHERE x.revokedAt IS NULL SET x.revokedAt = $now, x.revokedFor = $why RETURN count(x) AS n',
        { family: token.family, now: int(now), why: decision.why },
      );
      revoked = num(r.records[0]?.get('n') ?? 0);
    } else if (token !== undefined && decision.action === 'rotate') {
      await tx.run('MATCH (t:RefreshToken {hash: $hash}) SET t.spentAt = $now', { hash, now: int(now) });
      await createToken(tx, decision.nextHash, token.family, token, now);
    }
    return { decision, revoked };
  });
}

/** Revokes the family of this token (logout); returns the family and its owner, if the token was known. */
export async function revokeRefreshTokenFamily(hash: string, now: number): Promise<{ username: string; family: string } | undefined> {
  return writeTx(async (tx) => {
    const r = await tx.run(
      `MATCH (t:RefreshToken {hash: $hash})
       WITH t.family AS family, t.username AS username
       MATCH (x:RefreshToken {family: family}) WHERE x.revokedAt IS NULL
       SET x.revokedAt = $now, x.revokedFor = 'logout'
       RETURN DISTINCT family, username`,
      { hash, now: int(now) },
    );
    const row = r.records[0];
    return row === undefined ? undefined : { username: str(row.get('username')), family: str(row.get('family')) };
  });
}
