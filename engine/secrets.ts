import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateSecrets, localSecretsDir, secretFromEnv, usesLocalNeo4j } from './config';

/**
 * Keys come from the environment. For the default local setup only (no NEO4J_URI), a missing
 * key is generated once and kept with mode 0600 under TRUYVET_SECRETS_DIR, so `npm start` works
 * on a fresh machine; against any other database a missing key is an error.
 * A key must stay the same for the life of a database: the pseudonymous person keys and the
 * sealed personal data depend on it.
 */
export type SecretName = 'TRUYVET_PSEUDONYM_KEY' | 'TRUYVET_DATA_KEY' | 'TRUYVET_JWT_SECRET' | 'TRUYVET_AUDIT_KEY';

const cache = new Map<SecretName, Buffer>();

export function secretKey(name: SecretName): Buffer {
  const hit = cache.get(name);
  if (hit) return hit;
  const raw = secretFromEnv(name) ?? localSecret(name);
  if (raw.length < 32) throw new Error(`${name} must be at least 32 characters`);
  // Hashing lets an operator give any long random string; every key is 32 bytes inside.
  const key = createHash('sha256').update(`truyvet:${name}:`).update(raw).digest();
  cache.set(name, key);
  return key;
}

/** For tests that change keys on purpose. */
export function forgetSecrets(): void {
  cache.clear();
}

function localSecret(name: SecretName): string {
  if (!usesLocalNeo4j() && !generateSecrets()) {
    throw new Error(`${name} is not set; it is required when NEO4J_URI points at a shared database`);
  }
  const dir = localSecretsDir();
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  try {
    // 'wx': if another process won the race, keep its key.
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return value;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw e;
  }
}
