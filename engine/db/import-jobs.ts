import type { ImportSummary } from '../types';
import { int, num, str } from './convert';
import { readQuery, writeQuery } from './driver';

/**
 * Import jobs started through the API, kept in the graph so a job outlives the server process
 * that ran it: `(:ImportJob {id, kind, state, owner, label, bytes, startedAt, finishedAt, read,
 * imported, duplicates, rejected, summary, error, instance})`, `summary` as JSON text (counts and
 * the rejects' line, field and reason, as the job answers them). `instance` names the process
 * that runs the job (`serverRun.pid`): a job not finished whose process is gone was cut off by a
 * stop or a crash; a start resumes it when its upload is still on disk, or answers it as failed
 * (api/imports.ts).
 */

export type ImportJobState = 'receiving' | 'queued' | 'running' | 'done' | 'failed';

export interface ImportJobProgress {
  read: number;
  imported: number;
  duplicates: number;
  rejected: number;
}

export interface ImportJobRecord {
  readonly id: string;
  readonly kind: 'passages';
  readonly state: ImportJobState;
  readonly owner: string;
  /** The upload's name as the importer gave it (the summary's `file`). */
  readonly label: string;
  readonly bytes: number;
  /** ISO 8601 UTC. */
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly progress: Readonly<ImportJobProgress>;
  readonly summary?: ImportSummary;
  readonly error?: string;
  readonly instance: string;
}

/** How many finished jobs the graph keeps (the oldest go first). */
export const KEEP_IMPORT_JOBS = 1000;

const SAVE = `
MERGE (j:ImportJob {id: $id})
SET j.kind = $kind, j.state = $state, j.owner = $owner, j.label = $label, j.bytes = $bytes, j.startedAt = $startedAt,
  j.finishedAt = $finishedAt, j.read = $read, j.imported = $imported, j.duplicates = $duplicates,
  j.rejected = $rejected, j.summary = $summary, j.error = $error, j.instance = $instance`;

export async function saveImportJob(j: ImportJobRecord): Promise<void> {
  await writeQuery(
    SAVE,
    {
      id: j.id,
      kind: j.kind,
      state: j.state,
      owner: j.owner,
      label: j.label,
      bytes: int(j.bytes),
      startedAt: j.startedAt,
      finishedAt: j.finishedAt ?? null,
      read: int(j.progress.read),
      imported: int(j.progress.imported),
      duplicates: int(j.progress.duplicates),
      rejected: int(j.progress.rejected),
      summary: j.summary === undefined ? null : JSON.stringify(j.summary),
      error: j.error ?? null,
      instance: j.instance,
    },
    () => undefined,
  );
}

/** The job, if `owner` (when given) started it: an importer reads only its own jobs. */
export async function getImportJob(id: string, owner?: string): Promise<ImportJobRecord | undefined> {
  const rows = await readQuery(
    'MATCH (j:ImportJob {id: $id}) WHERE $owner IS NULL OR j.owner = $owner RETURN j {.*} AS j',
    { id, owner: owner ?? null },
    (r) => toRecord(r['j']),
  );
  return rows[0];
}

/** Jobs left queued or running by another server process, oldest first. */
export async function unfinishedImportJobs(instance: string): Promise<ImportJobRecord[]> {
  return readQuery(
    `MATCH (j:ImportJob) WHERE j.state IN ['queued', 'running'] AND j.instance <> $instance
     RETURN j {.*} AS j ORDER BY j.startedAt, j.id`,
    { instance },
    (r) => toRecord(r['j']),
  );
}

/**
 * Moves an unfinished job from the process that left it to this one; false when another start
 * took it first (or it finished meanwhile), so a job is resumed once.
 */
export async function claimImportJob(id: string, from: string, to: string): Promise<boolean> {
  const rows = await writeQuery(
    `MATCH (j:ImportJob {id: $id}) WHERE j.instance = $from AND j.state IN ['queued', 'running']
     SET j.instance = $to, j.state = 'queued'
     RETURN count(j) AS n`,
    { id, from, to },
    (r) => num(r['n']),
  );
  return (rows[0] ?? 0) > 0;
}

/** Deletes the finished jobs past the newest `keep`. */
export async function pruneImportJobs(keep = KEEP_IMPORT_JOBS): Promise<void> {
  await writeQuery(
    `MATCH (j:ImportJob) WHERE j.state IN ['done', 'failed']
     WITH j ORDER BY j.startedAt DESC SKIP $keep
     DELETE j`,
    { keep: int(keep) },
    () => undefined,
  );
}

function toRecord(v: unknown): ImportJobRecord {
  const j = v as Record<string, unknown>;
  const opt = (x: unknown) => (typeof x === 'string' ? x : undefined);
  const summary = opt(j['summary']);
  const finishedAt = opt(j['finishedAt']);
  const error = opt(j['error']);
  return {
    id: str(j['id']),
    kind: 'passages',
    state: str(j['state']) as ImportJobState,
    owner: str(j['owner']),
    // Jobs kept before labels were: the name every upload without one gets.
    label: opt(j['label']) ?? 'upload.csv',
    bytes: num(j['bytes']),
    startedAt: str(j['startedAt']),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    progress: { read: num(j['read']), imported: num(j['imported']), duplicates: num(j['duplicates']), rejected: num(j['rejected']) },
    ...(summary !== undefined ? { summary: JSON.parse(summary) as ImportSummary } : {}),
    ...(error !== undefined ? { error } : {}),
    instance: str(j['instance']),
  };
}
