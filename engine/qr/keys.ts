import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { qrKeySettings, type QrKeySettings } from '../config';

/**
 * The QR signing key: an ES256 (P-256) private JWK from TRUYVET_QR_PRIVATE_JWK. Like the other
 * secrets (engine/secrets.ts), the default local setup (no NEO4J_URI, or
 * TRUYVET_GENERATE_SECRETS=1) generates one once and keeps it mode 0600 under
 * TRUYVET_SECRETS_DIR; anywhere else a missing key is an error. The public half is published as a
 * JWKS so checkpoint devices verify codes offline. Keys retired by a rotation stay verifiable
 * while their codes live: put their public JWKs in TRUYVET_QR_EXTRA_PUBLIC_JWKS (a JWKS JSON).
 */

export const QR_ALG = 'ES256';
const FILE_NAME = 'TRUYVET_QR_PRIVATE_JWK.json';

export interface QrKeySet {
  /** Key id of the signing key: the first 16 characters of its RFC 7638 thumbprint. */
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** Every key a code may be verified with, by kid (the signing key's public half first). */
  readonly verifyKeys: ReadonlyMap<string, KeyObject>;
  /** What /.well-known/jwks.json serves. */
  readonly jwks: { readonly keys: readonly JWK[] };
}

let cached: Promise<QrKeySet> | undefined;
let configured: QrKeySettings | undefined;

/**
 * Where the keys come from: these settings instead of the environment's (engine/config.ts,
 * qrKeySettings), or the environment's again with undefined. The loaded keys are forgotten.
 */
export function configureQrKeys(settings: QrKeySettings | undefined): void {
  configured = settings;
  cached = undefined;
}

export function qrKeys(): Promise<QrKeySet> {
  cached ??= loadKeys(configured ?? qrKeySettings()).catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

/** For tests that change keys on purpose. */
export function forgetQrKeys(): void {
  cached = undefined;
}

/** The public key set (JWKS) for GET /.well-known/jwks.json. */
export async function publicJwks(): Promise<{ keys: JWK[] }> {
  return { keys: [...(await qrKeys()).jwks.keys] };
}

/** A fresh ES256 private JWK (for `truyvet qr keygen`, or an operator's secret store). */
export function generateQrPrivateJwk(): JWK {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'jwk' });
}

async function loadKeys(settings: QrKeySettings): Promise<QrKeySet> {
  const jwk = privateJwk(settings);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new Error('TRUYVET_QR_PRIVATE_JWK must be an EC P-256 private JWK (kty EC, crv P-256, with d)');
  }
  const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const pub = publicOnly(jwk);
  const kid = await keyId(pub);
  const verifyKeys = new Map<string, KeyObject>([[kid, createPublicKey({ key: pub as never, format: 'jwk' })]]);
  const published: JWK[] = [{ ...pub, kid, alg: QR_ALG, use: 'sig' }];
  for (const extra of extraPublicJwks(settings.extraPublicJwks)) {
    const p = publicOnly(extra);
    const k = extra.kid ?? (await keyId(p));
    if (verifyKeys.has(k)) continue;
    verifyKeys.set(k, createPublicKey({ key: p as never, format: 'jwk' }));
    published.push({ ...p, kid: k, alg: QR_ALG, use: 'sig' });
  }
  return { kid, privateKey, verifyKeys, jwks: { keys: published } };
}

function publicOnly(jwk: JWK): JWK {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new Error('a QR key must be an EC P-256 JWK');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

async function keyId(pub: JWK): Promise<string> {
  return (await calculateJwkThumbprint(pub, 'sha256')).slice(0, 16);
}

function extraPublicJwks(raw: string | undefined): JWK[] {
  if (raw === undefined || raw.trim() === '') return [];
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new Error('TRUYVET_QR_EXTRA_PUBLIC_JWKS is not JSON');
  }
  const keys = (doc as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new Error('TRUYVET_QR_EXTRA_PUBLIC_JWKS must be a JWKS: {"keys": [...]}');
  return keys as JWK[];
}

function privateJwk(settings: QrKeySettings): JWK {
  const raw = settings.privateJwk;
  if (raw !== undefined && raw.trim() !== '') return parseJwk(raw, 'TRUYVET_QR_PRIVATE_JWK');
  if (!settings.mayGenerate) {
    throw new Error('TRUYVET_QR_PRIVATE_JWK is not set; it is required when NEO4J_URI points at a shared database');
  }
  const dir = settings.secretsDir;
  const file = path.join(dir, FILE_NAME);
  try {
    return parseJwk(fs.readFileSync(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const jwk = generateQrPrivateJwk();
  try {
    // 'wx': if another process won the race, keep its key.
    fs.writeFileSync(file, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
    return jwk;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return parseJwk(fs.readFileSync(file, 'utf8'), file);
    throw e;
  }
}

function parseJwk(text: string, origin: string): JWK {
  try {
    return JSON.parse(text) as JWK;
  } catch {
    // Never echo the text: it is a private key.
    throw new Error(`${origin} is not a JSON JWK`);
  }
}
