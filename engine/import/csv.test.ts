import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { csvParseBatches, readCsv, readCsvBatches, type CsvItem } from './csv';

/**
 * readCsv splits plain lines itself and hands the rest of a file to csv-parse: it must give
 * exactly what csv-parse alone gives (fields, lines, byte offsets, broken records), from the
 * start or from any resume point, however the file is cut into chunks, and feed every byte to
 * the resume hash once, in order.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(bytes: Buffer): string {
  const f = path.join(dir, `f${n++}.csv`);
  fs.writeFileSync(f, bytes);
  return f;
}

async function all(gen: AsyncGenerator<CsvItem[]>): Promise<CsvItem[]> {
  const out: CsvItem[] = [];
  for await (const items of gen) out.push(...items);
  return out;
}

/** What onChunk was given; fails when a chunk does not start where the previous one ended. */
function feedLog(start: number): { onChunk: (chunk: Buffer, offset: number) => void; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  let next = start;
  return {
    onChunk: (chunk, offset) => {
      if (offset !== next) throw new Error(`chunk at ${offset}, expected ${next}`);
      next += chunk.length;
      chunks.push(Buffer.from(chunk));
    },
    bytes: () => Buffer.concat(chunks),
  };
}

// Pieces that exercise every branch: plain text, commas, quotes, both line breaks and lone ones,
// blank lines, multi-byte and invalid UTF-8, a BOM where one may sit.
const PIECES = ['a', 'bc', 'ST1', ',', ',', '"', '""', '\n', '\n', '\r\n', '\r', ' ', 'é', 'Chốt', '\n\n', '\uFEFF', 'x"y'].map((t) => Buffer.from(t, 'utf8'));
const RAW = [Buffer.from([0xff]), Buffer.from([0xe2, 0x2c]), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xff, 0xfe])];
const piece = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...PIECES) }, { weight: 1, arbitrary: fc.constantFrom(...RAW) });
const content = fc.array(piece, { maxLength: 60 }).map((ps) => Buffer.concat(ps));
/** Mostly plain lines, so the fast reader runs long before anything hands it over. */
const mostlyPlain = fc
  .tuple(fc.array(fc.constantFrom('a,b,c', 'x1,,ST9', 'é,ü,', '', 'q,w'), { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), content)
  .map(([lines, nl, tail]) => Buffer.concat([Buffer.from(lines.map((l) => l + nl).join(''), 'utf8'), tail]));

describe('readCsv', () => {
  it('gives what csv-parse alone gives, from the start, for any bytes, chunk size and record limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(content, mostlyPlain), fc.integer({ min: 1, max: 40 }), fc.constantFrom(undefined, 4, 9, 30), async (bytes, chunkBytes, maxRecordBytes) => {
        const f = file(bytes);
        const fed = feedLog(0);
        const max = maxRecordBytes === undefined ? {} : { maxRecordBytes };
        const got = await all(readCsvBatches(f, { chunkBytes, onChunk: fed.onChunk, ...max }));
        expect(got).toEqual(await all(csvParseBatches(f, { bom: true, ...max })));
        expect(fed.bytes().equals(bytes)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('gives what csv-parse gives from any record it returned, as a resumed import starts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(content, mostlyPlain), fc.integer({ min: 1, max: 40 }), fc.nat(), async (bytes, chunkBytes, pick) => {
        const f = file(bytes);
        const records = (await all(csvParseBatches(f, { bom: true }))).filter((r) => r.kind === 'record');
        const from = records[pick % Math.max(1, records.length)];
        if (from === undefined) return;
        const start = { startByte: from.endByte, startLine: from.endLine + 1 };
        const fed = feedLog(from.endByte);
        const got = await all(readCsvBatches(f, { ...start, chunkBytes, onChunk: fed.onChunk }));
        expect(got).toEqual(await all(csvParseBatches(f, { ...start, bom: true })));
        expect(fed.bytes().equals(bytes.subarray(from.endByte))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('splits a plain file itself: 20,000 lines, every record where csv-parse puts it', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `QR-${i},0790${i},ST${i % 2000},2021-08-01T06:49:11+07:00,,qr`);
    const f = file(Buffer.from(`passage_id,person_id,station_id,at,left_at,source\n${lines.join('\n')}\n`));
    const got = await all(readCsvBatches(f));
    expect(got).toEqual(await all(csvParseBatches(f, { bom: true })));
    expect(got).toHaveLength(20_001);
  });

  it('hands a file over at its first quoted line and reads the rest as csv-parse does', async () => {
    const text = 'a,b\n1,2\n\n3,"x\ny"\n4,5\r\n6,7\n';
    const items: CsvItem[] = [];
    for await (const it of readCsv(file(Buffer.from(text)))) items.push(it);
    expect(items.map((i) => (i.kind === 'record' ? [i.line, i.fields] : [i.line]))).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
      [4, ['3', 'x\ny']],
      [6, ['4', '5\r']],
      [8, ['6', '7']],
    ]);
  });
});
