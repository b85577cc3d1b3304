import {
  accountRow,
  accountRows,
  accountRowsPage,
  clearLoginFailures,
  countLoginFailure,
  credentialsRow,
  insertAccount,
  writeAccount,
  writeExternalDisabled,
  type AccountRow,
} from '../db/accounts';
import { conflict, invalidInput, isTruyvetError, notFound } from '../errors';
import type { Jurisdiction } from '../types';
import { hashPassword, passwordProblem } from './passwords';
import { isRole, jurisdictionProblem, needsJurisdiction, type Role } from './roles';

/**
 * Accounts live in the graph as `(:Account {username, passwordHash, role, province, district,
 * commune, disabled, tokenVersion, failedLogins, lockedUntil, createdAt, updatedAt})`, apart from
 * the movement data (engine/db/accounts.ts). Authorization reads the account on every request (one index lookup), so a
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

/** A stored account, its role checked. */
export function toAccount(row: AccountRow): Account {
  const role = row.role;
  if (!isRole(role)) throw new Error('an account with an unknown role is stored');
  return { ...row, role };
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

/**
 * Creates a local account; a name taken by another account whatever its case is a conflict. The
 * lower-cased name (`usernameKey`) has a uniqueness constraint (engine/db/schema.ts), so two
 * creations racing each other cannot both win: the database refuses the second.
 */
export async function createAccount(a: NewAccount, now: number): Promise<Account> {
  checkNew(a);
  const passwordHash = await hashPassword(a.password);
  let row: AccountRow | undefined;
  try {
    row = await insertAccount({ username: a.username, passwordHash, role: a.role, jurisdiction: a.jurisdiction }, now);
  } catch (e) {
    if (isTruyvetError(e) && e.code === 'conflict') row = undefined;
    else throw e;
  }
  const created = row && toAccount(row);
  if (!created) {
    const existing = (await getCredentials(a.username))?.account.username ?? a.username;
    throw conflict(`an account named '${existing}' already exists (usernames are unique whatever their case)`);
  }
  return created;
}

export async function getAccount(username: string): Promise<Account | undefined> {
  const row = await accountRow(username);
  return row && toAccount(row);
}

/** Several accounts in one read (the API batches the per-request lookups of concurrent requests). */
export async function getAccounts(usernames: readonly string[]): Promise<Map<string, Account>> {
  const rows = await accountRows(usernames);
  return new Map(rows.map((r) => [r.username, toAccount(r)]));
}

/**
 * The account with its password hash, for the login check only. The name is matched whatever its
 * case (checkpoint phones capitalise the first letter of a field): the account of exactly that
 * name, else the one whose lower-cased name it is. The answer carries the stored name, which the
 * token and the audit then use.
 */
export async function getCredentials(username: string): Promise<{ account: Account; passwordHash: string } | undefined> {
  const row = await credentialsRow(username);
  return row && { account: toAccount(row.account), passwordHash: row.passwordHash };
}

export async function listAccounts(q: { prefix?: string; skip?: number; limit?: number } = {}): Promise<Account[]> {
  return (await accountRowsPage({ prefix: q.prefix, skip: q.skip ?? 0, limit: q.limit ?? 1000 })).map(toAccount);
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
  const row = await writeAccount(username, { role, jurisdiction, disabled, passwordHash, bump }, now);
  const after = row && toAccount(row);
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
  const until = await countLoginFailure(username, now, policy.maxFailures, policy.lockMs);
  return until !== undefined && until !== null && until > now ? { lockedUntil: until } : {};
}

export async function recordLoginSuccess(username: string): Promise<void> {
  await clearLoginFailures(username);
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
  const row = await writeExternalDisabled(username, disabled, now);
  if (!row) throw notFound(`no account named '${username}'`);
  return { before: toAccount(row.before), after: toAccount(row.after) };
}
