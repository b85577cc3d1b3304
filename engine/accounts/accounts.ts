import { conflict, invalidInput, isTruyvetError, notFound } from '../errors';
import type { Jurisdiction } from '../types';
import { int, num, numOrNull, str } from '../db/convert';
import { readQuery, writeQuery } from '../db/driver';
import { hashPassword, passwordProblem } from './passwords';
import { isRole, jurisdictionProblem, needsJurisdiction, type Role } from './roles';

/**
 * Accounts live in the graph as `(:Account {username, passwordHash, role, province, district,
 * commune, disabled, tokenVersion, failedLogins, lockedUntil, createdAt, updatedAt})`, apart from
 * the movement data. Authorization reads the account on every request (one index lookup), so a
 * disabled account or a changed role counts from the very next request, whatever tokens exist.
 * `tokenVersion` goes up when an account is disabled, enabled or gets a new password: tokens
 * issued before that stop working even after the account is enabled again.
 */

export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$/;

/** Users of an external identity provider appear as `oidc:<sub>` (api/auth.ts). */
export const EXTERNAL_PREFIX = 'oidc:';

export function isExternal(username: string): boolean {
  return username.startsWith(EXTERNAL_PREFIX) && username.length > EXTERNAL_PREFIX.length && username.length <= 200;
}

