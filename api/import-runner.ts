import { performance } from 'node:perf_hooks';
import { runImport } from '../engine/import';
import { isTruyvetError, TruyvetError } from '../engine/errors';
import type { ImportRunner } from './imports';

/**
 * The engine's passages import behind the API's uploads: the same pipeline as `truyvet import
 * passages FILE` (validation, batching, idempotence by passage id), with its checkpoint after
 * every committed batch: a job cut off by a stop or a crash resumes after its last batch on the
 * next start (api/imports.ts). The summary names the upload, not the upload's file on disk. An
 * importer with a jurisdiction imports only at its own stations: the others' rows are rejects
 * with the reason.
 */
export const importRunner: ImportRunner = async (file, label, onProgress, scope, signal, now) => {
  try {
    const r = await runImport({
      kind: 'passages',
      file,
      resume: true,
      ...(scope ? { scope } : {}),
      ...(signal ? { signal } : {}),
      clock: () => performance.now(),
      now: now ?? Date.now(),
      onProgress: (p) => onProgress({ read: p.counts.read, imported: p.counts.imported, duplicates: p.counts.duplicates, rejected: p.counts.rejected }),
    });
    return { ...r, file: label };
  } catch (e) {
    if (isTruyvetError(e)) throw new TruyvetError(e.code, e.message.split(file).join(label), e.details);
    throw e;
  }
};
