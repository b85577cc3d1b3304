import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { qrKeySettings, qrValidDays, type Env } from '../config';
import { configureQrKeys, forgetQrKeys, generateQrPrivateJwk, publicJwks, qrKeys } from './keys';
import { issueQrToken, newQrCodeId, QR_CODE_ID_RE, tokenValidity, verifyQrToken } from './token';

const DAY = 86_400_000;
const T0 = Date.UTC(2021, 7, 14, 1, 0, 0);
const CODE = 'q0123456789abcdefABCDEF';

/** The keys an environment with these variables (and no others) gives (engine/config.ts, qrKeySettings). */
const keysFrom = (env: Env) => configureQrKeys(qrKeySettings(env));

beforeEach(() => keysFrom({ TRUYVET_QR_PRIVATE_JWK: JSON.stringify(generateQrPrivateJwk()) }));
afterAll(() => configureQrKeys(undefined));

const issue = (over: Partial<Parameters<typeof issueQrToken>[0]> = {}) =>
  issueQrToken({ codeId: CODE, issuedAt: T0, ...over });

describe('signed QR tokens', () => {
  it('verifies a code it issued and reads back its code id and validity', async () => {
    const { token, claims } = await issue();
    expect(token.length).toBeLessThan(300);
    const v = await verifyQrToken(token);
    expect(v).toEqual({ ok: true, claims });
    expect(claims).toMatchObject({ codeId: CODE, issuedAt: T0, validUntil: T0 + 3 * DAY });
  });

  it('takes the validity from TRUYVET_QR_VALID_DAYS', async () => {
    const { claims } = await issue({ validDays: qrValidDays({ TRUYVET_QR_VALID_DAYS: '1' }) });
    expect(claims.validUntil - claims.issuedAt).toBe(DAY);
  });

  it('holds no personal data: the payload is a random code id and times only', async () => {
    const { token } = await issue();
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['exp', 'iat', 'iss', 'sub']);
    expect(payload['sub']).toBe(CODE);
    const ids = new Set(Array.from({ length: 100 }, newQrCodeId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(QR_CODE_ID_RE);
  });

  it('no longer verifies a code of the old shape, whose subject was the pseudonym', async () => {
    const keys = await qrKeys();
    const { SignJWT } = await import('jose');
    const old = await new SignJWT({ did: 'd0123456789abcdef01234567', st: 'a' })
      .setProtectedHeader({ alg: 'ES256', kid: keys.kid })
      .setIssuer('truyvet')
      .setSubject('p0123456789abcdef01234567')
      .setIssuedAt(T0 / 1000)
      .setExpirationTime(T0 / 1000 + 86_400)
      .sign(keys.privateKey);
    expect(await verifyQrToken(old)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a code whose payload was changed (tampered)', async () => {
    const { token } = await issue();
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload['exp'] = Number(payload['exp']) + 30 * 86_400;
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect(await verifyQrToken(forged)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a code signed by another key with the same key id', async () => {
    const { token } = await issue();
    const mine = await qrKeys();
    const otherJwk = generateQrPrivateJwk();
    keysFrom({ TRUYVET_QR_PRIVATE_JWK: JSON.stringify(otherJwk) });
    const other = await qrKeys();
    const { token: foreign } = await issueQrToken({ codeId: CODE, issuedAt: T0 }, { ...other, kid: mine.kid });
    expect(await verifyQrToken(foreign, mine)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyQrToken(token, other)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('refuses text that is not a compact JWS, and a JWS with another algorithm', async () => {
    expect(await verifyQrToken('hello')).toEqual({ ok: false, reason: 'malformed' });
    const none = `${Buffer.from('{"alg":"none","kid":"x"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.${'A'.repeat(86)}`;
    expect(await verifyQrToken(none)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('tells valid, expired and issued-in-the-future apart, with a clock-skew allowance', async () => {
    const { claims } = await issue();
    const skew = 5 * 60_000;
    expect(tokenValidity(claims, T0 + DAY, skew)).toBe('valid');
    expect(tokenValidity(claims, T0 + 3 * DAY - 1, skew)).toBe('valid');
    expect(tokenValidity(claims, T0 + 3 * DAY, skew)).toBe('expired');
    expect(tokenValidity(claims, T0 - 4 * 60_000, skew)).toBe('valid');
    expect(tokenValidity(claims, T0 - 6 * 60_000, skew)).toBe('not_yet_valid');
  });
});

describe('QR keys', () => {
  it('publishes the public key only, with its key id, as a JWKS', async () => {
    const jwks = await publicJwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String) as unknown, y: expect.any(String) as unknown, kid: (await qrKeys()).kid, alg: 'ES256', use: 'sig' });
    expect(JSON.stringify(jwks)).not.toContain('"d"');
  });

  it('keeps verifying codes of a retired key listed in TRUYVET_QR_EXTRA_PUBLIC_JWKS', async () => {
    const { token } = await issue();
    const retired = await publicJwks();
    keysFrom({ TRUYVET_QR_PRIVATE_JWK: JSON.stringify(generateQrPrivateJwk()), TRUYVET_QR_EXTRA_PUBLIC_JWKS: JSON.stringify(retired) });
    expect((await verifyQrToken(token)).ok).toBe(true);
    expect((await publicJwks()).keys).toHaveLength(2);
  });

  it('generates a local key once, mode 0600, when the environment gives none in the local setup', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-qr-'));
    keysFrom({ TRUYVET_SECRETS_DIR: dir });
    try {
      const first = (await qrKeys()).kid;
      const file = path.join(dir, 'TRUYVET_QR_PRIVATE_JWK.json');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      forgetQrKeys();
      expect((await qrKeys()).kid).toBe(first);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to generate a key against a shared database', async () => {
    keysFrom({ NEO4J_URI: 'bolt://db.example:7687' });
    await expect(qrKeys()).rejects.toThrow('TRUYVET_QR_PRIVATE_JWK is not set');
  });
});
