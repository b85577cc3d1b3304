import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createAccount } from '../../engine/accounts/accounts';
import type { Role } from '../../engine/accounts/roles';
import { dropChain } from '../../engine/audit/store';
import { writeQuery } from '../../engine/db/driver';
import type { Logger } from '../../engine/logger';
import type { Jurisdiction } from '../../engine/types';
import { createApp, type CreateAppOptions, type TruyvetApp } from '../../api/app';
import type { ImportRunner } from '../../api/imports';
import type { ApiSettings } from '../../api/settings';

/**
 * The API test harness: the real app, in process, on port 0, over real HTTP, against the real
 * Neo4j. Everything a test makes carries its run id: accounts (`<run>-…`), the audit chain
 * (the run id), stations and people (tests/helpers/run-data.ts). `cleanup` removes only that.
 */

// Cheap password hashes for the tests (the stored hash keeps its own cost; production uses 2^17).
process.env['TRUYVET_SCRYPT_LOG2N'] = '10';

export function testSettings(run: string, over: Partial<ApiSettings> = {}): ApiSettings {
  return {
    tokenSeconds: 900,
    sessionMaxSeconds: 12 * 3600,
    lockout: { maxFailures: 5, lockMs: 15 * 60_000 },
    loginPerMinute: 10_000,
    requestsPerMinute: 100_000,
    declarationsPerMinute: 100_000,
    declarationsPerDocumentHour: 100_000,
    declarationLimitBytes: 16 * 1024,
    maxTraceDepth: 5,
    traceMaxDays: 21,
    traceApproval: 'off',
    maxTracePeople: 20_000,
    maxTraceContacts: 1_000_000,
    traceTimeoutMs: 30_000,
    traceConcurrency: 3,
    traceQueue: 64,
    traceMaxWaitMs: 30_000,
    defaultPageSize: 200,
    jsonLimitBytes: 64 * 1024,
    importLimitBytes: 10 * 1024 * 1024,
    uploadDir: path.join(os.tmpdir(), `truyvet-test-uploads-${run}`),
    retentionDays: 21,
    declarationRetentionDays: 21,
    purgeAt: undefined,
    oidc: undefined,
    auditChain: run,
    vizDir: path.join(os.tmpdir(), 'truyvet-no-viz'),
    checkUnits: true,
    scanMaxOfflineMs: 72 * 3_600_000,
    ...over,
  };
}

/** A pino logger whose every line lands in `lines` (for the no-personal-data-in-logs checks). */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'trace', base: { app: 'truyvet' } }, { write: (s: string) => void lines.push(s) });
  return { logger, lines };
}

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestServer {
  readonly url: string;
  readonly app: TruyvetApp;
  readonly lines: string[];
  request<T = Record<string, unknown>>(method: string, p: string, o?: { token?: string; json?: unknown; body?: string | Buffer; headers?: Record<string, string> }): Promise<Reply<T>>;
  login(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export async function startServer(
  run: string,
  o: {
    settings?: Partial<ApiSettings>;
    now?: () => number;
    importRunner?: ImportRunner;
    logger?: { logger: Logger; lines: string[] };
    sharedLimitStore?: CreateAppOptions['sharedLimitStore'];
    sharedPermits?: CreateAppOptions['sharedPermits'];
  } = {},
): Promise<TestServer> {
  const log = o.logger ?? memoryLogger();
  const app = createApp({
    settings: testSettings(run, o.settings),
    logger: log.logger,
    ...(o.now ? { now: o.now } : {}),
    ...(o.importRunner ? { importRunner: o.importRunner } : {}),
    ...(o.sharedLimitStore ? { sharedLimitStore: o.sharedLimitStore } : {}),
    ...(o.sharedPermits ? { sharedPermits: o.sharedPermits } : {}),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request: TestServer['request'] = async (method, p, ro = {}) => {
    const headers: Record<string, string> = { ...(ro.headers ?? {}) };
    if (ro.token !== undefined) headers['authorization'] = `Bearer ${ro.token}`;
    let body: string | Buffer | undefined = ro.body;
    if (ro.json !== undefined) {
      body = JSON.stringify(ro.json);
      headers['content-type'] ??= 'application/json';
    }
    const payload = typeof body === 'string' || body === undefined ? body : new Uint8Array(body);
    const res = await fetch(url + p, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as never, text };
  };
  return {
    url,
    app,
    lines: log.lines,
    request,
    async login(username, password) {
      const r = await request<{ accessToken: string }>('POST', '/api/auth/token', { json: { username, password } });
      if (r.status !== 200) throw new Error(`login of ${username} answered ${r.status}: ${r.text}`);
      return r.body.accessToken;
    },
    async close() {
      await app.truyvet.imports.idle();
      await app.truyvet.scans.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(app.truyvet.settings.uploadDir, { recursive: true, force: true });
    },
  };
}

export const PASSWORD = 'correct horse 42 battery';

export async function makeAccount(run: string, name: string, role: Role, jurisdiction?: Jurisdiction): Promise<{ username: string; password: string }> {
  const username = `${run}-${name}`;
  await createAccount({ username, password: PASSWORD, role, jurisdiction }, Date.now());
  return { username, password: PASSWORD };
}

/** Removes the run's accounts and their refresh tokens, its audit chain, the traces its accounts opened and their import jobs. */
export async function cleanupRun(run: string): Promise<void> {
  await writeQuery('MATCH (t:RefreshToken) WHERE toLower(t.username) STARTS WITH toLower($run) DELETE t', { run }, () => undefined);
  // Lower-cased: tests of case-insensitive usernames make `<RUN>-…` too.
  await writeQuery('MATCH (a:Account) WHERE toLower(a.username) STARTS WITH toLower($run) OR a.username STARTS WITH $ext DELETE a', { run, ext: `oidc:${run}` }, () => undefined);
  await writeQuery('MATCH (t:TraceRecord) WHERE t.owner STARTS WITH $run OR t.owner STARTS WITH $ext DELETE t', { run, ext: `oidc:${run}` }, () => undefined);
  await writeQuery('MATCH (j:ImportJob) WHERE j.owner STARTS WITH $run DELETE j', { run }, () => undefined);
  await dropChain(run);
}

/** A province code of the run's own (digits, as the schema requires): nothing else lives there. */
export function runProvince(): string {
  return `9${String(Math.floor(Math.random() * 100_000)).padStart(5, '0')}`;
}
