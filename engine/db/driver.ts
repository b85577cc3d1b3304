import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import neo4j, { type BookmarkManager, type Driver, type ManagedTransaction, type QueryResult, type Record as Neo4jRecord, type RecordShape, type ServerInfo } from 'neo4j-driver';
import { coalesceWrites, connectionSettings, localNeo4jHome, usesLocalNeo4j } from '../config';
import { coalesceBoltWrites } from './coalesce-writes';
import { TruyvetError, unavailable } from '../errors';

/**
 * One driver per process (CONVENTIONS.md). `neo4j://` URIs route: reads go through read
 * routing (`readQuery`), writes through write routing (`writeTx`). Errors leave this module as
 * TruyvetError, so callers never see a driver error or a Cypher text.
 */

let shared: Driver | undefined;

/**
 * How long a failing read or transaction is retried (the driver's default is 30 s): retrying for
 * that long would hold an API request that long when the database is down; 5 s covers a leader
 * switch in a cluster or a pooled connection broken by a restart.
 */
const RETRY_MS = 5_000;

export function localPasswordFile(home: string = localNeo4jHome()): string {
  return path.join(home, 'password');
}

function password(): string {
  const s = connectionSettings();
  if (s.password !== undefined) return s.password;
  if (usesLocalNeo4j()) {
    try {
      return fs.readFileSync(localPasswordFile(), 'utf8').trim();
    } catch {
      throw unavailable(`no NEO4J_PASSWORD and no local password file at ${localPasswordFile()}; start the local server with 'truyvet neo4j start'`);
    }
  }
  throw unavailable('NEO4J_PASSWORD is not set');
}

export function getDriver(): Driver {
  if (!shared) {
    const s = connectionSettings();
    coalesceBoltWrites(coalesceWrites());
    shared = neo4j.driver(s.uri, neo4j.auth.basic(s.user, password()), {
      disableLosslessIntegers: true,
      maxConnectionPoolSize: 50,
      connectionAcquisitionTimeout: 30_000,
      maxTransactionRetryTime: RETRY_MS,
      userAgent: 'truyvet/0.1',
    });
  }
  return shared;
}

export async function closeDriver(): Promise<void> {
  const d = shared;
  shared = undefined;
  if (d) await d.close();
}

export function database(): string | undefined {
  return connectionSettings().database;
}

export interface QueryOptions {
  /** Server-side transaction timeout in milliseconds. */
  readonly timeoutMs?: number;
  /**
   * Stops work made of many statements between two of them (readStatements): once aborted, the
   * next statement is not sent and its reason is thrown. A background outbreak run is cancelled so.
   */
  readonly signal?: AbortSignal;
}

/** A read through read routing; returns mapped records. */
export async function readQuery<T, R extends RecordShape = RecordShape>(
  cypher: string,
  params: Record<string, unknown>,
  map: (record: R) => T,
  options: QueryOptions = {},
): Promise<T[]> {
  return readStatements(async (run) => (await run(cypher, params)).map((r) => map(r.toObject() as R)), options);
}

/** Runs one read statement and returns all its records. */
export type StatementRunner = (cypher: string, params: Record<string, unknown>) => Promise<Neo4jRecord[]>;

/**
 * Read statements run one after another on one session, each its own auto-commit transaction:
 * no BEGIN and COMMIT round trips, 0.4–0.8 ms of a median 10M-city trace's ~7 ms (A/B on the
 * same traces). An explicit transaction would give no more consistency: Neo4j reads are read
 * committed, each statement sees what was committed when it ran. Like executeRead, a retryable
 * failure (a pooled connection a restart broke, a database still starting) runs `work` again on
 * a new session, for up to RETRY_MS; `work` must only read. `timeoutMs` bounds the statements
 * together, as it bounded the one transaction they replace: each gets what is left of it.
 */
