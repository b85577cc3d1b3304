import type { Request, Response } from 'express';
import type { z } from 'zod';
import { appendAudit } from '../engine/audit/store';
import type { AuditEntry } from '../engine/audit/chain';
import type { Logger } from '../engine/logger';
import type { ScanQueue } from '../engine/scan/queue';
import type { Principal, TokenVerifier } from './auth';
import type { WorkerStatus } from './cluster-status';
import type { DocumentLimit } from './document-limit';
import type { ImportJobs } from './imports';
import type { OutbreakRuns } from './outbreaks';
import type { RouteDef } from './routes';
import type { TraceGate } from './trace-gate';
import type { ProgressBoard } from './trace-progress';
import type { GenerationRunner } from '../engine/trace';
import type { ApiSettings } from './settings';

/** What the app is built from (api/app.ts). Tests pass their own settings, logger and clock. */
export interface AppDeps {
  readonly settings: ApiSettings;
  readonly logger: Logger;
  /** The clock; tests freeze it. */
  readonly now?: () => number;
  /**
   * Groups concurrent checkpoint scans into batches (engine/scan/queue.ts); one per process.
   * Absent → the app builds one. Whoever runs the server closes it on shutdown (api/main.ts).
   */
  readonly scanQueue?: ScanQueue;
  /**
   * How a trace's generations are found (engine/trace, TraceOptions.runGeneration); absent: the
   * engine's own. The tests slow a trace down with it, to watch its progress and cancel it.
   */
  readonly runGeneration?: GenerationRunner;
}

/** The deps with defaults filled in, shared by every handler. */
export interface AppContext {
  readonly settings: ApiSettings;
  readonly logger: Logger;
  readonly now: () => number;
  readonly tokens: TokenVerifier;
  readonly imports: ImportJobs;
  /** Outbreak runs in the background (api/outbreaks.ts); one per app. */
  readonly outbreaks: OutbreakRuns;
  readonly scans: ScanQueue;
  /** Declarations per document number (api/document-limit.ts); one per app, shared by the workers. */
  readonly declarationLimit: DocumentLimit;
  /** Admits traces a few at a time (api/trace-gate.ts); one per app. */
  readonly traceGate: TraceGate;
  /** The running traces' progress, and their cancel (api/trace-progress.ts); one per app. */
  readonly progress: ProgressBoard;
  readonly runGeneration?: GenerationRunner;
  /**
   * Set when a request found the database unreachable. The driver retries a failing transaction
   * for up to 30 s before giving up; while this is set, requests first make one quick probe and
   * answer 503 at once if it fails, instead of each waiting out the retries.
   */
  readonly db: { down: boolean };
  /** Every worker's figures, with `serve --workers N` (api/cluster-status.ts); absent in a lone process. */
  readonly workersStatus?: () => Promise<WorkerStatus[]>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface Ctx<R extends RouteDef> {
  readonly params: Out<R['params']>;
  readonly query: Out<R['query']>;
  /** A route with `bodyCheck: 'handler'` gets the parsed JSON as it came, to validate itself. */
  readonly body: R extends { bodyCheck: 'handler' } ? unknown : Out<R['body']>;
  /** Absent for a public route, and for a route a QR code's holder calls with its key (`holderKey`). */
  readonly principal: R['access'] extends 'public' ? Principal | undefined : R extends { holderKey: true } ? Principal | undefined : Principal;
  readonly req: Request;
  readonly res: Response;
  readonly app: AppContext;
  /** Appends an audit event as the caller; awaited before the answer leaves. */
  readonly audit: (e: Omit<AuditEntry, 'actor' | 'role'> & { actor?: string; role?: string }) => Promise<void>;
}

export interface Reply {
  readonly status?: number;
  readonly body: unknown;
  /** A non-JSON answer (an SVG, a PNG): sent as is with this content type instead of `body`. */
  readonly raw?: { readonly contentType: string; readonly data: string | Buffer };
}

export interface Handler<R extends RouteDef = RouteDef> {
  readonly route: R;
  readonly run: (ctx: Ctx<R>) => Promise<Reply>;
}

export function handler<const R extends RouteDef>(route: R, run: (ctx: Ctx<R>) => Promise<Reply>): Handler<R> {
  return { route, run };
}

export function auditAs(app: AppContext, principal: Principal | undefined) {
  return async (e: Omit<AuditEntry, 'actor' | 'role'> & { actor?: string; role?: string }): Promise<void> => {
    const entry: AuditEntry = { ...e, actor: e.actor ?? principal?.username ?? '-', role: e.role ?? principal?.role ?? '-' };
    await appendAudit(entry, app.now(), app.settings.auditChain);
  };
}
