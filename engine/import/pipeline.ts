import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { stationZones } from '../db/stations';
import { invalidInput, notFound } from '../errors';
import type { ImportReject, ImportSummary, Jurisdiction } from '../types';
import {
  checkpointPath,
  hashPrefix,
  PrefixHasher,
  readCheckpoint,
  removeCheckpoint,
  writeCheckpoint,
  type Checkpoint,
  type ImportCounts,
} from './checkpoint';
import { readCsv, type CsvItem } from './csv';
import { planColumns, renames, type ImportKind } from './header';
import type { ImportProfile } from './profiles';
import { RejectReport, reportValue, type ReportRow } from './report';
import { collectIfOver } from './memory';
import type { RowValidator } from './rows';
import { caseSink, passageSink, personSink, stationSink, type PendingRow, type RowOutcome, type Sink } from './sinks';

/**
 * The batch import: reads a CSV file as a stream, validates each row, and writes valid rows in
 * batches of `batchSize`, one write transaction per batch, with the next batch parsed while the
 * previous ones are in the database. A sink may have several batches in flight (passages: two,
 * so Neo4j writes on both cores while the importer parses); their outcomes are still counted,
 * reported and checkpointed in file order, so the resume point never passes a batch that did not
 * commit. Memory is bounded by a few batches whatever the file size.
 *
 * Counting: every record after the header is `read` once and ends as exactly one of imported
 * (new or changed), duplicate (already stored as is, or repeated in the file) or rejected
 * (with line, field and reason), so read = imported + duplicates + rejected.
 */

/**
 * Rows per transaction. Measured on the 2-core build machine with Neo4j (4-GB heap) beside the
 * importer (docs/benchmarks.md, "Import"), passages as nodes: 2,000 rows 10.4k rows/s, 5,000 12.7k,
 * 10,000 11.4k (100k-row samples of the design city); one row per transaction is far slower (a
 * fixed ~10 ms a transaction). A passage node is a small transaction state (one node, three
 * index entries), so 5,000 rows stay well inside a shared heap.
 */
export const DEFAULT_BATCH_SIZE = 5000;
/**
 * Registry rows are sealed one by one and each batch stays alive across its write, so its
 * garbage reaches the old generation: 2,000 rows keep a registry import's peak RSS under
 * 300 MB (200,000 new people: 279 MB at 5,000, 235 MB at 2,000, and no slower).
 */
export const DEFAULT_BATCH_SIZES: Readonly<Record<ImportKind, number>> = { stations: DEFAULT_BATCH_SIZE, people: 2000, passages: DEFAULT_BATCH_SIZE, cases: 2000 };
/** How many rejects the summary carries; the report file has them all. */
export const SUMMARY_REJECTS = 100;
/** A batch also ends after this many rejects, so a file of garbage does not pile up in memory. */
const MAX_PENDING_REJECTS = 10_000;

export interface ImportProgress {
  /** Offset just after the last record parsed, and the file's size: for a rate and an ETA. */
  readonly bytes: number;
  readonly totalBytes: number;
  /** Records parsed so far (committed or not). */
  readonly parsed: number;
  readonly counts: Readonly<ImportCounts>;
}

export interface ImportOptions {
  readonly kind: ImportKind;
  readonly file: string;
  readonly batchSize?: number;
  /** `--map`: source column → truyvet column. */
  readonly map?: Readonly<Record<string, string>>;
  readonly profile?: ImportProfile;
  /** Where to write every reject as CSV; none when undefined. */
  readonly reportFile?: string;
  /** Use and keep a checkpoint (default true). */
  readonly resume?: boolean;
  /** Milliseconds from any fixed origin; the engine does not read the clock itself. */
  readonly clock: () => number;
  /**
   * When the import runs (epoch ms): a passage instant more than a day after it is rejected, as
   * is one before 2000 (time.instantRangeProblem).
   */
  readonly now: number;
  readonly onProgress?: (p: ImportProgress) => void;
  /** Passages only: rows at stations outside this jurisdiction are rejected (an importer's own). */
  readonly scope?: Jurisdiction;
  /**
   * Stops the import before its next batch is written (the signal's reason is thrown); the
   * checkpoint then holds every batch committed so far, for a later run to resume after.
   */
  readonly signal?: AbortSignal;
}

