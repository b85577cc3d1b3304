import { performance } from 'node:perf_hooks';
import { runImport } from '../engine/import';
import { isTruyvetError, TruyvetError } from '../engine/errors';
import type { ImportRunner } from './imports';

/**
 * The engine's passages import behind the API's uploads: the same pipeline as `truyvet import
 * passages FILE` (validation, batching, idempotence by passage id). No checkpoint: the upload
 * is a temporary file, and re-sending the file is the way to resume (known rows count as
 * duplicates). The summary names the upload, not the temporary file. An importer with a
 * jurisdiction imports only at its own stations: the others' rows are rejects with the reason.
 */
export const importRunner: ImportRunner = async (file, label, onProgress, scope) => {
  try {
    const r = await runImport({
      kind: 'passages',
      file,
      resume: false,
      ...(scope ? { scope } : {}),
      clock: () => performance.now(),
      onProgress: (p) => onProgress({ read: p.counts.read, imported: p.counts.imported, duplicates: p.counts.duplicates, rejected: p.counts.rejected }),
    });
    return { ...r, file: label };
  } catch (e) {
    if (isTruyvetError(e)) throw new TruyvetError(e.code, e.message.split(file).join(label), e.details);
    throw e;
  }
};
