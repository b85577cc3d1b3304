import { getDeclaration, revokedQrCodes, revokeQr, type RevokeQrOutcome } from '../../engine/declarations/storage';
import { forbidden, notFound } from '../../engine/errors';
import { publicJwks, qrKeys } from '../../engine/qr/keys';
import { qrPng as renderPng, qrSvg as renderSvg } from '../../engine/qr/render';
import { matchesTag, revocationListTag, signRevocationList } from '../../engine/qr/revocations';
import { isoUtc } from '../../engine/time';
import { handler } from '../context';
import { isQrLinkKey } from '../qr-links';
import { routes } from '../routes';

/**
 * The QR code's public keys and images. The JWKS is public and cacheable (devices fetch it
 * once and verify offline; a rotated-out key stays listed while its codes live). The images are
 * the holder's: see api/qr-links.ts for why the link's key, not the id, is what grants them.
 */

export const jwks = handler(routes.jwks, async ({ res }) => {
  res.setHeader('Cache-Control', 'public, max-age=300');
  return { body: await publicJwks() };
});

/** The stored code of a declaration, for the holder's link; the same 404 for every miss. */
async function holderToken(id: string, key: string): Promise<string> {
  const nothing = notFound('no QR code at this link');
  if (!isQrLinkKey(id, key)) throw nothing;
  const d = await getDeclaration(id);
  if (d?.qr === null || d === undefined) throw nothing;
  return d.qr.token;
}

export const qrSvg = handler(routes.qrSvg, async ({ params, query }) => {
  const token = await holderToken(params.id, query.key);
  return { body: null, raw: { contentType: 'image/svg+xml', data: await renderSvg(token) } };
});

export const qrPng = handler(routes.qrPng, async ({ params, query }) => {
  const token = await holderToken(params.id, query.key);
  return { body: null, raw: { contentType: 'image/png', data: await renderPng(token) } };
});

const revokedOut = (r: Extract<RevokeQrOutcome, { outcome: 'revoked' }>) => ({ declarationId: r.declarationId, revoked: true, revokedAt: isoUtc(r.revokedAt), reason: r.revokedBy });

/**
 * Revokes a code. Its holder sends the receipt's key (no token; a wrong key answers the same 404
 * as an unknown id, as the images do); staff send their token, and the declarant's home must lie
 * inside their jurisdiction, which the revoking query itself checks. A revocation is audited (the
 * holder as actor `holder`); revoking again answers the first revocation and changes nothing.
 */
export const qrRevoke = handler(routes.qrRevoke, async ({ params, query, principal, app, audit }) => {
  const now = app.now();
  if (principal === undefined) {
    const nothing = notFound('no QR code at this link');
    if (query.key === undefined || !isQrLinkKey(params.id, query.key)) throw nothing;
    const r = await revokeQr({ declarationId: params.id, scope: null, by: 'holder', now });
    if (r.outcome !== 'revoked') throw nothing;
    if (!r.already) await audit({ actor: 'holder', role: 'holder', action: 'qr.revoke', outcome: 'ok', target: params.id, details: { reason: 'holder' } });
    return { body: revokedOut(r) };
  }
  const r = await revokeQr({ declarationId: params.id, scope: principal.jurisdiction ?? null, by: 'staff', now });
  if (r.outcome === 'no_code') throw notFound(`no QR code for declaration '${params.id}'`);
  if (r.outcome === 'outside') {
    await audit({ action: 'access.denied', outcome: 'denied', target: params.id, details: { route: 'qrRevoke', reason: 'outside jurisdiction' } });
    throw forbidden("the code's holder lives outside your jurisdiction");
  }
  if (!r.already) await audit({ action: 'qr.revoke', outcome: 'ok', target: params.id, details: { reason: 'staff' } });
  return { body: revokedOut(r) };
});

/**
 * The signed list of revoked codes still valid (engine/qr/revocations.ts), for offline devices:
 * public, cached a minute, with a weak ETag of its content so an unchanged list costs a 304.
 */
export const qrRevocations = handler(routes.qrRevocations, async ({ req, res, app }) => {
  const now = app.now();
  const [ids, keys] = await Promise.all([revokedQrCodes(now), qrKeys()]);
  const tag = revocationListTag(ids, keys.kid);
  res.setHeader('Cache-Control', 'public, max-age=60');
  res.setHeader('ETag', tag);
  if (matchesTag(req.headers['if-none-match'], tag)) return { status: 304, body: null };
  return { body: await signRevocationList(ids, now, keys) };
});
