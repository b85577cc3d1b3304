import { randomBytes, verify as verifySignature } from 'node:crypto';
import { SignJWT, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import { qrValidDays } from '../config';
import { qrKeys, QR_ALG, type QrKeySet } from './keys';

/**
 * truyvet's own QR code: a compact JWS (ES256) whose payload is an opaque code id, when it was
 * issued and until when it is valid. Nothing else: the code id is random and means something
 * only to the server, which resolves it to the declaration and the person at a scan
 * (engine/db/scans.ts), so a code read by anyone names nobody (no pseudonym that other
 * answers carry, no declaration id, not even how the registry check came out). About 200
 * characters, a small QR code at level M.
 *
 * Verification here is cryptographic only (signature, key, shape). Whether the code was valid
 * *when scanned* is a separate pure question (tokenValidity), so a scan can record an expired or
 * future code as such instead of just "invalid"; whether it was revoked, the server's record says.
 * Codes issued before the code id (their subject was the pseudonym) no longer verify.
 */

export const QR_ISSUER = 'truyvet';

/** The declaration outcome a code was issued for (rejected declarations get no code). */
export type QrStatus = 'accepted' | 'accepted_with_warnings' | 'unverified';

/** `q` and 128 random bits in base64url. */
export const QR_CODE_ID_RE = /^q[A-Za-z0-9_-]{22}$/;

/** A new code id: random, so it reveals nothing and cannot be derived from anything. */
export function newQrCodeId(): string {
  return `q${randomBytes(16).toString('base64url')}`;
}

export interface QrClaims {
  /** The opaque code id (`q…`), resolved on the server. */
  readonly codeId: string;
  /** Epoch ms (whole seconds). */
  readonly issuedAt: number;
  readonly validUntil: number;
  readonly kid: string;
}

export interface IssuedQr {
  readonly token: string;
  readonly claims: QrClaims;
}

export interface IssueQrInput {
  readonly codeId: string;
  /** Epoch ms; truncated to whole seconds (JWT NumericDate). */
  readonly issuedAt: number;
  /** Default TRUYVET_QR_VALID_DAYS (3). */
  readonly validDays?: number;
}

export async function issueQrToken(input: IssueQrInput, keys?: QrKeySet): Promise<IssuedQr> {
  const k = keys ?? (await qrKeys());
  const iat = Math.floor(input.issuedAt / 1000);
  const exp = iat + Math.round((input.validDays ?? qrValidDays()) * 86_400);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: QR_ALG, kid: k.kid })
    .setIssuer(QR_ISSUER)
    .setSubject(input.codeId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(k.privateKey);
  return { token, claims: { codeId: input.codeId, issuedAt: iat * 1000, validUntil: exp * 1000, kid: k.kid } };
}

const payloadSchema = z.object({
  iss: z.literal(QR_ISSUER),
  sub: z.string().regex(QR_CODE_ID_RE),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});

export type QrRejection = 'malformed' | 'unknown_key' | 'bad_signature';
export type QrVerifyResult = { ok: true; claims: QrClaims } | { ok: false; reason: QrRejection };

const JWS_RE = /^[A-Za-z0-9_-]{10,200}\.[A-Za-z0-9_-]{10,600}\.[A-Za-z0-9_-]{40,200}$/;

/** True when the text has the shape of a compact JWS (so a scan knows which verifier to use). */
export function looksLikeSignedQr(text: string): boolean {
  return JWS_RE.test(text.trim());
}

/** Signature, key and claim shape; never the clock (see tokenValidity). Never throws. */
export async function verifyQrToken(token: string, keys?: QrKeySet): Promise<QrVerifyResult> {
  const t = token.trim();
  if (!JWS_RE.test(t)) return { ok: false, reason: 'malformed' };
  let kid: string;
  try {
    const h = decodeProtectedHeader(t);
    if (h.alg !== QR_ALG || typeof h.kid !== 'string' || h.crit !== undefined || h.b64 !== undefined) return { ok: false, reason: 'malformed' };
    kid = h.kid;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const k = keys ?? (await qrKeys());
  const key = k.verifyKeys.get(kid);
  if (key === undefined) return { ok: false, reason: 'unknown_key' };
  // node:crypto's one-shot verify, not jose's compactVerify (WebCrypto): about 2.5× less CPU per
  // code, and a checkpoint rush verifies thousands of codes a second on the API's cores. For
  // this one algorithm it checks what jose would: the header was read above (alg ES256, a kid,
  // no `crit` or `b64` extension), the signature is r‖s (IEEE P1363) over `header.payload`.
  // With a callback the check runs on libuv's thread pool: a batch of scans verifies on every
  // core while the event loop goes on reading requests (~80 µs a code on this machine).
  const [h, body, sig] = t.split('.') as [string, string, string];
  const good = await new Promise<boolean | 'malformed'>((resolve) => {
    try {
      verifySignature('sha256', Buffer.from(`${h}.${body}`, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'), (err, ok) => resolve(err ? 'malformed' : ok));
    } catch {
      resolve('malformed');
    }
  });
  if (good === 'malformed') return { ok: false, reason: 'malformed' };
  if (!good) return { ok: false, reason: 'bad_signature' };
  const payload = Buffer.from(body, 'base64url');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const p = payloadSchema.safeParse(json);
  if (!p.success || p.data.exp <= p.data.iat) return { ok: false, reason: 'malformed' };
  return {
    ok: true,
    claims: { codeId: p.data.sub, issuedAt: p.data.iat * 1000, validUntil: p.data.exp * 1000, kid },
  };
}

export type TokenValidity = 'valid' | 'expired' | 'not_yet_valid';

/**
 * Was the code valid at instant `at` (epoch ms)? A code issued after `at` by more than the
 * clock-skew allowance is `not_yet_valid` (a device clock far behind, or a forged issue time).
 */
export function tokenValidity(claims: Pick<QrClaims, 'issuedAt' | 'validUntil'>, at: number, skewMs: number): TokenValidity {
  if (claims.issuedAt > at + skewMs) return 'not_yet_valid';
  if (at >= claims.validUntil) return 'expired';
  return 'valid';
}
