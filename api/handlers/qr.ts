import { getDeclaration } from '../../engine/declarations/storage';
import { notFound } from '../../engine/errors';
import { publicJwks } from '../../engine/qr/keys';
import { qrPng as renderPng, qrSvg as renderSvg } from '../../engine/qr/render';
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