export async function readStatements<T>(work: (run: StatementRunner) => Promise<T>, options: QueryOptions = {}): Promise<T> {
  const deadline = Date.now() + RETRY_MS;
  for (let attempt = 0; ; attempt++) {
    const session = getDriver().session({ defaultAccessMode: neo4j.session.READ, ...dbOpt() });
    const until = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
    try {
      return await work(async (cypher, params) => {
        options.signal?.throwIfAborted();
        if (until === undefined) return (await session.run(cypher, params)).records;
        const left = until - Date.now();
        if (left <= 0) throw timedOut();
        return (await session.run(cypher, params, { timeout: left })).records;
      });
    } catch (e) {
      if (options.signal?.aborted === true || !neo4j.isRetryableError(e) || Date.now() + retryDelay(attempt) > deadline) throw mapDriverError(e);
      await sleep(retryDelay(attempt));
    } finally {
      await session.close();
    }
  }
}

/** 100 ms, 200 ms, 400 ms … at most 1 s between attempts. */
function retryDelay(attempt: number): number {
  return Math.min(1_000, 100 * 2 ** attempt);
}

/** Several statements in one write transaction through write routing. `work` must be idempotent: it may be retried. */
export async function writeTx<T>(work: (tx: ManagedTransaction) => Promise<T>, options: QueryOptions = {}): Promise<T> {
  const session = getDriver().session({ defaultAccessMode: neo4j.session.WRITE, ...dbOpt() });
  try {
    return await session.executeWrite(work, txConfig(options));
  } catch (e) {
    throw mapDriverError(e);
  } finally {
    await session.close();
  }
}

/** A single write statement; returns mapped records. */
export async function writeQuery<T, R extends RecordShape = RecordShape>(
  cypher: string,
  params: Record<string, unknown>,
  map: (record: R) => T,
  options: QueryOptions = {},
): Promise<T[]> {
  return writeTx(async (tx) => (await tx.run<R>(cypher, params)).records.map((r) => map(r.toObject())), options);
}

/** Schema statements run outside explicit transactions (auto-commit). */
export async function runAutoCommit(cypher: string, params: Record<string, unknown> = {}): Promise<QueryResult> {
  const session = getDriver().session({ defaultAccessMode: neo4j.session.WRITE, ...dbOpt() });
  try {
    return await session.run(cypher, params);
  } catch (e) {
    throw mapDriverError(e);
  } finally {
    await session.close();
  }
}

export async function serverInfo(): Promise<ServerInfo> {
  try {
    const db = database();
    return await getDriver().getServerInfo(db === undefined ? {} : { database: db });
  } catch (e) {
    throw mapDriverError(e);
  }
}

/** Resolves when the database answers; an unavailable error (engine/errors.ts) when it does not. */
export async function pingDatabase(): Promise<void> {
  await serverInfo();
}

/**
 * Every session shares the driver's bookmark manager: on a cluster a read routed to a secondary
 * then waits until that member has applied this process's latest write (a trace stored on the
 * primary reads back from a secondary; docs/scale.md). On one server it costs nothing.
 */
function dbOpt(): { database?: string; bookmarkManager: BookmarkManager } {
  const db = database();
  const bookmarkManager = getDriver().executeQueryBookmarkManager;
  return db === undefined ? { bookmarkManager } : { database: db, bookmarkManager };
}

function txConfig(options: QueryOptions): { timeout?: number } {
  return options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs };
}

function timedOut(cause?: unknown): TruyvetError {
  return new TruyvetError('unavailable', 'the query took longer than its time limit', [], cause === undefined ? {} : { cause });
}

/** Driver and server errors → TruyvetError; the message never carries Cypher or parameters. */
export function mapDriverError(e: unknown): Error {
  if (e instanceof TruyvetError) return e;
  const code = (e as { code?: string }).code ?? '';
  if (code === 'ServiceUnavailable' || code === 'SessionExpired' || /ECONNREFUSED|connect/i.test(String((e as Error).message ?? ''))) {
    return unavailable('the database is not reachable', e);
  }
  if (code.startsWith('Neo.ClientError.Security.')) return unavailable('the database refused the credentials', e);
  if (code === 'Neo.ClientError.Transaction.TransactionTimedOut' || code === 'Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration') {
    return timedOut(e);
  }
  if (code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
    return new TruyvetError('conflict', 'a record with the same key already exists', [], { cause: e });
  }
  return e instanceof Error ? e : new Error(String(e));
}
