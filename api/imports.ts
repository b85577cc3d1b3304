import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { isTruyvetError } from '../engine/errors';
import { forgetCheckpoint } from '../engine/import';
import { COLUMNS, headerRecord, planColumns, renames } from '../engine/import/header';
import { claimImportJob, getImportJob, pruneImportJobs, saveImportJob, unfinishedImportJobs, type ImportJobProgress, type ImportJobState } from '../engine/import/jobs';
import type { Logger } from '../engine/logger';
import { isoUtc } from '../engine/time';
import type { ImportSummary, Jurisdiction } from '../engine/types';
import { HttpError } from './errors';
import { processGone } from './instance';
import { localPermits, type PermitRequest, type Permits } from './permits';

/**
 * Import jobs of the API. An upload streams to a private temporary file (constant memory,
 * with a byte limit), then the engine's import pipeline reads that file like `truyvet import
 * passages FILE`, so the API and the CLI import exactly the same way — idempotent and resumable
 * by passage id. Once received, a job is also kept in the graph (engine/db/import-jobs.ts), so its
 * importer can follow it after the server restarts. The upload stays on disk until its job ends,
 * with the engine's checkpoint after every committed batch: a job that a stopped or crashed
 * server did not finish is resumed by the next start, after its last committed batch
 * (`resumeUnfinished`). Only when its upload is gone (another upload folder, a cleared temporary
 * folder) does it answer `failed`, and sending the file again then stores what is missing (rows
 * already stored count as duplicates).
 */

/**
 * Runs the engine's passages import over a file; `onProgress` hears running counts. With a
 * `scope`, rows at stations outside it are rejected (an importer's jurisdiction).
 */
export type ImportRunner = (
  file: string,
  label: string,
  onProgress: (p: ImportJobProgress) => void,
  scope?: Jurisdiction,
  signal?: AbortSignal,
  /** The server's clock when the import starts (epoch ms): instants more than a day after it are rejects. */
  now?: number,
) => Promise<ImportSummary>;

/** How a job left by another server process goes on: its importer's scope now, and its end. */
export interface Resumption {
  readonly scope: Jurisdiction | undefined;
  readonly onDone: (job: ImportJob) => Promise<void>;
}

export interface ImportJob {
  readonly id: string;
  readonly kind: 'passages';
  state: ImportJobState;
  readonly owner: string;
  /** The upload's name as the importer gave it. */
  readonly label: string;
  bytes: number;
  readonly startedAt: string;
  finishedAt?: string;
  progress: ImportJobProgress;
  summary?: ImportSummary;
  error?: string;
}

/**
 * Checks the header of an upload as it arrives, before anything is accepted: the bytes pass on
 * once the header line is complete and has the passages columns. An unusable header (missing
 * columns, not CSV text, empty) is kept as `refusal` and the rest of the upload is read and
 * dropped, not written, so the client gets its 400 on a connection that is still whole (an
 * error here would tear the request down mid-send).
 */
class HeaderCheck extends Transform {
  refusal: HttpError | undefined;
  private head: Buffer[] = [];
  private checked = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void): void {
    if (this.refusal) return done();
    if (this.checked) return done(null, chunk);
    this.head.push(chunk);
    done(null, this.inspect(false));
  }

  override _flush(done: (e?: Error | null, data?: Buffer) => void): void {
    done(null, this.refusal || this.checked ? undefined : this.inspect(true));
  }

  /** The bytes held back, once the header is complete and usable; nothing while it is not. */
  private inspect(final: boolean): Buffer | undefined {
    const head = Buffer.concat(this.head);
    this.head = [head];
    try {
      const record = headerRecord(head, final);
      if (record === 'more') return undefined;
      planColumns('passages', record.fields, renames('passages', undefined, {}), `the passages columns are ${COLUMNS.passages.all.join(',')}`);
    } catch (e) {
      if (!isTruyvetError(e)) throw e;
      this.refusal = new HttpError(400, 'invalid_header', `the upload cannot be imported: ${e.message}`, [{ path: 'line 1', message: e.message }]);
      this.head = [];
      return undefined;
    }
    this.checked = true;
    this.head = [];
    return head;
  }
}

