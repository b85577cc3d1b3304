import fs from 'node:fs';
import readline from 'node:readline';
import { parse } from 'csv-parse';
import type { ImportReject, ImportSummary } from '../types';
import { validateDeclaration, type UnifiedDeclaration } from './form';
import { fromPlatform, loadPlatform, type MappingProblem, type PlatformMapping } from './mapping';
import type { DeclarationStatus } from './registry-check';
import { submitDeclarations } from './service';

/**
 * Imports a file of declarations: JSON lines (the unified form, or a JSON platform's records)
 * or a CSV platform export. Each record is mapped, validated, checked against the registry and
 * stored in batches; a record that cannot be mapped or validated is a reject with its line and
 * field, and the rest of the file goes on. Registry-rejected declarations are *stored* (status
 * rejected) and counted in `statuses`, not in `rejected`, which counts records not stored.
 */

export const UNIFIED_PLATFORM = 'unified';

export interface DeclarationImportSummary extends ImportSummary {
  readonly platform: string;
  readonly statuses: Record<DeclarationStatus, number>;
  readonly qrIssued: number;
}

export interface DeclarationImportOptions {
  /** A mapping name from engine/declarations/platforms, or `unified` (default). */
  readonly platform?: string;
  /** Epoch ms of the import (receivedAt). */
  readonly now: number;
  /** Default `declaredAt`: historical records get the codes they would have had. */
  readonly issueAt?: 'now' | 'declaredAt';
  readonly batchSize?: number;
  /** Rejects kept in the summary (the rest are counted). */
  readonly maxRejects?: number;
  /** Reads the wall clock for `seconds` (the CLI passes Date.now; tests leave it out). */
  readonly clock?: () => number;
}

interface Numbered {
  readonly line: number;
  readonly record: unknown;
}

export async function importDeclarationsFile(file: string, options: DeclarationImportOptions): Promise<DeclarationImportSummary> {
  const platform = options.platform ?? UNIFIED_PLATFORM;
  const mapping = platform === UNIFIED_PLATFORM ? undefined : loadPlatform(platform);
  const records = mapping?.format === 'csv' ? csvRecords(file) : jsonLines(file);
  return importDeclarationRecords(records, { ...options, platform }, file, mapping);
}

/** The same pipeline over records already in memory (tests, the generator). */
export async function importDeclarationRecords(
  records: AsyncIterable<Numbered> | Iterable<Numbered>,
  options: DeclarationImportOptions,
  file = '(records)',
  mapping: PlatformMapping | undefined = options.platform === undefined || options.platform === UNIFIED_PLATFORM ? undefined : loadPlatform(options.platform),
): Promise<DeclarationImportSummary> {
  const clock = options.clock ?? (() => 0);
  const started = clock();
  const batchSize = options.batchSize ?? 500;
  const maxRejects = options.maxRejects ?? 1000;
  const rejects: ImportReject[] = [];
  const statuses: Record<DeclarationStatus, number> = { accepted: 0, accepted_with_warnings: 0, rejected: 0, unverified: 0 };
  let read = 0;
  let imported = 0;
  let duplicates = 0;
  let rejected = 0;
  let qrIssued = 0;
  let batch: UnifiedDeclaration[] = [];
  const reject = (line: number, field: string, reason: string) => {
    rejected++;
    if (rejects.length < maxRejects) rejects.push({ line, field, reason });
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const receipts = await submitDeclarations(batch, { now: options.now, issueAt: options.issueAt ?? 'declaredAt' });
    batch = [];
    for (const r of receipts) {
      if (r.duplicate) {
        duplicates++;
        continue;
      }
      imported++;
      statuses[r.status]++;
      if (r.qr !== null) qrIssued++;
    }
  };
  for await (const { line, record } of records) {
    read++;
    if (record instanceof Error) {
      reject(line, '(record)', record.message);
      continue;
    }
    if (mapping === undefined) {
      const v = validateDeclaration(record, { now: options.now });
      if (!v.ok) {
        const first = v.issues[0]!;
        reject(line, first.path, v.issues.map((i) => `${i.path}: ${i.message_en}`).join('; '));
        continue;
      }
      batch.push(v.value);
    } else {
      const v = fromPlatform(mapping, record, { now: options.now });
      if (!v.ok) {
        reject(line, v.problems[0]!.field, v.problems.map(problemText).join('; '));
        continue;
      }
      batch.push(v.value);
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  const seconds = Math.max(0, (clock() - started) / 1000);
  return {
    file,
    read,
    imported,
    duplicates,
    rejected,
    seconds,
    rowsPerSecond: seconds > 0 ? Math.round(read / seconds) : 0,
    rejects,
    platform: options.platform ?? UNIFIED_PLATFORM,
    statuses,
    qrIssued,
  };
}

function problemText(p: MappingProblem): string {
  return p.issue !== undefined ? p.reason : `platform '${p.platform}', field '${p.field}'${p.value === undefined ? '' : `, value ${p.value}`}: ${p.reason}`;
}

async function* jsonLines(file: string): AsyncGenerator<Numbered> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    try {
      yield { line, record: JSON.parse(text) as unknown };
    } catch {
      yield { line, record: new Error('not a JSON object') };
    }
  }
}

async function* csvRecords(file: string): AsyncGenerator<Numbered> {
  const parser = fs.createReadStream(file).pipe(parse({ columns: true, bom: true, info: true, skip_empty_lines: true }));
  for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield { line: row.info.lines, record: row.record };
  }
}
