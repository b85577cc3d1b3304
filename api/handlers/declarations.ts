import { listDeclarations } from '../../engine/declarations/storage';
import { submitDeclaration } from '../../engine/declarations/service';
import { validateDeclaration } from '../../engine/declarations/form';
import type { FieldIssue } from '../../engine/declarations/messages';
import { narrowScope } from '../../engine/privacy/jurisdiction';
import { maskedIdentities } from '../../engine/privacy/visibility';
import { isoUtc } from '../../engine/time';
import { handler } from '../context';
import { HttpError, type ProblemError } from '../errors';
import { qrLinks } from '../qr-links';
import { routes } from '../routes';

/** An engine field issue as a problem's error entry (`body.` + its path, both languages). */
function fieldError(i: FieldIssue): ProblemError {
  return { path: i.path === '' ? 'body' : `body.${i.path}`, message: i.message_en, code: i.code, message_vi: i.message_vi, message_en: i.message_en };
}

/**
 * A citizen's declaration. No login: the per-client rate limit and the body limit are the
 * route's (api/routes.ts). Validation is the engine's, so every field issue comes back in
 * Vietnamese and English at once (400). A registry rejection is stored for review and answers
 * 422 with the reasons and the declaration id; anything else answers the QR code (201, or 200
 * with the first receipt when the same declaration comes again). Citizens' own submissions are
 * not audit events: the audit log is for staff reading other people's data, and the stored
 * declaration records when it was received.
 */
export const declarationsSubmit = handler(routes.declarationsSubmit, async ({ body, app }) => {
  const now = app.now();
  const v = validateDeclaration(body, { now });
  if (!v.ok) throw new HttpError(400, 'validation', 'the declaration is not valid', v.issues.map(fieldError));
  const r = await submitDeclaration(v.value, { now });
  if (r.status === 'rejected' || r.qr === null) {
    throw new HttpError(422, 'registry_rejected', 'the declaration does not match the national population registry; it is kept for review', r.reasons.map(fieldError), {
      declarationId: r.declarationId,
    });
  }
  return {
    status: r.duplicate ? 200 : 201,
    body: { declarationId: r.declarationId, status: r.status, warnings: r.warnings, qr: { ...r.qr, ...qrLinks(r.declarationId) }, duplicate: r.duplicate },
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
