import { randomBytes, webcrypto } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { getAccounts, type Account } from '../engine/accounts/accounts';
import { isRole, jurisdictionProblem, needsJurisdiction, parseJurisdiction, type Role } from '../engine/accounts/roles';
import { unitProblems } from '../engine/accounts/units';
import { TruyvetError } from '../engine/errors';
import { secretKey } from '../engine/secrets';
import type { Jurisdiction } from '../engine/types';
import type { OidcSettings } from './settings';

/**
 * Tokens. truyvet's own tokens are JWTs signed with HS256 and TRUYVET_JWT_SECRET (a symmetric
 * key: the only verifier is this server, so there is no public key to publish), 15 minutes by
 * default, carrying only the username (`sub`), the account's token version (`tv`) and the time of
 * the login that opened the session (`auth_time`, which a refresh copies: api/session.ts). The role
 * and jurisdiction are NOT taken from the token: every request reads the account (one index
 * lookup), so disabling an account or changing its role counts from the next request on.
 * Optionally, tokens of an external identity provider are accepted (JWKS URL, issuer, audience);
 * their role and jurisdiction come from claims, and a local account of the same name
 * (`oidc:<sub>`), when one exists, can switch such a user off at once.
 */

export const ISSUER = 'truyvet';
export const AUDIENCE = 'truyvet-api';

export interface Principal {
  readonly username: string;
  readonly role: Role;
  readonly jurisdiction?: Jurisdiction;
  readonly via: 'password' | 'oidc';
  /** A local token's account version (`tv`), which the account had when it was read. */
  readonly tokenVersion?: number;
  /** A local token's login time (epoch seconds, `auth_time`): when its session began. */
  readonly authTime?: number;
  /**
   * True when the account came from a recent read instead of one for this request (only for
   * routes whose work checks the account again in its own transaction: `accountCheck: 'in-query'`).
   */
  readonly fromRecentRead?: boolean;
}

/**
 * How a request's account is read: `fresh`, by a read made for this request (the rule); `recent`,
 * from the last read of that account if it allows the request, for work that checks the account
 * again inside its own transaction and refuses with AccountChanged if it changed since.
 */
export type AccountRead = 'fresh' | 'recent';

const refused = (why: string): TruyvetError => new TruyvetError('unauthenticated', why);

// jose turns raw key bytes into a WebCrypto key on every call (an import and a key object per
// request); importing once per key is a few percent of a scan's CPU. Keyed by the bytes
// secretKey() hands out, so a test that changes the secret gets a new key.
const hmacKeys = new WeakMap<Buffer, Promise<webcrypto.CryptoKey>>();
function jwtKey(raw: Buffer): Promise<webcrypto.CryptoKey> {
  let key = hmacKeys.get(raw);
  if (key === undefined) {
    key = webcrypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    hmacKeys.set(raw, key);
  }
  return key;
}

/** A local token for `seconds` from now; `authTime` (epoch seconds) is the login's, now for a login. */
export async function issueToken(account: Pick<Account, 'username' | 'tokenVersion'>, seconds: number, now: number, authTime?: number): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ tv: account.tokenVersion, auth_time: authTime ?? iat })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(account.username)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + seconds)
    .setJti(randomBytes(9).toString('base64url'))
    .sign(await jwtKey(secretKey('TRUYVET_JWT_SECRET')));
}

/** What a refused token says, for the audit (never the token itself). */
export interface RefusalNote {
  readonly username?: string;
  readonly reason: string;
}

/**
 * Every request reads its account, so a disabled account or a changed role counts from the very
 * next request. Under load that is a database round trip per request; this loader groups the
 * lookups of the requests that arrive in one turn of the event loop into one read. That read
 * starts after each of those requests arrived, so it sees every change committed before any of
 * them was sent: the promise still holds (no cache, nothing read ahead of time).
 */