/** The DESIGN.md summary, extended (fields added, none renamed). */
export interface ImportResult extends ImportSummary {
  readonly kind: ImportKind;
  /** Of `imported`: rows that changed a stored station or registry entry. */
  readonly updated: number;
  readonly warnings: string[];
  /** The rejects report written, if any. */
  readonly report: string | null;
  /** Line where this run started reading, when it resumed an interrupted import. */
  readonly resumedAtLine: number | null;
  readonly batchSize: number;
}

interface Batch<T> {
  rows: PendingRow<T>[];
  rejects: ReportRow[];
  read: number;
  endByte: number;
  endLine: number;
}

export async function runImport(o: ImportOptions): Promise<ImportResult> {
  const started = o.clock();
  const batchSize = o.batchSize ?? DEFAULT_BATCH_SIZES[o.kind];
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw invalidInput(`batch size ${batchSize} must be a whole number from 1 to 100000`);
  }
  const abs = path.resolve(o.file);
  const stat = statFile(o.file, abs);
  const warnings: string[] = [];

  const header = await readHeader(o.file, abs);
  const rename = renames(o.kind, o.profile, o.map ?? {});
  const plan = planColumns(o.kind, header.fields, rename);
  warnings.push(...plan.warnings);

  // Where to start: the beginning, or just after the last batch an interrupted run committed.
  const cpFile = checkpointPath(abs, o.kind, rename);
  const useCheckpoint = o.resume ?? true;
  let cp: Checkpoint | undefined = useCheckpoint ? readCheckpoint(cpFile) : undefined;
  let hasher = new PrefixHasher();
  if (cp) {
    const reason = checkpointMismatch(cp, stat, header.fields, abs);
    const prefix = reason === undefined ? await hashPrefix(abs, cp.byteOffset) : undefined;
    if (reason !== undefined || prefix === undefined || prefix.hex !== cp.prefixSha256) {
      warnings.push(`an interrupted import of this file was found, but ${reason ?? 'the start of the file changed'}: importing from the beginning`);
      cp = undefined;
    } else {
      hasher = new PrefixHasher(prefix.hash, cp.byteOffset);
    }
  }
  if (!useCheckpoint) removeCheckpoint(cpFile);

  const runId = cp?.runId ?? `imp-${randomBytes(8).toString('hex')}`;
  const counts: ImportCounts = cp ? { ...cp.counts } : { read: 0, imported: 0, updated: 0, duplicates: 0, rejected: 0 };
  const readBefore = counts.read;
  const summaryRejects: ImportReject[] = cp ? [...cp.rejects] : [];

  const sink = await makeSink(o, runId);

  // Opened last, so a run that cannot start leaves an earlier report as it was.
  let report: RejectReport | undefined;
  if (o.reportFile !== undefined) {
    if (cp?.report && path.resolve(cp.report.path) === path.resolve(o.reportFile)) report = RejectReport.resume(o.reportFile, cp.report.bytes);
    if (cp && !report && cp.counts.rejected > 0) warnings.push(`the rejects of lines before ${cp.nextLine} are not in ${o.reportFile}: they are in the interrupted run's report`);
    report ??= RejectReport.create(o.reportFile);
  }
  const startByte = cp ? await skipSplitCrlf(abs, cp.byteOffset) : 0;
  // The skipped LF still belongs to the hashed prefix of later checkpoints.
  if (cp && startByte > cp.byteOffset) hasher.feed(Buffer.from([10]), cp.byteOffset);
  const startLine = cp ? cp.nextLine : 1;

  let batch: Batch<unknown> = { rows: [], rejects: [], read: 0, endByte: startByte, endLine: startLine - 1 };
  let failure: Error | undefined;
  let parsed = counts.read;

  const account = (b: Batch<unknown>, outcomes: readonly RowOutcome[]): void => {
    const rejects = b.rejects.slice();
    outcomes.forEach((out, i) => {
      if (out === 'imported') counts.imported++;
      else if (out === 'updated') {
        counts.imported++;
        counts.updated++;
      } else if (out === 'duplicate') counts.duplicates++;
      else rejects.push({ line: b.rows[i]!.line, field: out.field, reason: out.reason, value: '' });
    });
    rejects.sort((a, c) => a.line - c.line);
    counts.read += b.read;
    counts.rejected += rejects.length;
    for (const r of rejects) if (summaryRejects.length < SUMMARY_REJECTS) summaryRejects.push({ line: r.line, field: r.field, reason: r.reason });
    report?.add(rejects);
    if (useCheckpoint && b.read > 0) {
      writeCheckpoint(cpFile, {
        version: 1,
        file: abs,
        kind: o.kind,
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        header: header.fields,
        runId,
        byteOffset: b.endByte,
        nextLine: b.endLine + 1,
        prefixSha256: hasher.digestTo(b.endByte),
        counts,
        rejects: summaryRejects,
        report: report ? { path: report.path, bytes: report.bytes } : null,
      });
    }
  };

  // Accounting runs in file order on one chain; `window` holds the batches not yet accounted.
  const concurrency = Math.max(1, sink.concurrency ?? 1);
  const window: Promise<void>[] = [];
  let accounted: Promise<void> = Promise.resolve();
  const dispatch = async (): Promise<void> => {
    const b = batch;
    batch = { rows: [], rejects: [], read: 0, endByte: b.endByte, endLine: b.endLine };
    while (window.length >= concurrency) await window.shift();
    if (failure !== undefined) throw failure;
    if (o.signal?.aborted) {
      // The batches in flight commit and reach the checkpoint first: a resume starts after them.
      await accounted;
      o.signal.throwIfAborted();
    }
    collectIfOver();
    const written: Promise<RowOutcome[]> = b.rows.length > 0 ? sink.write(b.rows) : Promise.resolve([]);
    // Handled here, awaited in order below: a batch may fail while an earlier one is still in flight.
    written.catch(() => undefined);
    accounted = accounted.then(async () => {
      if (failure !== undefined) return;
      try {
        account(b, await written);
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
      }
    });
    window.push(accounted);
    o.onProgress?.({ bytes: b.endByte, totalBytes: stat.size, parsed, counts });
  };

  const reader = readCsv(abs, {
    startByte,
    startLine,
    ...(useCheckpoint ? { onChunk: (chunk: Buffer, offset: number) => hasher.feed(chunk, offset) } : {}),
  });
  try {
    let skipHeader = startByte === 0;
    for await (const item of reader) {
      if (skipHeader) {
        skipHeader = false;
        if (item.kind === 'record') {
          batch.endByte = item.endByte;
          batch.endLine = item.endLine;
          continue;
        }
      }
      parsed++;
      batch.read++;
      batch.endByte = item.endByte;
      batch.endLine = item.endLine;
      const reject = accept(item, plan.index, plan.width, sink, batch);
      if (reject) batch.rejects.push(reject);
      if (batch.rows.length >= batchSize || batch.rejects.length >= MAX_PENDING_REJECTS) await dispatch();
    }
    await dispatch();
    await accounted;
    if (failure !== undefined) throw failure;
  } finally {
    report?.close();
  }
  if (useCheckpoint) removeCheckpoint(cpFile);
  warnings.push(...(sink.warnings?.() ?? []));

  if (counts.rejected > summaryRejects.length && report === undefined) {
    warnings.push(`${counts.rejected - summaryRejects.length} more rejects are not listed here; use --report FILE for all of them`);
  }
  const seconds = Math.max(0, (o.clock() - started) / 1000);
  const thisRun = counts.read - readBefore;
  return {
    file: o.file,
    read: counts.read,
    imported: counts.imported,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
    seconds: Math.round(seconds * 1000) / 1000,
    rowsPerSecond: seconds > 0 ? Math.round(thisRun / seconds) : thisRun,
    rejects: summaryRejects,
    kind: o.kind,
    updated: counts.updated,
    warnings,
    report: report ? report.path : null,
    resumedAtLine: cp ? startLine : null,
    batchSize,
  };
}