export interface Account {
  readonly username: string;
  readonly role: Role;
  /** Undefined: the whole country. */
  readonly jurisdiction?: Jurisdiction;
  readonly disabled: boolean;
  readonly tokenVersion: number;
  /** Epoch ms; set while a lockout runs. */
  readonly lockedUntil?: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewAccount {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly jurisdiction?: Jurisdiction | undefined;
}

export interface AccountChange {
  readonly role?: Role | undefined;
  /** null: the whole country. */
  readonly jurisdiction?: Jurisdiction | null | undefined;
  readonly disabled?: boolean | undefined;
  readonly password?: string | undefined;
}

/** The account properties every read returns (for `a`), and how a row of them becomes an Account. */
export const FIELDS = `a {.username, .role, .province, .district, .commune, .disabled, .tokenVersion, .lockedUntil, .createdAt, .updatedAt}`;

export function toAccount(v: unknown): Account {
  const a = v as Record<string, unknown>;
  const role = str(a['role']);
  if (!isRole(role)) throw new Error('an account with an unknown role is stored');
  const province = a['province'];
  const lockedUntil = numOrNull(a['lockedUntil']);
  const out: { -readonly [K in keyof Account]: Account[K] } = {
    username: str(a['username']),
    role,
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

function checkNew(a: NewAccount): void {
  if (!USERNAME_RE.test(a.username)) {
    throw invalidInput('the username is not valid', [{ field: 'username', reason: '3–64 letters, digits, . _ @ -, starting with a letter or digit' }]);
  }
  checkRoleScope(a.role, a.jurisdiction);
  const problem = passwordProblem(a.password);
  if (problem !== undefined) throw invalidInput('the password is too weak', [{ field: 'password', reason: problem }]);
}

function checkRoleScope(role: Role, j: Jurisdiction | undefined | null): void {
  if (!isRole(role)) throw invalidInput(`unknown role '${String(role)}'`, [{ field: 'role', reason: 'unknown role' }]);
  if (needsJurisdiction(role) && (j === undefined || j === null)) {
    throw invalidInput(`the ${role} role needs a jurisdiction`, [{ field: 'jurisdiction', reason: 'required for this role' }]);
  }
  const problem = j ? jurisdictionProblem(j) : undefined;
  if (problem !== undefined) throw invalidInput('the jurisdiction is not valid', [{ field: 'jurisdiction', reason: problem }]);
}

function jurisdictionParams(j: Jurisdiction | undefined | null): Record<string, string | null> {
  return { province: j?.province ?? null, district: j?.district ?? null, commune: j?.commune ?? null };
}

/**
 * Creates a local account; a name taken by another account whatever its case is a conflict. The
 * lower-cased name (`usernameKey`) has a uniqueness constraint (engine/db/schema.ts), so two
 * creations racing each other cannot both win: the database refuses the second.
 */
export async function createAccount(a: NewAccount, now: number): Promise<Account> {
  checkNew(a);
  const passwordHash = await hashPassword(a.password);
  let rows: Account[];
  try {
    rows = await writeQuery(
      `OPTIONAL MATCH (same:Account {username: $username})
       OPTIONAL MATCH (like:Account {usernameKey: toLower($username)})
       WITH coalesce(same, like) AS old WHERE old IS NULL
       CREATE (a:Account {username: $username, usernameKey: toLower($username), passwordHash: $passwordHash, role: $role,
         province: $province, district: $district, commune: $commune, disabled: false,
         tokenVersion: 0, failedLogins: 0, createdAt: $now, updatedAt: $now})
       RETURN ${FIELDS} AS a`,
      { username: a.username, passwordHash, role: a.role, ...jurisdictionParams(a.jurisdiction), now: int(now) },
      (r) => toAccount(r['a']),
    );
  } catch (e) {
    if (isTruyvetError(e) && e.code === 'conflict') rows = [];
    else throw e;
  }
  const created = rows[0];
  if (!created) {
    const existing = (await getCredentials(a.username))?.account.username ?? a.username;
    throw conflict(`an account named '${existing}' already exists (usernames are unique whatever their case)`);
  }
  return created;
}

export async function getAccount(username: string): Promise<Account | undefined> {
  const rows = await readQuery(`MATCH (a:Account {username: $username}) RETURN ${FIELDS} AS a`, { username }, (r) => toAccount(r['a']));
  return rows[0];
}

/** Several accounts in one read (the API batches the per-request lookups of concurrent requests). */
export async function getAccounts(usernames: readonly string[]): Promise<Map<string, Account>> {
  if (usernames.length === 0) return new Map();
  const rows = await readQuery(`UNWIND $usernames AS u MATCH (a:Account {username: u}) RETURN ${FIELDS} AS a`, { usernames: [...new Set(usernames)] }, (r) => toAccount(r['a']));
  return new Map(rows.map((a) => [a.username, a]));
}

/**
 * The account with its password hash, for the login check only. The name is matched whatever its
 * case (checkpoint phones capitalise the first letter of a field): the account of exactly that
 * name, else the one whose lower-cased name it is. The answer carries the stored name, which the
 * token and the audit then use.
 */
export async function getCredentials(username: string): Promise<{ account: Account; passwordHash: string } | undefined> {
  const rows = await readQuery(
    `OPTIONAL MATCH (same:Account {username: $username})
     OPTIONAL MATCH (like:Account {usernameKey: toLower($username)})
     WITH coalesce(same, like) AS a WHERE a IS NOT NULL
     RETURN ${FIELDS} AS a, a.passwordHash AS hash`,
    { username },
    (r) => ({ account: toAccount(r['a']), passwordHash: str(r['hash']) }),
  );
  return rows[0];
}

export async function listAccounts(q: { prefix?: string; skip?: number; limit?: number } = {}): Promise<Account[]> {
  return readQuery(
    `MATCH (a:Account) WHERE $prefix IS NULL OR a.username STARTS WITH $prefix
     RETURN ${FIELDS} AS a ORDER BY a.username SKIP $skip LIMIT $limit`,
    { prefix: q.prefix ?? null, skip: int(q.skip ?? 0), limit: int(q.limit ?? 1000) },
    (r) => toAccount(r['a']),
  );
}

/** Applies a change; returns the account before and after (the audit records both roles). */
export async function updateAccount(username: string, change: AccountChange, now: number): Promise<{ before: Account; after: Account }> {
  const before = await getAccount(username);
  const changed = Object.entries(change).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (!before && isExternal(username) && changed.length === 1 && change.disabled !== undefined) {
    return setExternalDisabled(username, change.disabled, now);
  }
  if (!before) throw notFound(`no account named '${username}'`);
  const role = change.role ?? before.role;
  const jurisdiction = change.jurisdiction === undefined ? before.jurisdiction : change.jurisdiction;
  checkRoleScope(role, jurisdiction);
  if (change.password !== undefined) {
    const problem = passwordProblem(change.password);
    if (problem !== undefined) throw invalidInput('the password is too weak', [{ field: 'password', reason: problem }]);
  }
  const passwordHash = change.password === undefined ? null : await hashPassword(change.password);
  const disabled = change.disabled ?? before.disabled;
  const bump = disabled !== before.disabled || passwordHash !== null;
  const rows = await writeQuery(
    `MATCH (a:Account {username: $username})
     SET a.role = $role, a.province = $province, a.district = $district, a.commune = $commune,
         a.disabled = $disabled, a.updatedAt = $now,
         a.tokenVersion = coalesce(a.tokenVersion, 0) + $bump,
         a.passwordHash = coalesce($passwordHash, a.passwordHash),
         a.failedLogins = CASE WHEN $passwordHash IS NULL THEN a.failedLogins ELSE 0 END,
         a.lockedUntil = CASE WHEN $passwordHash IS NULL THEN a.lockedUntil ELSE null END
     RETURN ${FIELDS} AS a`,
    { username, role, ...jurisdictionParams(jurisdiction), disabled, now: int(now), bump: int(bump ? 1 : 0), passwordHash },
    (r) => toAccount(r['a']),
  );
  const after = rows[0];
  if (!after) throw notFound(`no account named '${username}'`);
  return { before, after };
}

export interface LockoutPolicy {
  /** Failed attempts in a row that lock the account. */
  readonly maxFailures: number;
  /** How long a lockout lasts, in ms. */
  readonly lockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockMs: 15 * 60_000 };

/**
 * Counts a failed login. The count and the lock are one atomic update, so parallel guesses
 * cannot slip past the limit. Reaching the limit locks the account until `now + lockMs` and
 * starts the count again; attempts during a lockout do not extend it (else anyone could keep an
 * account locked for ever by guessing on schedule — which the rate limit makes slow anyway).
 */
export async function recordLoginFailure(username: string, now: number, policy: LockoutPolicy): Promise<{ lockedUntil?: number }> {
  const rows = await writeQuery(
    `MATCH (a:Account {username: $username})
     WITH a, coalesce(a.lockedUntil, 0) > $now AS locked
     WITH a, locked, CASE WHEN locked THEN coalesce(a.failedLogins, 0) ELSE coalesce(a.failedLogins, 0) + 1 END AS n
     SET a.failedLogins = CASE WHEN n >= $max THEN 0 ELSE n END,
         a.lockedUntil = CASE WHEN locked THEN a.lockedUntil WHEN n >= $max THEN $now + $lockMs ELSE a.lockedUntil END
     RETURN a.lockedUntil AS lockedUntil`,
    { username, now: int(now), max: int(policy.maxFailures), lockMs: int(policy.lockMs) },
    (r) => numOrNull(r['lockedUntil']),
  );
  const until = rows[0];
  return until !== undefined && until !== null && until > now ? { lockedUntil: until } : {};
}

export async function recordLoginSuccess(username: string): Promise<void> {
  await writeQuery(
    `MATCH (a:Account {username: $username}) SET a.failedLogins = 0, a.lockedUntil = null RETURN a.username AS u`,
    { username },
    () => undefined,
  );
}

export function isLocked(a: Account, now: number): boolean {
  return a.lockedUntil !== undefined && a.lockedUntil > now;
}

/**
 * The local switch for a user of the external identity provider: a password-less marker account
 * `oidc:<sub>` whose `disabled` flag the API checks on every request of that user, so an
 * external user can be cut off at once, without waiting for the provider's tokens to expire.
 * Its role is a placeholder: external users' roles come from their token's claims.
 */
export async function setExternalDisabled(username: string, disabled: boolean, now: number): Promise<{ before: Account; after: Account }> {
  if (!isExternal(username)) throw invalidInput(`'${username}' is not an external user (oidc:<sub>)`);
  const rows = await writeQuery(
    `MERGE (a:Account {username: $username})
       ON CREATE SET a.role = 'auditor', a.passwordHash = '', a.external = true, a.tokenVersion = 0, a.failedLogins = 0, a.createdAt = $now, a.disabled = false
     WITH a, a {.username, .role, .province, .district, .commune, .disabled, .tokenVersion, .lockedUntil, .createdAt, updatedAt: coalesce(a.updatedAt, $now)} AS before
     SET a.disabled = $disabled, a.updatedAt = $now
     RETURN before, ${FIELDS} AS a`,
    { username, disabled, now: int(now) },
    (r) => ({ before: toAccount(r['before']), after: toAccount(r['a']) }),
  );
  const out = rows[0];
  if (!out) throw notFound(`no account named '${username}'`);
  return out;
}
