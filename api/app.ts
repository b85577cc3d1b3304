import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import express, { type ErrorRequestHandler, type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options, type Store } from 'express-rate-limit';
import type { z } from 'zod';
import { AccountChanged, forbidden, isTruyvetError, unavailable } from '../engine/errors';
import { pingDatabase } from '../engine/db';
import type { Logger } from '../engine/logger';
import { createScanQueue } from '../engine/scan/queue';
import type { Permits } from './permits';
import { createTraceGate } from './trace-gate';
import { LocalProgressBoard, localProgressBoard, type ProgressBoard } from './trace-progress';
import { DocumentLimit } from './document-limit';
import { TokenVerifier, type AccountRead, type Principal, type RefusalNote } from './auth';
import { mayCall } from './authorize';
import { auditAs, type AppContext, type AppDeps, type Ctx, type Handler } from './context';
import { errorHandler, HttpError, problem, sendProblem, validationError } from './errors';
import type { ProcessFigures, WorkerStatus } from './cluster-status';
import { HANDLERS } from './handlers';
import { processFigures } from './handlers/status';
import { ImportJobs, type ImportRunner } from './imports';
import { OutbreakRuns } from './outbreaks';
import { ROUTE_LIST, type RouteDef, type RouteId } from './routes';
import { Empty, parsingAt, type ParseContext } from './schemas';

/**
 * Builds the Express app from its dependencies; does not listen (api/main.ts does). Each route
 * of the table in api/routes.ts goes through the same steps, in this order:
 * authenticate (401) → role (403) → validate params, query, body (400) → handler (which checks
 * the jurisdiction and audits) → response parsed through its schema → JSON.
 */

export interface CreateAppOptions extends AppDeps {
  /** The engine's passages import; absent → uploads answer 503. */
  readonly importRunner?: ImportRunner | undefined;
  /** Names the server run the import jobs run in; the workers of one `serve --workers N` share it. Default: random. */
  readonly serverRun?: string;
  /**
   * Where the per-route limits (login attempts, declarations) count, by limit name: the workers
   * of one `serve --workers N` share theirs through the primary (api/cluster.ts). Absent → in
   * this process.
   */
  readonly sharedLimitStore?: (name: string) => Store;
  /**
   * Where the general per-client request limit counts: the workers of one `serve --workers N`
   * share it through the primary in batches (api/shared-request-limit.ts). Absent → in this process.
   */
  readonly requestLimitStore?: Store;
  /**
   * In a worker of `serve --workers N`: the permits of the trace gate ('traces'), of the import
   * queue ('imports') and of outbreak runs ('outbreaks'), counted for all workers in the primary
   * (api/shared-permits.ts). Absent → in this process.
   */
  readonly sharedPermits?: (gate: 'traces' | 'imports' | 'outbreaks') => Permits;
  /** In a worker of `serve --workers N`: how `GET /api/status` gets every worker's figures (api/cluster-status.ts). */
  readonly workersStatus?: (figures: () => ProcessFigures) => () => Promise<WorkerStatus[]>;
  /** In a worker of `serve --workers N`: the progress board that asks the other workers too (api/cluster-progress.ts). */
  readonly progressBoard?: (local: LocalProgressBoard) => ProgressBoard;
}

export interface TruyvetApp extends Express {
  readonly truyvet: AppContext;
}