/** Validates one CSV item into the batch; returns its reject, if any. */
function accept(item: CsvItem, index: ReadonlyMap<string, number>, width: number, sink: Sink<unknown>, batch: Batch<unknown>): ReportRow | undefined {
  const v = validateItem(item, index, width, sink.validate);
  if (v.ok) {
    batch.rows.push({ line: item.line, value: v.value });
    return undefined;
  }
  return v.reject;
}

/**
 * One CSV item through a row validator: its value, or its reject (a broken record, the wrong
 * number of fields, or the validator's reason) as the report writes it. For the importer, and
 * for readers that check a file without storing it (engine/import/cases-file.ts, readCasesFile).
 */
export function validateItem<T>(
  item: CsvItem,
  index: ReadonlyMap<string, number>,
  width: number,
  validate: RowValidator<T>,
): { ok: true; value: T } | { ok: false; reject: ReportRow } {
  if (item.kind === 'broken') return { ok: false, reject: { line: item.line, field: 'row', reason: item.reason, value: '' } };
  if (item.fields.length !== width) {
    return { ok: false, reject: { line: item.line, field: 'row', reason: `expected ${width} fields like the header, found ${item.fields.length}`, value: '' } };
  }
  const rec: Record<string, string> = {};
  for (const [col, i] of index) rec[col] = item.fields[i] ?? '';
  const v = validate(rec);
  if (v.ok) return v;
  return { ok: false, reject: { line: item.line, field: v.field, reason: v.reason, value: reportValue(v.field, rec[v.field]) } };
}