export class AccountLoader {
  private pending = new Map<string, { resolve: (a: Account | undefined) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;

  load(username: string): Promise<Account | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(username);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(username, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    getAccounts([...batch.keys()]).then(
      (found) => {
        for (const [username, waiting] of batch) for (const w of waiting) w.resolve(found.get(username));
      },
      (e: unknown) => {
        for (const waiting of batch.values()) for (const w of waiting) w.reject(e);
      },
    );
  }
}

/**
 * The last account read per username (at most `max`, the oldest first out, none older than
 * `maxAgeMs`): only for AccountRead 'recent', whose work checks the account again in its own
 * transaction. A checkpoint's scans then need one transaction each batch instead of two (the
 * account read had been a transaction of its own: bench:scan at 10 connections went from
 * 491–537 to 630–678 scans/s without it, alternating).
 */
export class RecentAccounts {
  private readonly entries = new Map<string, { readonly account: Account; readonly at: number }>();

  constructor(
    private readonly max = 10_000,
    private readonly maxAgeMs = 60_000,
  ) {}

  get(username: string, now: number): Account | undefined {
    const e = this.entries.get(username);
    if (e === undefined) return undefined;
    if (now - e.at > this.maxAgeMs || now < e.at) {
      this.entries.delete(username);
      return undefined;
    }
    return e.account;
  }

  set(username: string, account: Account | undefined, now: number): void {
    this.entries.delete(username);
    if (account === undefined) return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(username, { account, at: now });
  }
}

/**
 * Local tokens whose signature and claims were checked, by their exact text. A checkpoint device
 * sends hundreds of scans with one token, and checking HS256 through WebCrypto cost ~50 µs of a
 * request's ~700 (bench:scan). The same bytes verify the same way under the same key, so a hit
 * skips only that check: expiry is compared with the clock on every use, and the account is still
 * checked on every request (disabled, role, token version: read for the request, or for scans in
 * the scan's own transaction, see RecentAccounts). Entries are tied to the key they were
 * checked with, and the oldest go first past `max`.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { readonly key: Buffer; readonly payload: JWTPayload; readonly expMs: number }>();

  constructor(private readonly max = 10_000) {}

  get(token: string, key: Buffer, now: number): JWTPayload | undefined {
    const e = this.entries.get(token);
    if (e === undefined) return undefined;
    // jose's rule: valid while exp (seconds) > the current second, i.e. now < exp·1000.
    if (e.key !== key || now >= e.expMs) {
      this.entries.delete(token);
      return undefined;
    }
    return e.payload;
  }

  set(token: string, key: Buffer, payload: JWTPayload): void {
    if (typeof payload.exp !== 'number') return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { key, payload, expMs: payload.exp * 1000 });
  }

  get size(): number {
    return this.entries.size;
  }
}

export class TokenVerifier {
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly accounts = new AccountLoader();
  private readonly verified = new VerifiedTokens();
  private readonly recent = new RecentAccounts();

  constructor(
    private readonly oidc: OidcSettings | undefined,
    private readonly now: () => number,
    /** A provider's jurisdiction claim must name real administrative units (engine/accounts/units.ts). */
    private readonly checkUnits = true,
  ) {
    this.jwks = oidc ? createRemoteJWKSet(new URL(oidc.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5000 }) : undefined;
  }

  /**
   * The principal behind an Authorization header, or a TruyvetError('unauthenticated'). The
   * `note` callback hears why a token of a known account was refused, for the audit.
   */
  async principal(header: string | undefined, note: (n: RefusalNote) => void = () => undefined, read: AccountRead = 'fresh'): Promise<Principal> {
    const m = /^Bearer ([A-Za-z0-9_\-.]{10,8192})$/.exec(header ?? '');
    if (!m) throw refused(header === undefined ? 'a bearer token is required' : 'the Authorization header is not a bearer token');
    const token = m[1] as string;
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw refused('the token is not valid');
    }
    if (this.oidc && this.jwks && iss === this.oidc.issuer) return this.external(token, this.oidc, this.jwks, note);
    // The local key only now: a server that takes only the provider's tokens may have none.
    const key = secretKey('TRUYVET_JWT_SECRET');
    const known = this.verified.get(token, key, this.now());
    if (known !== undefined) return this.localAccount(known, note, read);
    return this.local(token, key, note, read);
  }

  private async local(token: string, key: Buffer, note: (n: RefusalNote) => void, read: AccountRead): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await jwtKey(key), {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch {
      throw refused('the token is not valid or has expired');
    }
    this.verified.set(token, key, payload);
    return this.localAccount(payload, note, read);
  }

  /**
   * The account behind a checked local token, read now; or, for `recent`, as last read if it
   * allows the token (enabled, same version). Anything else is decided on a read made now.
   */
  private async localAccount(payload: JWTPayload, note: (n: RefusalNote) => void, read: AccountRead): Promise<Principal> {
    const username = payload.sub as string;
    if (read === 'recent') {
      const last = this.recent.get(username, this.now());
      if (last !== undefined && !last.disabled && payload['tv'] === last.tokenVersion) return { ...principalOf(last, payload), fromRecentRead: true };
    }
    const account = await this.accounts.load(username);
    this.recent.set(username, account, this.now());
    if (!account) throw refused('the token is not valid or has expired');
    if (account.disabled) {
      note({ username, reason: 'disabled' });
      throw refused('the account is disabled');
    }
    if (payload['tv'] !== account.tokenVersion) {
      note({ username, reason: 'stale token' });
      throw refused('the token is no longer valid; log in again');
    }
    return principalOf(account, payload);
  }

  private async external(token: string, oidc: OidcSettings, jwks: JWTVerifyGetKey, note: (n: RefusalNote) => void): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (e) {
      // A JWKS that cannot be fetched is the provider's outage, not a bad token.
      if ((e as { code?: string }).code === 'ERR_JWKS_TIMEOUT' || /fetch|ECONNREFUSED/i.test(String((e as Error).message))) {
        throw new TruyvetError('unavailable', 'the identity provider does not answer');
      }
      throw refused('the token is not valid or has expired');
    }
    const username = `oidc:${payload.sub as string}`;
    const role = payload[oidc.roleClaim];
    if (typeof role !== 'string' || !isRole(role)) throw refused(`the token has no valid '${oidc.roleClaim}' claim`);
    const jurisdiction = claimJurisdiction(payload[oidc.jurisdictionClaim]);
    if (jurisdiction === null) throw refused(`the token's '${oidc.jurisdictionClaim}' claim is not a jurisdiction`);
    const unit = jurisdiction && this.checkUnits ? unitProblems(jurisdiction)[0] : undefined;
    if (unit !== undefined) throw refused(`the token's '${oidc.jurisdictionClaim}' claim names no administrative unit: ${unit.reason}`);
    if (needsJurisdiction(role) && jurisdiction === undefined) throw refused(`the ${role} role needs a '${oidc.jurisdictionClaim}' claim`);
    const local = await this.accounts.load(username);
    if (local?.disabled) {
      note({ username, reason: 'disabled' });
      throw refused('the account is disabled');
    }
    return { username, role, ...(jurisdiction ? { jurisdiction } : {}), via: 'oidc' };
  }
}

