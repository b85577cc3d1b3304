import { notFound, TruyvetError } from '../../engine/errors';
import { handler } from '../context';
import { HttpError } from '../errors';
import type { ImportJob } from '../imports';
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
  const job = await app.imports.receive(req, principal.username, principal.jurisdiction, label, app.settings.importLimitBytes, async (done) => {
    await audit({
      action: 'import.finish',
      outcome: done.state === 'done' ? 'ok' : 'failed',
      target: done.id,
      details: { read: done.progress.read, imported: done.progress.imported, duplicates: done.progress.duplicates, rejected: done.progress.rejected },
    });
  });
  await audit({ action: 'import.start', outcome: 'ok', target: job.id, details: { bytes: job.bytes } });
  return { status: 202, body: jobOut(job) };
});

export const importsGet = handler(routes.importsGet, async ({ params, principal, app }) => {
  // An importer follows its own jobs (the owner is a parameter of the lookup); an admin any.
  const job = await app.imports.get(params.id, principal.role === 'admin' ? undefined : principal.username);
  if (!job) throw notFound(`no import job '${params.id}'`);
  return { body: jobOut(job) };
});
