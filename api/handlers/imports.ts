import { getAccount } from '../../engine/accounts/accounts';
import { notFound, TruyvetError } from '../../engine/errors';
import type { Principal } from '../auth';
import { mayCall } from '../authorize';
import { auditAs, handler, type AppContext } from '../context';
import { HttpError } from '../errors';
import type { ImportJob, Resumption } from '../imports';
import { routes } from '../routes';

export function jobOut(j: ImportJob) {
  return { ...j, progress: { ...j.progress } };
}

/**
 * The upload is the raw CSV (Content-Type text/csv), streamed to disk as it arrives; the answer
 * (202, the job) comes when the upload is complete, and the import goes on in the background.
 */
export const importsCreate = handler(routes.importsCreate, async ({ req, query, principal, app, audit }) => {
  if (!req.is(['text/csv', 'text/plain', 'application/csv'])) throw new HttpError(415, 'unsupported_media_type', 'send the CSV as the body with Content-Type: text/csv');
  if (!app.imports.available) throw new TruyvetError('unavailable', 'the import pipeline is not available in this build');
  const label = query.name ?? 'upload.csv';
  const job = await app.imports.receive(req, principal.username, principal.jurisdiction, label, app.settings.importLimitBytes, auditEnd(audit));
  await audit({ action: 'import.start', outcome: 'ok', target: job.id, details: { bytes: job.bytes } });
  return { status: 202, body: jobOut(job) };
});

function auditEnd(audit: ReturnType<typeof auditAs>) {
  return async (done: ImportJob): Promise<void> => {
    await audit({
      action: 'import.finish',
      outcome: done.state === 'done' ? 'ok' : 'failed',
      target: done.id,
      details: { read: done.progress.read, imported: done.progress.imported, duplicates: done.progress.duplicates, rejected: done.progress.rejected },
    });
  };
}

/**
 * At start-up: the imports a stopped or crashed server left unfinished go on, each as its
 * importer's account allows now — read again, like any request's: a disabled account, or one that
 * may no longer import, ends the job failed; a changed jurisdiction scopes the rest of the file.
 * Tokens of an identity provider carried the importer's role and scope, which are gone with the
 * request: those jobs end failed and the file is sent again. Each resume is audited as its
 * importer's.
 */
export function resumeImports(app: AppContext): Promise<{ resumed: number; refused: number; swept: number }> {
  return app.imports.resumeUnfinished(async (job): Promise<Resumption | string> => {
    const account = await getAccount(job.owner);
    if (account === undefined || account.disabled || !mayCall(routes.importsCreate, account.role)) {
      const why = account === undefined ? 'no local account' : account.disabled ? 'disabled' : 'role';
      await auditAs(app, undefined)({ actor: job.owner, action: 'import.resume', outcome: 'denied', target: job.id, details: { reason: why } });
      return "the server stopped before this import finished, and its importer's account may no longer import (or is an identity provider's): send the file again";
    }
    const principal: Principal = { username: account.username, role: account.role, via: 'password', ...(account.jurisdiction ? { jurisdiction: account.jurisdiction } : {}) };
    const audit = auditAs(app, principal);
    await audit({ action: 'import.resume', outcome: 'ok', target: job.id, details: { read: job.progress.read } });
    return { scope: account.jurisdiction, onDone: auditEnd(audit) };
  });
}

export const importsGet = handler(routes.importsGet, async ({ params, principal, app }) => {
  // An importer follows its own jobs (the owner is a parameter of the lookup); an admin any.
  const job = await app.imports.get(params.id, principal.role === 'admin' ? undefined : principal.username);
  if (!job) throw notFound(`no import job '${params.id}'`);
  return { body: jobOut(job) };
});
