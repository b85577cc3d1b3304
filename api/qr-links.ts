import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretKey } from '../engine/secrets';

/**
 * How a citizen gets their QR image back without an account. The declaration id alone is not
 * enough: it is a keyed hash (unguessable), but it is not secret — it sits in the signed code
 * itself (the `did` claim, readable by anyone who scans it) and in officers' scan answers and
 * tracers' lists. So the image links the receipt hands out carry a `key`: HMAC-SHA-256 of the
 * declaration id under the server's pseudonym key (domain-separated by a prefix), 128 bits in
 * base64url. Only the submitter receives it, the request log never records URLs, and a wrong
 * key answers the same 404 as an unknown id, so the route reveals nothing to a guesser. The same
 * key lets the holder revoke the code (POST /api/qr/:id/revoke?key=…).
 */

const DOMAIN = 'truyvet:qr-link:v1:';

export function qrLinkKey(declarationId: string): string {
  return createHmac('sha256', secretKey('TRUYVET_PSEUDONYM_KEY'))
    .update(DOMAIN + declarationId, 'utf8')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

export function isQrLinkKey(declarationId: string, key: string): boolean {
  const want = Buffer.from(qrLinkKey(declarationId), 'utf8');
  const got = Buffer.from(key, 'utf8');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The holder's links: the code's images, and its revocation (POST, the same key). */
export function qrLinks(declarationId: string): { svg: string; png: string; revoke: string } {
  const q = `?key=${qrLinkKey(declarationId)}`;
  return { svg: `/api/qr/${declarationId}.svg${q}`, png: `/api/qr/${declarationId}.png${q}`, revoke: `/api/qr/${declarationId}/revoke${q}` };
}