const KEEP_JOBS = 1000;
/** Progress reaches the graph at most this often (ms); the process's own answers are live. */
const SAVE_PROGRESS_MS = 1000;
/** An upload file of no unfinished job, untouched this long, was cut off while it was received. */
const ABANDONED_MS = 3_600_000;
const INTERRUPTED = 'the server stopped before this import finished and its upload is gone; send the file again (rows already stored count as duplicates)';

export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private queue: Promise<void> = Promise.resolve();
  private readonly saving = new WeakMap<ImportJob, Promise<void>>();
  /**
   * `serverRun.pid`: the server run (its workers share it) and this process. A job not finished
   * whose process is gone — another server run, or a worker of this one that died — was cut off.
   */
  private readonly instance: string;
  private readonly serverRun: string;
  /** Set by pause(): no import starts, and the one running stops before its next batch. */
  private paused = false;
  private current: AbortController | undefined;
  /** Set while the next import waits for its server-wide permit: pause() ends the wait. */
  private stopWaiting: (() => void) | undefined;

  constructor(
    private readonly runner: ImportRunner | undefined,
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly now: () => number,
    serverRun?: string,
    /** Import permits: for the whole server with `serve --workers N`, else this process's own. */
    private readonly permits: Permits = localPermits(1),
  ) {
    this.serverRun = serverRun ?? randomBytes(9).toString('base64url');
    this.instance = `${this.serverRun}.${process.pid}`;
  }

  /** Whether a job kept by `instance`, not finished, was left by a process that is gone. */
  private cutOff(instance: string): boolean {
    return processGone(instance, this.instance, this.serverRun);
  }

  get available(): boolean {
    return this.runner !== undefined;
  }

  /** A job of this process as it is now, or one kept in the graph; only `owner`'s when given. */
  async get(id: string, owner?: string): Promise<ImportJob | undefined> {
    const live = this.jobs.get(id);
    if (live !== undefined) return owner === undefined || live.owner === owner ? live : undefined;
    const kept = await getImportJob(id, owner);
    if (kept === undefined) return undefined;
    const { instance, ...job } = kept;
    if (job.state === 'done' || job.state === 'failed') return job;
    // Running in a live process of this server, or cut off with its upload still here: a start resumes it.
    if (!this.cutOff(instance) || fs.existsSync(this.fileOf(id))) return job;
    const failed: ImportJob = { ...job, state: 'failed', error: INTERRUPTED, finishedAt: isoUtc(this.now()) };
    await saveImportJob({ ...failed, instance });
    return failed;
  }

  /**
   * Streams `body` to a temporary file (at most `maxBytes`; more is a 413), then queues the
   * import. Imports run one at a time: two big files at once would only fight for the database.
   */
  async receive(
    body: Readable,
    owner: string,
    scope: Jurisdiction | undefined,
    label: string,
    maxBytes: number,
    onDone: (job: ImportJob) => Promise<void>,
  ): Promise<ImportJob> {
    const id = `im${randomBytes(12).toString('hex')}`;
    const job: ImportJob = {
      id,
      kind: 'passages',
      state: 'receiving',
      owner,
      label,
      bytes: 0,
      startedAt: isoUtc(this.now()),
      progress: { read: 0, imported: 0, duplicates: 0, rejected: 0 },
    };
    this.remember(job);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(id);
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        job.bytes += chunk.length;
        if (job.bytes > maxBytes) done(new HttpError(413, 'too_large', `the upload is larger than ${maxBytes} bytes`));
        else done(null, chunk);
      },
    });
    const header = new HeaderCheck();
    try {
      await pipeline(body, counter, header, fs.createWriteStream(file, { mode: 0o600 }));
    } catch (e) {
      this.jobs.delete(id);
      fs.rmSync(file, { force: true });
      throw header.refusal ?? e;
    }
    if (header.refusal) {
      this.jobs.delete(id);
      fs.rmSync(file, { force: true });
      throw header.refusal;
    }
    job.state = 'queued';
    try {
      await this.save(job);
    } catch (e) {
      this.jobs.delete(id);
      fs.rmSync(file, { force: true });
      throw e;
    }
    this.queue = this.queue.then(() => this.run(job, file, scope, onDone));
    return job;
  }

  /**
   * Queues again the jobs that processes now gone (an earlier run of the server, a worker of this
   * one that died) left queued or running, whose upload is still in this process's upload folder;
   * each resumes after its last committed batch. `decide` says how each goes on (the importer's
   * scope as it is now, the audit of its end), or why it cannot (a reason: the job ends failed).
   * A job whose upload is not here is left to get(), which answers it failed. Then the uploads of
   * no unfinished job, untouched for an hour (cut off while they were being received: never
   * acknowledged), are deleted. Run at start-up, before the server answers.
   */
  async resumeUnfinished(decide: (job: ImportJob) => Promise<Resumption | string>): Promise<{ resumed: number; refused: number; swept: number }> {
    let resumed = 0;
    let refused = 0;
    const unfinished = await unfinishedImportJobs(this.instance);
    for (const kept of unfinished) {
      const file = this.fileOf(kept.id);
      if (!this.cutOff(kept.instance) || !fs.existsSync(file)) continue;
      if (!(await claimImportJob(kept.id, kept.instance, this.instance))) continue;
      const { instance: _left, ...rest } = kept;
      const job: ImportJob = { ...rest, progress: { ...rest.progress }, state: 'queued' };
      this.remember(job);
      const how = await decide(job);
      if (typeof how === 'string') {
        refused++;
        this.discard(file);
        await this.finish(job, { state: 'failed', error: how }, () => Promise.resolve());
        continue;
      }
      resumed++;
      this.queue = this.queue.then(() => this.run(job, file, how.scope, how.onDone));
    }
    const swept = this.sweep(new Set(unfinished.map((j) => j.id)));
    return { resumed, refused, swept };
  }

  /**
   * Deletes the uploads no job will read: not of an unfinished job, and untouched for an hour (so
   * not one a live worker is receiving or has just queued). They hold personal data.
   */
  private sweep(unfinished: ReadonlySet<string>): number {
    let swept = 0;
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const name of names) {
      const m = /^(im[0-9a-f]{24})\.csv$/.exec(name);
      if (!m || unfinished.has(m[1]!)) continue;
      const file = path.join(this.dir, name);
      try {
        if (this.now() - fs.statSync(file).mtimeMs < ABANDONED_MS) continue;
      } catch {
        continue;
      }
      this.discard(file);
      swept++;
    }
    return swept;
  }

  /**
   * For a graceful stop: no queued import starts, the running one stops before its next batch,
   * and each keeps its upload and checkpoint, so the next start resumes it. Resolves when the
   * running one has stopped.
   */
  async pause(): Promise<void> {
    this.paused = true;
    this.stopWaiting?.();
    this.current?.abort(new Error('the server is stopping'));
    await this.queue;
  }

  /** Resolves when every queued import has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${id}.csv`);
  }

  /** The upload and its resume point: gone once its job has ended. */
  private discard(file: string): void {
    fs.rmSync(file, { force: true });
    forgetCheckpoint(file, 'passages');
  }

  private async run(job: ImportJob, file: string, scope: Jurisdiction | undefined, onDone: (job: ImportJob) => Promise<void>): Promise<void> {
    // Stays queued in the graph, its upload on disk: the next start resumes it.
    if (this.paused) return;
    const permit = await this.permit();
    if (permit === undefined) return;
    try {
      await this.runPermitted(job, file, scope, onDone);
    } finally {
      permit.release();
    }
  }

  /**
   * This process's queue runs one import at a time; with `serve --workers N` the import also
   * waits for the server-wide permit, so the workers' queues take turns (first come, first served)
   * instead of importing into the same Neo4j at once. Undefined when paused while waiting, or
   * when there is no primary left to ask: the job stays queued for the next start.
   */
  private async permit(): Promise<PermitRequest | undefined> {
    const request = this.permits.request();
    const paused = new Promise<'paused'>((r) => (this.stopWaiting = () => r('paused')));
    const answer = await Promise.race([request.answer, paused]);
    this.stopWaiting = undefined;
    if (answer === 'paused' || !answer.granted || this.paused) {
      request.release();
      return undefined;
    }
    return request;
  }

  private async runPermitted(job: ImportJob, file: string, scope: Jurisdiction | undefined, onDone: (job: ImportJob) => Promise<void>): Promise<void> {
    job.state = 'running';
    let end: Pick<ImportJob, 'state'> & Partial<ImportJob>;
    let saved = this.now();
    this.saveLater(job);
    const stop = new AbortController();
    this.current = stop;
    try {
      if (!this.runner) throw new Error('the import pipeline is not available');
      const summary = await this.runner(
        file,
        job.label,
        (p) => {
          job.progress = { ...p };
          if (this.now() - saved >= SAVE_PROGRESS_MS) {
            saved = this.now();
            this.saveLater(job);
          }
        },
        scope,
        stop.signal,
        this.now(),
      );
      end = {
        summary,
        progress: { read: summary.read, imported: summary.imported, duplicates: summary.duplicates, rejected: summary.rejected },
        state: 'done',
      };
    } catch (e) {
      if (stop.signal.aborted) {
        // Paused by a graceful stop: running in the graph, resumed by the next start.
        await this.save(job).catch(() => undefined);
        this.logger.info({ job: job.id }, 'import paused until the next start');
        return;
      }
      // The message of an engine error is short and names no personal value; anything else is logged by type only.
      end = { state: 'failed', error: (e as { name?: string }).name === 'TruyvetError' ? (e as Error).message : 'the import failed' };
      this.logger.error({ job: job.id, type: (e as Error).name }, 'import failed');
    } finally {
      this.current = undefined;
    }
    this.discard(file);
    await this.finish(job, end, onDone);
  }

  /**
   * The end is kept in the graph and audited before this process answers it: whoever sees the
   * job finished finds it so in the graph and in the audit too.
   */
  private async finish(job: ImportJob, end: Pick<ImportJob, 'state'> & Partial<ImportJob>, onDone: (job: ImportJob) => Promise<void>): Promise<void> {
    const finished: ImportJob = { ...job, progress: { ...job.progress }, ...end, finishedAt: isoUtc(this.now()) };
    try {
      await this.save(job, finished);
      await pruneImportJobs();
    } catch (e) {
      this.logger.error({ job: job.id, type: (e as Error).name }, 'could not keep the end of an import in the graph');
    }
    try {
      await onDone(finished);
    } catch (e) {
      this.logger.error({ job: job.id, type: (e as Error).name }, 'could not record the end of an import');
    }
    Object.assign(job, finished);
  }

  /**
   * Writes the job as it is now, after its earlier writes: a progress write still on its way
   * must not land after the final one and make a finished job look cut off.
   */
  private save(job: ImportJob, state: ImportJob = job): Promise<void> {
    const record = { ...state, progress: { ...state.progress }, instance: this.instance };
    const next = (this.saving.get(job) ?? Promise.resolve()).catch(() => undefined).then(() => saveImportJob(record));
    this.saving.set(job, next);
    return next;
  }

  /** Progress on the way: a failed write is logged, and the next one (or the end) catches up. */
  private saveLater(job: ImportJob): void {
    this.save(job).catch((e: unknown) => this.logger.warn({ job: job.id, type: (e as Error).name }, 'could not keep an import job in the graph'));
  }

  private remember(job: ImportJob): void {
    this.jobs.set(job.id, job);
    if (this.jobs.size > KEEP_JOBS) {
      for (const [id, j] of this.jobs) {
        if (j.state === 'done' || j.state === 'failed') {
          this.jobs.delete(id);
          break;
        }
      }
    }
  }
}