export function createApp(deps: CreateAppOptions): TruyvetApp {
  const now = deps.now ?? Date.now;
  const traceGate = createTraceGate(
    { concurrency: deps.settings.traceConcurrency, queue: deps.settings.traceQueue, maxWaitMs: deps.settings.traceMaxWaitMs },
    deps.sharedPermits?.('traces'),
  );
  const ctx: AppContext = {
    settings: deps.settings,
    logger: deps.logger,
    now,
    tokens: new TokenVerifier(deps.settings.oidc, now, deps.settings.checkUnits),
    imports: new ImportJobs(deps.importRunner, deps.settings.uploadDir, deps.logger, now, deps.serverRun, deps.sharedPermits?.('imports')),
    scans: deps.scanQueue ?? createScanQueue(deps.settings.scanQueue),
    declarationLimit: new DocumentLimit(deps.settings.declarationsPerDocumentHour, deps.sharedLimitStore?.('declarations-document')),
    traceGate,
    outbreaks: new OutbreakRuns(traceGate, { maxContacts: deps.settings.maxOutbreakContacts }, deps.logger, now, deps.serverRun, deps.sharedPermits?.('outbreaks')),
    progress: deps.progressBoard ? deps.progressBoard(new LocalProgressBoard(now)) : localProgressBoard(now),
    ...(deps.runGeneration ? { runGeneration: deps.runGeneration } : {}),
    db: { down: false },
    ...(deps.workersStatus ? { workersStatus: deps.workersStatus(() => processFigures(ctx)) } : {}),
  };
  const app = express() as unknown as TruyvetApp & { truyvet: AppContext };
  app.truyvet = ctx;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(requestLog(deps.logger));
  app.use(securityHeaders);
  app.use(wellFormedPath);
  // The login and declaration limits' counters are keyed by a digest of the client's address, not
  // the address, when they are shared: they travel between processes, and that store's own
  // diagnostics print them. The general limit's batched store prints nothing and keeps its keys
  // in the primary's memory only, so it keeps the address (one hash less on every request).
  const salt = deps.serverRun ?? randomBytes(9).toString('base64url');
  const digestKey = (req: Request): string =>
    createHash('sha256')
      .update(`truyvet-limit\u0000${salt}\u0000`)
      .update(ipKeyGenerator(req.ip ?? ''))
      .digest('base64url')
      .slice(0, 22);
  const limited = (limit: number, what: string, where: Partial<Pick<Options, 'store' | 'keyGenerator'>> = {}) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      ...where,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) => sendProblem(res, problem(429, 'rate_limited', `too many ${what}; try again in a minute`)),
    });
  const sharedInPrimary = (name: string) => (deps.sharedLimitStore ? { store: deps.sharedLimitStore(name), keyGenerator: digestKey } : {});
  app.use('/api', (_req, res, next) => {
    // Nothing the API answers belongs in a cache: most of it is personal or changes by the minute.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/api', limited(deps.settings.requestsPerMinute, 'requests', deps.requestLimitStore ? { store: deps.requestLimitStore } : {}));
  const ownLimits: Record<NonNullable<RouteDef['rateLimit']>, RequestHandler> = {
    // Shared between workers, each attempt counted in the primary before it is answered: counted
    // per worker, a client spread over N workers would get N times these. The general limit above
    // is on every request, scans included, so its workers share their counts in batches instead.
    login: limited(deps.settings.loginPerMinute, 'login attempts', sharedInPrimary('login')),
    declarations: limited(deps.settings.declarationsPerMinute, 'declarations', sharedInPrimary('declarations')),
  };
  const json = express.json({ limit: deps.settings.jsonLimitBytes, strict: true });
  const declarationJson = express.json({ limit: deps.settings.declarationLimitBytes, strict: true });

  for (const r of ROUTE_LIST) {
    const h = HANDLERS[r.id as RouteId];
    const chain: RequestHandler[] = [];
    if (r.rateLimit) chain.push(ownLimits[r.rateLimit]);
    if (r.body) chain.push(requireJson, contentEncoding(JSON_ENCODINGS), r.bodyLimit === 'declaration' ? declarationJson : json);
    else if (r.bodyKind === 'csv') chain.push(contentEncoding(RAW_ENCODINGS));
    else chain.push(contentEncoding(JSON_ENCODINGS));
    app[r.method](r.path, ...chain, (req: Request, res: Response) => runRoute(ctx, h, req, res));
  }
  app.use('/api', (_req, res) => sendProblem(res, problem(404, 'not_found', 'no such route')));

  // The tracers' view (viz/dist, built by the viz issue) at `/`.
  if (fs.existsSync(deps.settings.vizDir)) {
    app.use(express.static(deps.settings.vizDir, { index: 'index.html', fallthrough: true, maxAge: 0 }));
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('truyvet API: see /api/openapi.json (the view is not built: viz/dist is missing)\n');
    });
  }
  app.use(((err, _req, _res, next) => {
    if (isTruyvetError(err) && err.code === 'unavailable' && err.cause !== undefined) ctx.db.down = true;
    next(err);
  }) as ErrorRequestHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

async function runRoute(ctx: AppContext, h: Handler, req: Request, res: Response): Promise<void> {
  const r: RouteDef = h.route;
  res.locals['routeId'] = r.id;
  if (ctx.db.down && r.id !== 'health' && r.id !== 'openapi' && r.id !== 'jwks') {
    try {
      await pingDatabase();
      ctx.db.down = false;
    } catch {
      throw unavailable('the database is not reachable');
    }
  }
  // A QR code's holder calls a `holderKey` route with the receipt's key and no token; the handler checks the key.
  const asHolder = r.holderKey === true && req.headers.authorization === undefined && typeof req.query['key'] === 'string';
  let principal = r.access === 'public' || asHolder ? undefined : await authorize(ctx, r, req, r.accountCheck === 'in-query' ? 'recent' : 'fresh');
  const within: ParseContext = { now: ctx.now(), traceLimits: { maxDepth: ctx.settings.maxTraceDepth, maxDays: ctx.settings.traceMaxDays } };
  const params = parse('params', r.params ?? Empty, req.params, within);
  const query = parse('query', r.query ?? Empty, req.query, within);
  const body = !r.body ? {} : r.bodyCheck === 'handler' ? (req.body as unknown) : parse('body', r.body, req.body as unknown, within);
  const ctxFor = (p: Principal | undefined) => ({ params, query, body, principal: p, req, res, app: ctx, audit: auditAs(ctx, p) }) as unknown as Ctx<RouteDef>;
  let reply;
  try {
    reply = await h.run(ctxFor(principal));
  } catch (e) {
    if (!(e instanceof AccountChanged && principal?.fromRecentRead === true)) throw e;
    // Authorized on the account's last read, which has changed since: again on a read made now.
    principal = await authorize(ctx, r, req, 'fresh');
    reply = await h.run(ctxFor(principal));
  }
  const status = reply.status ?? 200;
  if (reply.raw) {
    res.status(status).type(reply.raw.contentType).send(reply.raw.data);
    return;
  }
  const schema = r.responses[status]?.schema;
  // Parsing drops every field the schema does not name: the schema is the allow-list of what leaves.
  const out = schema ? schema.parse(reply.body) : reply.body;
  res.status(status).json(out);
}

/** The caller of a non-public route, allowed to call it; 401 or 403 (audited) otherwise. */
async function authorize(ctx: AppContext, r: RouteDef, req: Request, read: AccountRead): Promise<Principal> {
  const note = (n: RefusalNote) => {
    void auditAs(ctx, undefined)({ actor: n.username ?? '?', action: 'auth.refused', outcome: 'denied', details: { route: r.id, reason: n.reason } }).catch(() => undefined);
  };
  let principal = await ctx.tokens.principal(req.headers.authorization, note, read);
  // A recent read only ever lets a request through: a refusal is decided on a read made now.
  if (principal.fromRecentRead === true && !mayCall(r, principal.role)) principal = await ctx.tokens.principal(req.headers.authorization, note, 'fresh');
  if (!mayCall(r, principal.role)) {
    await auditAs(ctx, principal)({ action: 'access.denied', outcome: 'denied', details: { route: r.id, reason: 'role' } });
    throw forbidden(`the ${principal.role} role may not use ${r.method.toUpperCase()} ${r.path}`);
  }
  return principal;
}

/** Parses with the app's clock as the Instant schema's now (instants more than a day ahead are refused) and its trace limits. */
function parse<S extends z.ZodType>(where: 'params' | 'query' | 'body', schema: S, value: unknown, within: ParseContext): z.output<S> {
  const r = parsingAt(within, () => schema.safeParse(value ?? {}));
  if (!r.success) throw validationError(where, r.error);
  return r.data;
}

const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) {
    next(new HttpError(415, 'unsupported_media_type', 'send the body as JSON with Content-Type: application/json'));
    return;
  }
  next();
};

