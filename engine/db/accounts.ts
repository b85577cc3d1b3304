import type { Jurisdiction } from '../types';
import { int, num, numOrNull, str } from './convert';
import { readQuery, writeQuery } from './driver';

/**
 * Accounts in the graph: `(:Account {username, usernameKey, passwordHash, role, province,
 * district, commune, disabled, tokenVersion, failedLogins, lockedUntil, createdAt, updatedAt})`,
 * apart from the movement data. engine/accounts/accounts.ts holds the rules (who may have which
 * role, password strength, lockout); these are its reads and writes.
 */

/** An account as stored; engine/accounts checks its role. */
export interface AccountRow {
  readonly username: string;
  readonly role: string;
  readonly disabled: boolean;
  readonly tokenVersion: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Undefined: the whole country. */
  readonly jurisdiction?: Jurisdiction;
  /** Epoch ms; set while a lockout runs. */
  readonly lockedUntil?: number;
}

/** The account properties every read returns (for `a`), and how a row of them becomes an AccountRow. */
export const FIELDS = `a {.username, .role, .province, .district, .commune, .disabled, .tokenVersion, .lockedUntil, .createdAt, .updatedAt}`;

export function toAccountRow(v: unknown): AccountRow {
  const a = v as Record<string, unknown>;
  const province = a['province'];
  const lockedUntil = numOrNull(a['lockedUntil']);
  const out: { -readonly [K in keyof AccountRow]: AccountRow[K] } = {
    username: str(a['username']),
    role: str(a['role']),
    disabled: a['disabled'] === true,
    tokenVersion: num(a['tokenVersion'] ?? 0),
    createdAt: num(a['createdAt']),
    updatedAt: num(a['updatedAt']),
  };
  if (typeof province === 'string') {
    const j: { province: string; district?: string; commune?: string } = { province };
    if (typeof a['district'] === 'string') j.district = a['district'];
    if (typeof a['commune'] === 'string') j.commune = a['commune'];
    out.jurisdiction = j;
  }
  if (lockedUntil !== null) out.lockedUntil = lockedUntil;
  return out;
}

function jurisdictionParams(j: Jurisdiction | undefined | null): Record<string, string | null> {
  return { province: j?.province ?? null, district: j?.district ?? null, commune: j?.commune ?? null };
}

/**
 * Creates a local account unless one of that name exists whatever its case (undefined then). The
 * lower-cased name (`usernameKey`) has a uniqueness constraint (engine/db/schema.ts), so of two
 * creations racing each other the database refuses the second: a `conflict` error.
 */
export async function insertAccount(a: { username: string; passwordHash: string; role: string; jurisdiction: Jurisdiction | undefined }, now: number): Promise<AccountRow | undefined> {
  const rows = await writeQuery(
    `OPTIONAL MATCH (same:Account {username: $username})
     OPTIONAL MATCH (like:Account {usernameKey: toLower($username)})
     WITH coalesce(same, like) AS old WHERE old IS NULL
     CREATE (a:Account {username: $username, usernameKey: toLower($username), passwordHash: $passwordHash, role: $role,
       province: $province, district: $district, commune: $commune, disabled: false,
       tokenVersion: 0, failedLogins: 0, createdAt: $now, updatedAt: $now})
     RETURN ${FIELDS} AS a`,
    { username: a.username, passwordHash: a.passwordHash, role: a.role, ...jurisdictionParams(a.jurisdiction), now: int(now) },
    (r) => toAccountRow(r['a']),
  );
  return rows[0];
}

export async function accountRow(username: string): Promise<AccountRow | undefined> {
  const rows = await readQuery(`MATCH (a:Account {username: $username}) RETURN ${FIELDS} AS a`, { username }, (r) => toAccountRow(r['a']));
  return rows[0];
}

/** Several accounts in one read (absent names are left out). */
export async function accountRows(usernames: readonly string[]): Promise<AccountRow[]> {
  if (usernames.length === 0) return [];
  return readQuery(`UNWIND $usernames AS u MATCH (a:Account {username: u}) RETURN ${FIELDS} AS a`, { usernames: [...new Set(usernames)] }, (r) => toAccountRow(r['a']));
}

/**
 * The account with its password hash: the account of exactly that name, else the one whose
 * lower-cased name it is.
 */
export async function credentialsRow(username: string): Promise<{ account: AccountRow; passwordHash: string } | undefined> {
  const rows = await readQuery(
    `OPTIONAL MATCH (same:Account {username: $username})
     OPTIONAL MATCH (like:Account {usernameKey: toLower($username)})
     WITH coalesce(same, like) AS a WHERE a IS NOT NULL
     RETURN ${FIELDS} AS a, a.passwordHash AS hash`,
    { username },
    (r) => ({ account: toAccountRow(r['a']), passwordHash: str(r['hash']) }),
  );
  return rows[0];
}

