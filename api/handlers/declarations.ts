import { listDeclarations } from '../../engine/declarations/storage';
import { submitDeclaration } from '../../engine/declarations/service';
import { validateDeclaration } from '../../engine/declarations/form';
import type { FieldIssue } from '../../engine/declarations/messages';
import { validationFailed, type ErrorDetail } from '../../engine/errors';
import { narrowScope } from '../../engine/privacy/jurisdiction';
import { maskedIdentities } from '../../engine/privacy/visibility';
import { isoUtc } from '../../engine/time';
import { handler } from '../context';
import { qrLinks } from '../qr-links';
import { routes } from '../routes';

/** An engine field issue as an error's detail (`body.` + its path, both languages). */
function fieldError(i: FieldIssue): ErrorDetail {
  return { field: i.path === '' ? 'body' : `body.${i.path}`, reason: i.message_en, code: i.code, messages: { vi: i.message_vi, en: i.message_en } };
}

/**
 * A citizen's declaration. No login: the per-client rate limit and the body limit are the
 * route's (api/routes.ts), the per-document-number limit is counted here once the number is
 * read (api/document-limit.ts). Validation is the engine's, so every field issue comes back in
 * Vietnamese and English at once (400). Then the anonymous caller learns one thing of the
 * registry check: accepted (201 with the QR code, or 200 with the first receipt when the same
 * declaration comes again), or kept for review (202). Which field differed, or whether the
 * number is in the registry at all, is stored for the reviewer (GET /api/declarations) and never
 * answered: otherwise anyone with a citizen's number could ask the registry for their birth date.
 * Citizens' own submissions are not audit events: the audit log is for staff reading other
 * people's data, and the stored declaration records when it was received.
 */
export const declarationsSubmit = handler(routes.declarationsSubmit, async ({ body, app }) => {
  const now = app.now();
  const v = validateDeclaration(body, { now });
  if (!v.ok) throw validationFailed('the declaration is not valid', v.issues.map(fieldError));
  await app.declarationLimit.take(v.value.document.number);
  const r = await submitDeclaration(v.value, { now });
  if (r.qr === null) {
    return { status: 202, body: { declarationId: r.declarationId, status: 'kept_for_review', qr: null, duplicate: r.duplicate } };
  }
  return {
    status: r.duplicate ? 200 : 201,
    body: { declarationId: r.declarationId, status: 'accepted', qr: { ...r.qr, ...qrLinks(r.declarationId) }, duplicate: r.duplicate },
  };
});

/**
 * Stored declarations for review (the rejected ones above all), newest first. The caller's
 * jurisdiction narrows the declarants' home address, in the query itself. Identities are masked
 * for every role: reviewing a mismatch needs to tell declarations apart and see the reasons,
 * not the registry's values.
 */
export const declarationsList = handler(routes.declarationsList, async ({ query, principal, audit }) => {
  const { skip, limit, status, from, to, ...filter } = query;
  const scope = narrowScope(principal.jurisdiction, filter);
  const found =
    scope === 'empty'
      ? []
      : await listDeclarations({ ...(scope ? { scope } : {}), ...(status ? { status } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), skip, limit });
  const people = await maskedIdentities([...new Set(found.map((d) => d.personId))]);
  await audit({
    action: 'declarations.read',
    outcome: 'ok',
    count: Object.keys(people).length,
    details: { declarations: found.length, status: status ?? null, masked: true },
  });
  return {
    body: {
      declarations: found.map((d) => ({
        id: d.id,
        personId: d.personId,
        status: d.status,
        platform: d.platform,
        declaredAt: isoUtc(d.declaredAt),
        receivedAt: isoUtc(d.receivedAt),
        reasons: d.reasons,
        warnings: d.warnings,
        home: { province: d.province, district: d.district, commune: d.commune },
        hasQr: d.qr !== null,
        ...(people[d.personId] ? { person: people[d.personId] } : {}),
      })),
      skip,
      limit,
    },
  };
});
