import { createLocalJWKSet, flattenedVerify } from 'jose';
import { qrKeySettings } from '../config';
import { configureQrKeys, generateQrPrivateJwk, publicJwks } from './keys';
import { matchesTag, revocationListTag, signRevocationList } from './revocations';

const T0 = Date.UTC(2021, 7, 14, 1, 0, 0, 500);
beforeEach(() => configureQrKeys(qrKeySettings({ TRUYVET_QR_PRIVATE_JWK: JSON.stringify(generateQrPrivateJwk()) })));
afterAll(() => configureQrKeys(undefined));

describe('the QR revocation list', () => {
  it('is a flattened JWS of the sorted code ids and the signing time, verifiable with the published keys', async () => {
    const jws = await signRevocationList(['qB', 'qA'], T0);
    const { payload, protectedHeader } = await flattenedVerify(jws, createLocalJWKSet(await publicJwks()));
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: expect.any(String) as unknown });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ iss: 'truyvet', iat: Math.floor(T0 / 1000), revoked: ['qA', 'qB'] });
  });

  it('has a weak tag of its content: the same ids in any order give the same tag, another id or key another', () => {
    const tag = revocationListTag(['qA', 'qB'], 'k1');
    expect(tag).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);
    expect(revocationListTag(['qB', 'qA'], 'k1')).toBe(tag);
    expect(revocationListTag(['qA'], 'k1')).not.toBe(tag);
    expect(revocationListTag(['qA', 'qB'], 'k2')).not.toBe(tag);
  });

  it('matches If-None-Match weakly, in a list, or with *', () => {
    const tag = revocationListTag([], 'k');
    expect(matchesTag(tag, tag)).toBe(true);
    expect(matchesTag(tag.slice(2), tag)).toBe(true);
    expect(matchesTag(`W/"x", ${tag}`, tag)).toBe(true);
    expect(matchesTag('*', tag)).toBe(true);
    expect(matchesTag('W/"x"', tag)).toBe(false);
    expect(matchesTag(undefined, tag)).toBe(false);
  });
});
