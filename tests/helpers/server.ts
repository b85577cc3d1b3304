import fs from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Logger } from '../../engine/logger';
import { createApp, type CreateAppOptions, type TruyvetApp } from '../../api/app';
import type { ImportRunner } from '../../api/imports';
import type { ApiSettings } from '../../api/settings';
import './cheap-hashes';
import { startCli, type CliProcess } from './cli';

/**
 * The API under test, two ways: `startInProcess`, the real app in this process on port 0 over
 * real HTTP against the real Neo4j (the API tier: settings, clock and logger in the test's hands);
 * and `startServeProcess`, a real `truyvet serve` child process configured by its environment
 * (for what only a process shows: workers, signals, a crash, its log output). Everything a test
 * makes carries its run id, so tests/helpers/cleanup.ts removes only that.
 */

// ---- In process ------------------------------------------------------------------------------

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
    maxOutbreakContacts: 5_000_000,
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

/** The app in this process, listening on a free port of 127.0.0.1, its audit chain the run id. */
export async function startInProcess(
  run: string,
  o: {
    settings?: Partial<ApiSettings>;
    now?: () => number;
    importRunner?: ImportRunner;
    logger?: { logger: Logger; lines: string[] };
    sharedLimitStore?: CreateAppOptions['sharedLimitStore'];
    sharedPermits?: CreateAppOptions['sharedPermits'];
    runGeneration?: CreateAppOptions['runGeneration'];
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
    ...(o.runGeneration ? { runGeneration: o.runGeneration } : {}),
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
      await app.truyvet.outbreaks.idle();
      await app.truyvet.scans.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(app.truyvet.settings.uploadDir, { recursive: true, force: true });
    },
  };
}

// ---- A real `truyvet serve` ------------------------------------------------------------------

export type ServeProcess = CliProcess;

/** A real `truyvet serve` with the test's environment plus `env`; resolves once it listens. */
export function startServeProcess(env: Record<string, string>, args: readonly string[] = []): Promise<ServeProcess> {
  return startCli(['serve', '--port', '0', '--host', '127.0.0.1', ...args], { env, listening: /API listening on (http:\/\/[0-9.:]+)/ });
}

/**
 * A request to a served process, on a connection of its own (no keep-alive: with `serve
 * --workers N`, successive requests are dealt to the workers in turn): status and JSON body (or {}).
 * `localAddress` (another loopback address, such as 127.0.0.2) makes it another client for the
 * per-client limits.
 */
export function call(
  url: string,
  method: string,
  p: string,
  o: { token?: string; body?: string; json?: unknown; timeoutMs?: number; localAddress?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const timeout = o.timeoutMs ?? 30_000;
  const headers: Record<string, string> = {};
  if (o.token) headers['authorization'] = `Bearer ${o.token}`;
  const payload = o.json !== undefined ? JSON.stringify(o.json) : o.body;
  if (o.json !== undefined) headers['content-type'] = 'application/json';
  else if (o.body !== undefined) headers['content-type'] = 'text/csv';
  return new Promise((resolve, reject) => {
    const req = http.request(url + p, { method, headers, agent: false, timeout, ...(o.localAddress ? { localAddress: o.localAddress } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown> });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${p}: no answer in ${timeout} ms`)));
    req.end(payload);
  });
}
