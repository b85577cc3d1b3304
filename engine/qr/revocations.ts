import { createHash } from 'node:crypto';
import { FlattenedSign, type FlattenedJWS } from 'jose';
import { qrKeys, QR_ALG, type QrKeySet } from './keys';
import { QR_ISSUER } from './token';

/**
 * The revocation list checkpoint devices fetch to refuse revoked codes offline: the ids of the
 * codes revoked and still within their validity (an expired code is refused anyway), signed
 * with the QR key as a flattened JWS (RFC 7515 §7.2.2), so a device verifies it with the same
 * JWKS it verifies codes with. The payload is `{"iss":"truyvet","iat":<seconds>,"revoked":[…]}`:
 * a code is revoked when its `sub` is listed; `iat` says how fresh the device's copy is.
 */

export interface RevocationPayload {
  readonly iss: string;
  /** When the list was signed, in seconds (JWT NumericDate). */
  readonly iat: number;
  /** Code ids (`q…`), sorted. */
  readonly revoked: readonly string[];
}

export async function signRevocationList(revoked: readonly string[], now: number, keys?: QrKeySet): Promise<FlattenedJWS> {
  const k = keys ?? (await qrKeys());
  const payload: RevocationPayload = { iss: QR_ISSUER, iat: Math.floor(now / 1000), revoked: [...revoked].sort() };
  return new FlattenedSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: QR_ALG, kid: k.kid }).sign(k.privateKey);
}

/**
 * A weak ETag of the list's content (the ids and the signing key), not of its bytes: each answer
 * is signed anew with the time of signing, but while the list is the same a device's copy is
 * good and it gets a 304.
 */
export function revocationListTag(revoked: readonly string[], kid: string): string {
  const h = createHash('sha256').update(kid).update('\n');
  for (const id of [...revoked].sort()) h.update(id).update('\n');
  return `W/"${h.digest().subarray(0, 16).toString('base64url')}"`;
}

/** Does an If-None-Match header (a list of tags, or `*`) name this tag? Weak comparison (RFC 9110 §13.1.2). */
export function matchesTag(ifNoneMatch: string | undefined, tag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(tag));
}
