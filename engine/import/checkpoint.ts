import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { importStateDir } from '../config';

/**
 * Resume points of interrupted imports. Correctness does not depend on them: every write is
 * idempotent (passages by id, people by pseudonym, stations by id), so rerunning a killed import
 * from the start loses and duplicates nothing. A checkpoint only lets the rerun skip the prefix
 * of the file whose batches were committed, instead of parsing it again and finding every row
 * a duplicate.
 *
 * After each committed batch the importer writes (atomically, by rename) the byte offset just
 * after the batch's last record, the counts and capped rejects so far, and the SHA-256 of the
 * file's bytes up to that offset. A rerun uses it only if the file has the same size and
 * modification time and the same header, and its prefix hashes the same; anything else means a
 * fresh start. The checkpoint is deleted when the import finishes.
 *
 * Where: TRUYVET_IMPORT_STATE_DIR, else $XDG_STATE_HOME/truyvet/imports, else
 * ~/.local/state/truyvet/imports; one file per (absolute path, kind of file, column renames).
 */

export interface ImportCounts {
  read: number;
  imported: number;
  updated: number;
  duplicates: number;
  rejected: number;
}

const checkpointSchema = z.object({
  version: z.literal(1),
  file: z.string(),
  kind: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  header: z.array(z.string()),
  runId: z.string(),
  byteOffset: z.number().int().nonnegative(),
  /** Line number of the line at byteOffset. */
  nextLine: z.number().int().positive(),
  prefixSha256: z.string(),
  counts: z.object({ read: z.number(), imported: z.number(), updated: z.number(), duplicates: z.number(), rejected: z.number() }),
  rejects: z.array(z.object({ line: z.number(), field: z.string(), reason: z.string() })),
  report: z.object({ path: z.string(), bytes: z.number() }).nullable(),
});

export type Checkpoint = z.infer<typeof checkpointSchema>;

export { importStateDir };

/** The checkpoint file of one import: same file, same kind, same column renames. */
export function checkpointPath(absFile: string, kind: string, renames: ReadonlyMap<string, string>): string {
  const id = createHash('sha256')
    .update(JSON.stringify([absFile, kind, [...renames.entries()].sort()]))
    .digest('hex')
    .slice(0, 32);
  return path.join(importStateDir(), `${id}.json`);
}

export function readCheckpoint(file: string): Checkpoint | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = checkpointSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function writeCheckpoint(file: string, c: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  // Mode 0600: it holds reject reasons, which may quote station ids and instants of the file.
  fs.writeFileSync(tmp, JSON.stringify(c), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function removeCheckpoint(file: string): void {
  fs.rmSync(file, { force: true });
}

/** Drops the resume point of a file imported without column renames (a deleted upload's). */
export function forgetCheckpoint(file: string, kind: string): void {
  removeCheckpoint(checkpointPath(path.resolve(file), kind, new Map()));
}

/**
 * Hashes the file's bytes as they are read, so the hash of any committed prefix is at hand
 * without reading the file twice. Holds only the bytes between the last hashed offset and the
 * read position (about two batches).
 */
export class PrefixHasher {
  private readonly pending: { offset: number; chunk: Buffer }[] = [];
  private hashedTo: number;

  constructor(
    private readonly hash: Hash = createHash('sha256'),
    start = 0,
  ) {
    this.hashedTo = start;
  }

  feed(chunk: Buffer, offset: number): void {
    this.pending.push({ offset, chunk });
  }

  /** SHA-256 (hex) of bytes [0, end). `end` never goes backwards. */
  digestTo(end: number): string {
    while (this.hashedTo < end) {
      const head = this.pending[0];
      if (!head) throw new Error(`prefix hash: bytes up to ${end} were never read`);
      const take = Math.min(head.chunk.length, end - head.offset);
      this.hash.update(head.chunk.subarray(0, take));
      this.hashedTo = head.offset + take;
      if (take === head.chunk.length) this.pending.shift();
      else this.pending[0] = { offset: head.offset + take, chunk: head.chunk.subarray(take) };
    }
    return this.hash.copy().digest('hex');
  }
}

/** Reads bytes [0, end) of a file into a fresh SHA-256; returns the hash (to go on with) and its hex digest. */
export async function hashPrefix(file: string, end: number): Promise<{ hash: Hash; hex: string }> {
  const hash = createHash('sha256');
  if (end > 0) {
    const stream = fs.createReadStream(file, { start: 0, end: end - 1, highWaterMark: 1 << 20 });
    for await (const chunk of stream) hash.update(chunk as Buffer);
  }
  return { hash, hex: hash.copy().digest('hex') };
}

