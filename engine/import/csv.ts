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
  /** Bytes read at a time by the plain-line reader (tests make it small). Default 1 MiB. */
  readonly chunkBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 32 * 1024 * 1024;

/**
 * Yields the file's records in order, with broken stretches as `broken` items at the place they
 * occur. Never throws for bad CSV content; throws (with the fs error code) when the file cannot
 * be read at all.
 *
 * Two readers, one behaviour. Plain lines (no quote, shorter than `maxRecordBytes`, ending in
 * the file's line break) are split here, ~5× cheaper than csv-parse; the first line that is not
 * plain hands the rest of the file to csv-parse, started at that line exactly as a resumed
 * import starts it, with the line break already found. csv-parse alone would give the same
 * items (a differential test in csv.test.ts holds the two together on random bytes).
 */
export async function* readCsv(path: string, options: CsvReadOptions = {}): AsyncGenerator<CsvItem> {
  for await (const items of readCsvBatches(path, options)) yield* items;
}

/** CRLF, LF or (not yet seen) the record delimiter csv-parse would have found on the first line. */
type Delimiter = 'crlf' | 'lf' | undefined;

const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * readCsv, a buffer's worth of items at a time: the importer's loop takes an array per await
 * instead of a promise per record.
 */
export async function* readCsvBatches(path: string, options: CsvReadOptions = {}): AsyncGenerator<CsvItem[]> {
  const startByte = options.startByte ?? 0;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  // Bytes reach onChunk once each, in order, whichever reader read them.
  let fedTo = startByte;
  const feed = (chunk: Buffer, offset: number): void => {
    if (!options.onChunk || offset + chunk.length <= fedTo) return;
    options.onChunk(offset < fedTo ? chunk.subarray(fedTo - offset) : chunk, Math.max(offset, fedTo));
    fedTo = offset + chunk.length;
  };

  const fh = await fs.promises.open(path, 'r');
  let buf: Buffer = Buffer.alloc(0);
  /** File offset of buf[0]. */
  let bufStart = startByte;
  let eof = false;
  let pos = 0;
  let lastEndLine = (options.startLine ?? 1) - 1;
  let emptyLines = 0;
  let delimiter: Delimiter;
  /** Where the last record yielded ends: csv-parse takes over there, if it must. */
  let lastRecordEnd = startByte;
  let handover = false;
  try {
    const more = async (): Promise<void> => {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await fh.read(chunk, 0, chunkBytes, bufStart + buf.length);
      if (bytesRead === 0) {
        eof = true;
        return;
      }
      const got = chunk.subarray(0, bytesRead);
      feed(got, bufStart + buf.length);
      buf = pos < buf.length ? Buffer.concat([buf.subarray(pos), got]) : got;
      bufStart += pos;
      pos = 0;
    };

    // csv-parse skips a byte-order mark where it starts reading; a UTF-16 one switches its
    // decoding, which only csv-parse itself does.
    while (buf.length < 3 && !eof) await more();
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    else if (buf[0] === 0xff && buf[1] === 0xfe) handover = true;

    while (!handover) {
      const items: CsvItem[] = [];
      let nextQuote = buf.indexOf(QUOTE, pos);
      if (nextQuote < 0) nextQuote = buf.length;
      for (;;) {
        if (delimiter === undefined) {
          // The first line break outside quotes fixes the delimiter for the whole file, as in csv-parse.
          let i = pos;
          while (i < buf.length && buf[i] !== LF && buf[i] !== CR && buf[i] !== QUOTE) i++;
          if (i === buf.length && !eof) {
            if (buf.length - pos > maxRecordBytes) handover = true;
            break;
          }
          if (i < buf.length) {
            if (buf[i] === QUOTE) {
              handover = true;
              break;
            }
            if (buf[i] === CR) {
              if (i + 1 === buf.length && !eof) break;
              if (buf[i + 1] !== LF) {
                handover = true;
                break;
              }
              delimiter = 'crlf';
            } else delimiter = 'lf';
          }
        }
        if (pos >= buf.length) break;
        const nl = buf.indexOf(LF, pos);
        if (nl < 0 && !eof) {
          if (buf.length - pos > maxRecordBytes) handover = true;
          break;
        }
        let lineEnd: number;
        let recordEnd: number;
        if (nl < 0) {
          lineEnd = buf.length;
          recordEnd = buf.length;
        } else if (delimiter === 'crlf') {
          // A lone LF is text inside a CRLF file.
          if (nl === pos || buf[nl - 1] !== CR) {
            handover = true;
            break;
          }
          lineEnd = nl - 1;
          recordEnd = nl + 1;
        } else {
          lineEnd = nl;
          recordEnd = nl + 1;
        }
        if (nextQuote < lineEnd || lineEnd - pos > maxRecordBytes) {
          handover = true;
          break;
        }
        if (lineEnd === pos) {
          emptyLines++;
          pos = recordEnd;
          continue;
        }
        const text = buf.toString('utf8', pos, lineEnd);
        const fields = text.split(',');
        const line = lastEndLine + 1 + emptyLines;
        // A plain line holds no LF; a lone CR inside it still ends a physical line.
        lastEndLine = text.indexOf('\r') < 0 ? line : line + lineBreaks(fields);
        emptyLines = 0;
        pos = recordEnd;
        lastRecordEnd = bufStart + recordEnd;
        items.push({ kind: 'record', line, fields, endByte: lastRecordEnd, endLine: lastEndLine });
      }
      if (items.length > 0) yield items;
      if (handover) break;
      if (eof && pos >= buf.length) return;
      await more();
    }
  } finally {
    await fh.close();
  }
  // From the end of the last record, blank lines included, so that csv-parse counts and places
  // everything after it exactly as if it had read the file from the start.
  yield* csvParseBatches(path, {
    ...options,
    startByte: lastRecordEnd,
    startLine: lastEndLine + 1,
    bom: lastRecordEnd === startByte,
    ...(delimiter === undefined ? {} : { recordDelimiter: delimiter === 'crlf' ? '\r\n' : '\n' }),
    onChunk: feed,
  });
}

interface CsvParseOptions extends CsvReadOptions {
  /** Skip a byte-order mark at startByte (csv-parse's `bom`). */
  readonly bom: boolean;
  /** The record delimiter csv-parse found earlier in the file; undefined: found on the first line. */
  readonly recordDelimiter?: string;
}

/**
 * csv-parse from `startByte` to the end: what readCsv was before its plain-line reader, and
 * still is for whatever is not plain. Exported for the differential test.
 */
export async function* csvParseBatches(path: string, options: CsvParseOptions): AsyncGenerator<CsvItem[]> {
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
    bom: options.bom,
    encoding: 'utf8',
    relax_column_count: true,
    // A stray quote inside an unquoted field is taken literally instead of swallowing the rest
    // of the file: checkpoint logs are hand-edited in spreadsheets.
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: maxRecordBytes,
    ...(options.recordDelimiter === undefined ? {} : { record_delimiter: options.recordDelimiter }),
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
      const out: CsvItem[] = [];
      while (brokenQueue.length > 0 && brokenQueue[0]!.seq < tagged.seq) out.push(brokenQueue.shift()!.item);
      out.push(tagged.item);
      yield out;
    }
  } catch (e) {
    throw fileError ?? e;
  } finally {
    file.unpipe(parser);
    file.destroy();
    parser.destroy();
  }
  if (fileError) throw fileError;
  if (brokenQueue.length > 0) yield brokenQueue.map((b) => b.item);
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