export async function accountRowsPage(q: { prefix: string | undefined; skip: number; limit: number }): Promise<AccountRow[]> {
  return readQuery(
    `MATCH (a:Account) WHERE $prefix IS NULL OR a.username STARTS WITH $prefix
     RETURN ${FIELDS} AS a ORDER BY a.username SKIP $skip LIMIT $limit`,
    { prefix: q.prefix ?? null, skip: int(q.skip), limit: int(q.limit) },
    (r) => toAccountRow(r['a']),
  );
}

/**
 * Sets role, jurisdiction and disabled; a new password hash (null: unchanged) also clears the
 * failed logins and the lockout. `bump` raises the token version, so earlier tokens stop working.
 */
export async function writeAccount(
  username: string,
  c: { role: string; jurisdiction: Jurisdiction | undefined | null; disabled: boolean; passwordHash: string | null; bump: boolean },
  now: number,
): Promise<AccountRow | undefined> {
  const rows = await writeQuery(
    `MATCH (a:Account {username: $username})
     SET a.role = $role, a.province = $province, a.district = $district, a.commune = $commune,
         a.disabled = $disabled, a.updatedAt = $now,
         a.tokenVersion = coalesce(a.tokenVersion, 0) + $bump,
         a.passwordHash = coalesce($passwordHash, a.passwordHash),
         a.failedLogins = CASE WHEN $passwordHash IS NULL THEN a.failedLogins ELSE 0 END,
         a.lockedUntil = CASE WHEN $passwordHash IS NULL THEN a.lockedUntil ELSE null END
     RETURN ${FIELDS} AS a`,
    { username, role: c.role, ...jurisdictionParams(c.jurisdiction), disabled: c.disabled, now: int(now), bump: int(c.bump ? 1 : 0), passwordHash: c.passwordHash },
    (r) => toAccountRow(r['a']),
  );
  return rows[0];
}

/**
 * Counts a failed login; the count and the lock are one atomic update (parallel guesses cannot
 * slip past the limit). `maxFailures` in a row lock the account until now + lockMs and start the
 * count again; attempts during a lockout neither count nor extend it. Returns lockedUntil.
 */
export async function countLoginFailure(username: string, now: number, maxFailures: number, lockMs: number): Promise<number | null | undefined> {
  const rows = await writeQuery(
    `MATCH (a:Account {username: $username})
     WITH a, coalesce(a.lockedUntil, 0) > $now AS locked
     WITH a, locked, CASE WHEN locked THEN coalesce(a.failedLogins, 0) ELSE coalesce(a.failedLogins, 0) + 1 END AS n
     SET a.failedLogins = CASE WHEN n >= $max THEN 0 ELSE n END,
         a.lockedUntil = CASE WHEN locked THEN a.lockedUntil WHEN n >= $max THEN $now + $lockMs ELSE a.lockedUntil END
     RETURN a.lockedUntil AS lockedUntil`,
    { username, now: int(now), max: int(maxFailures), lockMs: int(lockMs) },
    (r) => numOrNull(r['lockedUntil']),
  );
  return rows[0];
}

export async function clearLoginFailures(username: string): Promise<void> {
  await writeQuery(
    `MATCH (a:Account {username: $username}) SET a.failedLogins = 0, a.lockedUntil = null RETURN a.username AS u`,
    { username },
    () => undefined,
  );
}

/**
 * Sets `disabled` on the password-less marker account of an external user (`oidc:<sub>`),
 * creating it with a placeholder role; returns the account before and after.
 */
export async function writeExternalDisabled(username: string, disabled: boolean, now: number): Promise<{ before: AccountRow; after: AccountRow } | undefined> {
  const rows = await writeQuery(
    `MERGE (a:Account {username: $username})
       ON CREATE SET a.role = 'auditor', a.passwordHash = '', a.external = true, a.tokenVersion = 0, a.failedLogins = 0, a.createdAt = $now, a.disabled = false
     WITH a, a {.username, .role, .province, .district, .commune, .disabled, .tokenVersion, .lockedUntil, .createdAt, updatedAt: coalesce(a.updatedAt, $now)} AS before
     SET a.disabled = $disabled, a.updatedAt = $now
     RETURN before, ${FIELDS} AS a`,
    { username, disabled, now: int(now) },
    (r) => ({ before: toAccountRow(r['before']), after: toAccountRow(r['a']) }),
  );
  return rows[0];
}
