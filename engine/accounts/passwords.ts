import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { scryptCostLog2 } from '../config';

/**
 * Password hashes: scrypt from node:crypto with a per-account random salt. The stored string
 * carries its parameters (`scrypt$<log2N>$<r>$<p>$<salt>$<hash>`), so the cost can be raised
 * later and old hashes still verify. Default cost N = 2^17, r = 8, p = 1 (OWASP's minimum for
 * scrypt; about 0.45 s and 128 MiB per hash on the 2-core build machine — login is rate-limited,
 * so that cost stays bounded). TRUYVET_SCRYPT_LOG2N lowers it for tests only.
 */

const KEY_LEN = 32;
const R = 8;
const P = 1;

/** The cost of new hashes (engine/config.ts, TRUYVET_SCRYPT_LOG2N). */
export function defaultCostLog2(): number {
  return scryptCostLog2();
}

function scryptAsync(password: string, salt: Buffer, log2n: number, r: number, p: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: 2 ** log2n, r, p, maxmem: 256 * 2 ** log2n * r + 2 ** 20 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, log2n: number = defaultCostLog2()): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, log2n, R, P);
  return ['scrypt', log2n, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [log2n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2n, r, p].every(Number.isInteger) || log2n > 20) return false;
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  const key = await scryptAsync(password, Buffer.from(parts[4] ?? '', 'base64url'), log2n, r, p);
  return expected.length === key.length && timingSafeEqual(expected, key);
}

let dummy: Promise<string> | undefined;

/**
 * A hash to verify against when the username does not exist, so a wrong username costs the
 * same time as a wrong password and the answer time does not reveal which accounts exist.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

/** A password that passes the policy: at least 12 characters, not all of one kind. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'must be at least 12 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  if (/^\d+$/.test(password) || /^[a-z]+$/i.test(password)) return 'must mix letters with digits or symbols';
  return undefined;
}

/** A random password for generated demo accounts: 20 base64url characters (120 bits). */
export function generatePassword(): string {
  return `tv-${randomBytes(15).toString('base64url')}`;
}
