import fs from 'node:fs';
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse';

/**
 * Streams the records of a CSV file (RFC 4180, UTF-8 with or without BOM, LF or CRLF) with the
 * facts an import needs about each: the physical line where it starts (1-based, as a text editor
 * numbers it, so quoted newlines count), and the byte offset just after it (where a resumed
 * import can start reading again). Memory stays bounded by one record plus the stream buffers.
 */

export interface CsvRecord {
  readonly kind: 'record';
  /** Physical line where the record starts. */
  readonly line: number;
  readonly fields: string[];
  /** Byte offset in the file just after the record (and its line break). */
  readonly endByte: number;
  /** Physical line where the record ends. */
  readonly endLine: number;
}

/** Bytes csv-parse could not make a record of; the import rejects them by line and goes on. */
export interface CsvBroken {
  readonly kind: 'broken';
  readonly line: number;
  readonly reason: string;
  readonly endByte: number;
  readonly endLine: number;
}

export type CsvItem = CsvRecord | CsvBroken;

export interface CsvReadOptions {
  /** Byte offset to start at; must be the start of a record (a resume point). Default 0. */
  readonly startByte?: number;
  /** Line number of the line at `startByte`. Default 1. */
  readonly startLine?: number;
  /** A record larger than this cannot be read (csv-parse stops there). Default 32 MiB. */
  readonly maxRecordBytes?: number;
  /** Called with each raw chunk and its offset, before csv-parse sees it (the resume hash). */
  readonly onChunk?: (chunk: Buffer, offset: number) => void;
}

export const DEFAULT_MAX_RECORD_BYTES = 32 * 1024 * 1024;

/**
 * Yields the file's records in order, with broken stretches as `broken` items at the place they
 * occur. Never throws for bad CSV content; throws (with the fs error code) when the file cannot
 * be read at all.
 */
export async function* readCsv(path: string, options: CsvReadOptions = {}): AsyncGenerator<CsvItem> {
  const startByte = options.startByte ?? 0;
  const lineBase = (options.startLine ?? 1) - 1;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;

  // csv-parse reports its skips through a callback while records flow through the stream, so
  // both are numbered as they happen and merged back into file order below.
  let seq = 0;
  let lastEndLine = lineBase;
  let lastEmpty = 0;
  const brokenQueue: { seq: number; item: CsvBroken }[] = [];
  type Tagged = { seq: number; item: CsvRecord };

  const parserOptions: Options<Tagged, string[]> = {
    bom: true,
    encoding: 'utf8',
    relax_column_count: true,
    // A stray quote inside an unquoted field is taken literally instead of swallowing the rest
    // of the file: checkpoint logs are hand-edited in spreadsheets.
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: maxRecordBytes,
    on_record: (fields: string[], ctx: InfoRecord): Tagged => {
      // csv-parse's own `lines` miscounts CRLF inside quoted fields, so lines are counted here:
      // a line break can only sit inside a quoted field, and the field keeps it verbatim.
      const line = lastEndLine + 1 + (ctx.empty_lines - lastEmpty);
      lastEndLine = line + lineBreaks(fields);
      lastEmpty = ctx.empty_lines;
      return { seq: seq++, item: { kind: 'record', line, fields, endByte: startByte + ctx.bytes, endLine: lastEndLine } };
    },
    on_skip: (err: CsvError | undefined) => {
      const info = parser.info;
      const line = lastEndLine + 1 + (info.empty_lines - lastEmpty);
      // Only the start line matters: csv-parse skips like this only at the end of its input.
      lastEndLine = Math.max(line, lineBase + info.lines);
      lastEmpty = info.empty_lines;
      brokenQueue.push({ seq: seq++, item: { kind: 'broken', line, reason: brokenReason(err, maxRecordBytes), endByte: startByte + info.bytes, endLine: lastEndLine } });
      return undefined;
    },
  };
  // csv-parse's overloads do not type on_record's output; the options are checked as Options<Tagged, string[]> above.
  const parser = parse(parserOptions as unknown as Options);

  const file = fs.createReadStream(path, { start: startByte, highWaterMark: 256 * 1024 });
  let offset = startByte;
  let fileError: Error | undefined;
  file.on('data', (chunk) => {
    const buf = chunk as Buffer;
    options.onChunk?.(buf, offset);
    offset += buf.length;
  });
  file.on('error', (e) => {
    fileError = e;
    parser.destroy(e);
  });
  file.pipe(parser);

  try {
    for await (const tagged of parser as AsyncIterable<Tagged>) {
      while (brokenQueue.length > 0 && brokenQueue[0]!.seq < tagged.seq) yield brokenQueue.shift()!.item;
      yield tagged.item;
    }
  } catch (e) {
    throw fileError ?? e;
  } finally {
    file.unpipe(parser);
    file.destroy();
    parser.destroy();
  }
  if (fileError) throw fileError;
  for (const b of brokenQueue) yield b.item;
}

/** LF, CRLF and a lone CR each end a physical line. */
function lineBreaks(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    if (f.indexOf('\n') < 0 && f.indexOf('\r') < 0) continue;
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c === 10 || (c === 13 && f.charCodeAt(i + 1) !== 10)) n++;
    }
  }
  return n;
}

function brokenReason(err: CsvError | undefined, maxRecordBytes: number): string {
  switch (err?.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed (truncated file?); the record is skipped';
    case 'CSV_MAX_RECORD_SIZE':
      return `record larger than ${maxRecordBytes >= 1 << 20 ? `${Math.round(maxRecordBytes / (1 << 20))} MiB` : `${maxRecordBytes} bytes`} (unbalanced quotes?); reading stopped here`;
    default:
      return `not readable as CSV (${err?.code ?? 'unknown error'})`;
  }
}