/**
 * Content-Encodings a body may come in: JSON bodies in what express.json inflates (zstd only on
 * some Node versions, so never: the answer must not depend on the runtime), a CSV upload only as
 * it is (it is streamed to disk raw, and its bytes are checked as CSV). Anything else is a 415
 * naming the encoding before any byte is read; without this an encoding express.json knows but
 * cannot decode was a 500.
 */
const JSON_ENCODINGS: readonly string[] = ['identity', 'gzip', 'deflate', 'br'];
const RAW_ENCODINGS: readonly string[] = ['identity'];

function contentEncoding(allowed: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers['content-encoding'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
    if (header === undefined || !hasBody) {
      next();
      return;
    }
    // One coding only (a list like `gzip, br` is several layers: not taken).
    const coding = header.trim().toLowerCase();
    if (allowed.includes(coding)) {
      next();
      return;
    }
    const what = coding === '' ? 'an empty Content-Encoding' : `Content-Encoding '${header.slice(0, 40)}'`;
    next(new HttpError(415, 'unsupported_media_type', `${what} is not supported here; send the body as ${allowed.length > 1 ? `one of: ${allowed.join(', ')}` : 'is (identity), uncompressed'}`));
  };
}

/**
 * Every path segment must be valid percent-encoded UTF-8: a route's parameters are decoded by
 * the router, which throws on `%E0%A4%A` or a lone `%` (a 500 before this check). Checked once
 * for the whole path, so an unknown route with such a path is a 400 too, not a 404.
 */
const wellFormedPath: RequestHandler = (req, _res, next) => {
  if (!req.path.includes('%')) {
    next();
    return;
  }
  const segments = req.path.split('/');
  for (const [i, segment] of segments.entries()) {
    try {
      decodeURIComponent(segment);
    } catch {
      next(new HttpError(400, 'malformed_path', `path segment ${i} is not valid percent-encoded UTF-8`, [{ path: `path.${i}`, message: 'malformed percent-encoding' }]));
      return;
    }
  }
  next();
};

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
  next();
};

// Random request ids drawn from a pool: one randomBytes call per request cost ~16 µs of a scan's
// ~700 (bench:scan), 1/1024 of that per id from a pool. Random, not a counter, so the header
// tells a client nothing about how many requests the server has seen.
const ID_BYTES = 6;
const ID_POOL = 1024;
let idPool = Buffer.alloc(0);
let idNext = 0;
function requestId(): string {
  if (idNext >= idPool.length) {
    idPool = randomBytes(ID_BYTES * ID_POOL);
    idNext = 0;
  }
  idNext += ID_BYTES;
  return idPool.toString('hex', idNext - ID_BYTES, idNext);
}

/**
 * One line per request: id, method, the route's id (not the URL: a path or query can hold ids),
 * status, milliseconds. Never headers, bodies or query strings.
 */
function requestLog(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const reqId = requestId();
    res.locals['reqId'] = reqId;
    res.setHeader('X-Request-Id', reqId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (res.locals['routeId'] as string | undefined) ?? (req.path.startsWith('/api') ? 'unmatched' : 'static');
      logger.info({ reqId, method: req.method, route, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