async function makeSink(o: ImportOptions, runId: string): Promise<Sink<unknown>> {
  const dayFirst = o.profile?.dayFirst ?? false;
  switch (o.kind) {
    case 'stations':
      return stationSink();
    case 'people':
      return personSink({ dayFirst, runId });
    case 'passages': {
      return passageSink({ dayFirst, runId, now: o.now, ...(await stationZones(o.scope)) });
    }
    case 'cases':
      return caseSink({ dayFirst, runId, now: o.now });
  }
}

/** Throws the error an import of `file` would stop with (missing, not a file, unreadable); cheap, for callers that check before connecting. */
export function checkImportFile(file: string): void {
  statFile(file, path.resolve(file));
}

export function statFile(given: string, abs: string): fs.Stats {
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`${given}: no such file`);
    throw invalidInput(`${given}: cannot read (${code ?? 'error'})`);
  }
  if (!st.isFile()) throw invalidInput(`${given} is not a file`);
  try {
    fs.accessSync(abs, fs.constants.R_OK);
  } catch {
    throw invalidInput(`${given}: cannot read (permission denied)`);
  }
  return st;
}

export async function readHeader(given: string, abs: string): Promise<{ fields: string[] }> {
  for await (const item of readCsv(abs)) {
    if (item.kind === 'broken') throw invalidInput(`${given}: the header row is not readable CSV (${item.reason})`);
    if (item.fields.every((f) => f.trim() === '')) throw invalidInput(`${given}: the header row is empty`);
    return { fields: item.fields };
  }
  throw invalidInput(`${given} is empty: a header row is required`);
}

function checkpointMismatch(cp: Checkpoint, stat: fs.Stats, header: readonly string[], abs: string): string | undefined {
  if (cp.file !== abs) return 'it is for another file';
  if (cp.size !== stat.size || cp.mtimeMs !== stat.mtimeMs) return 'the file changed since (size or modification time)';
  if (JSON.stringify(cp.header) !== JSON.stringify(header)) return 'the header changed';
  if (cp.byteOffset > stat.size) return 'the file is shorter than the committed part';
  return undefined;
}

/**
 * A resume point is just after a record's line break. Should csv-parse ever have reported a
 * record between the CR and LF of a CRLF, start after the LF, or the LF would count as a line.
 */
async function skipSplitCrlf(abs: string, offset: number): Promise<number> {
  if (offset === 0) return 0;
  const fh = await fs.promises.open(abs, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, offset - 1);
    return bytesRead === 2 && buf[0] === 13 && buf[1] === 10 ? offset + 1 : offset;
  } finally {
    await fh.close();
  }
}