function principalOf(account: Account, payload: JWTPayload): Principal {
  // Tokens issued before `auth_time` existed came straight from a login: their iat is its time.
  const authTime = typeof payload['auth_time'] === 'number' ? payload['auth_time'] : payload.iat;
  return {
    username: account.username,
    role: account.role,
    ...(account.jurisdiction ? { jurisdiction: account.jurisdiction } : {}),
    via: 'password',
    tokenVersion: account.tokenVersion,
    ...(authTime !== undefined ? { authTime } : {}),
  };
}

/** `{province, district?, commune?}` or `79/760/26734`; undefined when absent, null when malformed. */
export function claimJurisdiction(v: unknown): Jurisdiction | undefined | null {
  if (v === undefined || v === null) return undefined;
  try {
    if (typeof v === 'string') return parseJurisdiction(v);
    if (typeof v !== 'object') return null;
    const o = v as Record<string, unknown>;
    if (typeof o['province'] !== 'string') return null;
    const j: { province: string; district?: string; commune?: string } = { province: o['province'] };
    if (typeof o['district'] === 'string' && o['district'] !== '') j.district = o['district'];
    if (typeof o['commune'] === 'string' && o['commune'] !== '') j.commune = o['commune'];
    return jurisdictionProblem(j) === undefined ? j : null;
  } catch {
    return null;
  }
}
