import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { secretKey } from './secrets';

/**
 * Pseudonymous person keys. The graph never holds a national id or any raw key from a source
 * file: a person is `(:Person {id: pseudonym(raw)})`, a keyed hash (HMAC-SHA-256 with
 * TRUYVET_PSEUDONYM_KEY, 96 bits). A plain hash would not do: 12-digit CCCD numbers can be
 * enumerated. The raw key is kept only sealed (AES-256-GCM with TRUYVET_DATA_KEY) in
 * `Person.ref`, so privileged tools can show tracers the ids they know.
 */

const PID_PREFIX = 'p';
const PID_RE = /^p[0-9a-f]{24}$/;

/** Unicode NFC and trimmed: two spellings of one key are one person. */
export function normalizeRawKey(raw: string): string {
  return raw.normalize('NFC').trim();
}

export function pseudonym(raw: string): string {
  const mac = createHmac('sha256', secretKey('TRUYVET_PSEUDONYM_KEY')).update(normalizeRawKey(raw), 'utf8').digest('hex');
  return PID_PREFIX + mac.slice(0, 24);
}

export function isPseudonym(text: string): boolean {
  return PID_RE.test(text);
}

/** Seals text with AES-256-GCM; output `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function seal(plain: string): string {
  return sealBytes(Buffer.from(plain, 'utf8'));
}

/** seal() of bytes (a compressed document, for one). */
export function sealBytes(plain: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', secretKey('TRUYVET_DATA_KEY'), iv);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function unseal(sealed: string): string {
  return unsealBytes(sealed).toString('utf8');
}

/**
 * unseal(), or undefined when the value cannot be opened: sealed under another TRUYVET_DATA_KEY
 * (a key changed without re-sealing) or damaged. For reads of many records, where one such value
 * must not fail the rest.
 */
export function tryUnseal(sealed: string): string | undefined {
  try {
    return unseal(sealed);
  } catch {
    return undefined;
  }
}

export function unsealBytes(sealed: string): Buffer {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || iv === undefined || tag === undefined || body === undefined) throw new Error('not a sealed value');
  const d = createDecipheriv('aes-256-gcm', secretKey('TRUYVET_DATA_KEY'), Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]);
}
