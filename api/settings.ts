import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_LOCKOUT, type LockoutPolicy } from '../engine/accounts/accounts';
import { defaultChain } from '../engine/audit/store';
import { checkUnitsFromEnv, envDuration, envText, envWhole, traceMaxDays, uploadDir } from '../engine/config';
import { DEFAULT_DECLARATION_RETENTION_DAYS } from '../engine/retention/purge';
import { DEFAULT_OUTBREAK_MAX_CONTACTS } from '../engine/outbreak/trace';
import { DEFAULT_SCAN_MAX_OFFLINE_MS } from '../engine/scan/decide';
import type { ScanQueueOptions } from '../engine/scan/queue';
import { DEFAULT_TRACE_MAX_DAYS } from '../engine/trace/params';
import { MAX_TRACE_DEPTH } from '../engine/types';

/**
 * The server's settings from the environment, with their defaults (docs/operations.md, "Configuration").
 * Read once at start; tests build settings by hand and pass them to createApp. The values are
 * parsed by engine/config.ts, the one reader of the environment.
 */

export interface OidcSettings {
  /** Where the identity provider publishes its signing keys. */
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** Claim holding the truyvet role. */
  readonly roleClaim: string;
  /** Claim holding the jurisdiction: `{province, district?, commune?}` or `79/760/26734`. */
  readonly jurisdictionClaim: string;
}

export interface ApiSettings {
  /** Lifetime of the tokens POST /api/auth/token issues. */
  readonly tokenSeconds: number;
  /**
   * Longest a session may be kept alive by POST /api/auth/refresh, counted from its login: past
   * it, the caller logs in again (a refreshed token never outlives it either).
   */
  readonly sessionMaxSeconds: number;
  readonly lockout: LockoutPolicy;
  /** Login attempts per client IP per minute. */
  readonly loginPerMinute: number;
  /** Requests per client IP per minute on everything else. */
  readonly requestsPerMinute: number;
  /** Citizens' declarations per client IP per minute (POST /api/declarations needs no login). */
  readonly declarationsPerMinute: number;
  /**
   * Declarations per document number per hour, from any address (whoever guesses a citizen's
   * birth date tries one number many times): TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR.
   */
  readonly declarationsPerDocumentHour: number;
  /** Largest declaration body. */
  readonly declarationLimitBytes: number;
  /** Deepest trace the API accepts (the engine allows up to MAX_TRACE_DEPTH). */
  readonly maxTraceDepth: number;
  /** Longest trace period (`to − from`, and the horizon) in days (engine/trace/params.ts). */
  readonly traceMaxDays: number;
  /**
   * `required`: a trace or venue exposure request waits until an approver signs it
   * (api/handlers/approvals.ts, api/handlers/exposures.ts); `off`: it runs at once.
   */
  readonly traceApproval: TraceApproval;
  /** Most people a stored trace keeps; more are cut, and the answer says so. */
  readonly maxTracePeople: number;
  /** Contact edges a trace may gather before it is refused as too large (engine/trace/trace.ts). */
  readonly maxTraceContacts: number;
  /** Contact edges an outbreak run may gather before it fails as too large (a day of cases: many traces' worth). */
  readonly maxOutbreakContacts: number;
  /** Server-side time limit of each trace query. */
  readonly traceTimeoutMs: number;
  /** Traces this process runs at once; more wait in line (api/trace-gate.ts). */
  readonly traceConcurrency: number;
  /** Traces that may wait for a turn; past it, 503 with Retry-After. */
  readonly traceQueue: number;
  /** Longest a trace waits for its turn before it is answered 503. */
  readonly traceMaxWaitMs: number;
  readonly defaultPageSize: number;
  /** Largest JSON body. */
  readonly jsonLimitBytes: number;
  /** Largest CSV upload. */
  readonly importLimitBytes: number;
  /** Where uploads wait for the import pipeline. */
  readonly uploadDir: string;
  readonly retentionDays: number;
  /** Days a declaration stays after its validity ended. */
  readonly declarationRetentionDays: number;
  /** Local time of day (HH:MM, Asia/Ho_Chi_Minh) of the daily purge, or undefined when off. */
  readonly purgeAt: string | undefined;
  readonly oidc: OidcSettings | undefined;
  /** The audit chain this server appends to (tests use their own). */
  readonly auditChain: string;
  /** Where the built view lives; served at `/`. */
  readonly vizDir: string;
  /** How the checkpoint scans are batched (engine/scan/queue.ts); absent: its defaults. */
  readonly scanQueue?: ScanQueueOptions;
  /**
   * Jurisdictions (accounts, identity provider claims) and station codes must name real
   * administrative units (engine/accounts/units.ts); `TRUYVET_CHECK_UNITS=off` checks only their form.
   */
  readonly checkUnits: boolean;
  /**
   * How old a scan may be when it arrives (TRUYVET_SCAN_MAX_OFFLINE, default 72 h); older ones
   * are stopped unrecorded (engine/scan/decide.ts): an old offline queue goes through an import.
   */
  readonly scanMaxOfflineMs: number;
}

export type TraceApproval = 'off' | 'required';

export const DEFAULT_RETENTION_DAYS = 21;

/** viz/dist next to the sources (run through tsx) or next to dist/ (the compiled build). */
function vizDist(): string {
  const candidates = [path.resolve(__dirname, '..', 'viz', 'dist'), path.resolve(__dirname, '..', '..', 'viz', 'dist')];
  return candidates.find((c) => fs.existsSync(c)) ?? (candidates[0] as string);
}

export function retentionDaysFromEnv(): number {
  return envWhole('TRUYVET_RETENTION_DAYS', DEFAULT_RETENTION_DAYS, 1, 3650);
}

export function declarationRetentionDaysFromEnv(): number {
  return envWhole('TRUYVET_DECLARATION_RETENTION_DAYS', DEFAULT_DECLARATION_RETENTION_DAYS, 1, 3650);
}

export function settingsFromEnv(): ApiSettings {
  const purge = envText('TRUYVET_PURGE_AT') ?? '03:00';
  if (purge !== 'off' && !/^([01]\d|2[0-3]):[0-5]\d$/.test(purge)) throw new Error(`TRUYVET_PURGE_AT=${purge} must be HH:MM or off`);
  const jwksUrl = envText('TRUYVET_OIDC_JWKS_URL');
  let oidc: OidcSettings | undefined;
  if (jwksUrl !== undefined) {
    const issuer = envText('TRUYVET_OIDC_ISSUER');
    const audience = envText('TRUYVET_OIDC_AUDIENCE');
    if (issuer === undefined || audience === undefined) throw new Error('TRUYVET_OIDC_JWKS_URL needs TRUYVET_OIDC_ISSUER and TRUYVET_OIDC_AUDIENCE');
    oidc = {
      jwksUrl,
      issuer,
      audience,
      roleClaim: envText('TRUYVET_OIDC_ROLE_CLAIM') ?? 'truyvet_role',
      jurisdictionClaim: envText('TRUYVET_OIDC_JURISDICTION_CLAIM') ?? 'truyvet_jurisdiction',
    };
  }
  const approval = envText('TRUYVET_TRACE_APPROVAL') ?? 'off';
  if (approval !== 'off' && approval !== 'required') throw new Error(`TRUYVET_TRACE_APPROVAL=${approval} must be off or required`);
  const tokenSeconds = envWhole('TRUYVET_TOKEN_MINUTES', 15, 1, 24 * 60) * 60;
  const sessionMaxSeconds = envWhole('TRUYVET_SESSION_MAX_HOURS', 12, 1, 30 * 24) * 3600;
  // A login's token would otherwise outlive the session it opens.
  if (sessionMaxSeconds < tokenSeconds) throw new Error(`TRUYVET_SESSION_MAX_HOURS=${sessionMaxSeconds / 3600} is shorter than TRUYVET_TOKEN_MINUTES=${tokenSeconds / 60}`);
  return {
    tokenSeconds,
    sessionMaxSeconds,
    lockout: {
      maxFailures: envWhole('TRUYVET_LOCKOUT_ATTEMPTS', DEFAULT_LOCKOUT.maxFailures, 1, 1000),
      lockMs: envWhole('TRUYVET_LOCKOUT_MINUTES', DEFAULT_LOCKOUT.lockMs / 60_000, 1, 7 * 24 * 60) * 60_000,
    },
    loginPerMinute: envWhole('TRUYVET_LOGIN_PER_MINUTE', 10),
    requestsPerMinute: envWhole('TRUYVET_REQUESTS_PER_MINUTE', 600),
    declarationsPerMinute: envWhole('TRUYVET_DECLARATIONS_PER_MINUTE', 20),
    declarationsPerDocumentHour: envWhole('TRUYVET_DECLARATIONS_PER_DOCUMENT_HOUR', 5, 1, 10_000),
    declarationLimitBytes: 16 * 1024,
    maxTraceDepth: envWhole('TRUYVET_TRACE_MAX_DEPTH', 5, 1, MAX_TRACE_DEPTH),
    traceMaxDays: traceMaxDays(DEFAULT_TRACE_MAX_DAYS),
    traceApproval: approval,
    maxTracePeople: envWhole('TRUYVET_TRACE_MAX_PEOPLE', 20_000),
    maxTraceContacts: envWhole('TRUYVET_TRACE_MAX_CONTACTS', 1_000_000, 1),
    maxOutbreakContacts: envWhole('TRUYVET_OUTBREAK_MAX_CONTACTS', DEFAULT_OUTBREAK_MAX_CONTACTS, 1),
    traceTimeoutMs: envWhole('TRUYVET_TRACE_TIMEOUT_MS', 30_000, 100),
    // 3 on two cores: one trace's Neo4j part overlaps another's part in this process. Sixteen at
    // once were slower in traces/s and in p99 (docs/benchmarks.md, "What was tried").
    traceConcurrency: envWhole('TRUYVET_TRACE_CONCURRENCY', 3, 1, 64),
    traceQueue: envWhole('TRUYVET_TRACE_QUEUE', 64, 0, 10_000),
    traceMaxWaitMs: envWhole('TRUYVET_TRACE_MAX_WAIT_MS', 30_000, 100),
    defaultPageSize: 200,
    jsonLimitBytes: 64 * 1024,
    importLimitBytes: envWhole('TRUYVET_IMPORT_MAX_MB', 1024) * 1024 * 1024,
    uploadDir: uploadDir(),
    retentionDays: retentionDaysFromEnv(),
    declarationRetentionDays: declarationRetentionDaysFromEnv(),
    purgeAt: purge === 'off' ? undefined : purge,
    oidc,
    auditChain: defaultChain(),
    vizDir: envText('TRUYVET_VIZ_DIR') ?? vizDist(),
    checkUnits: checkUnitsFromEnv(),
    scanQueue: {
      maxBatch: envWhole('TRUYVET_SCAN_BATCH', 256, 1, 10_000),
      // 2, not 4: with one transaction per batch, a shorter wait served 10 connections
      // 612–653 → 773 scans/s and did not slow 100 (bench/scan.ts).
      maxWaitMs: envWhole('TRUYVET_SCAN_WAIT_MS', 2, 0, 1000),
      // 4, not the queue's own 2: while one batch waits for its commit (a disk flush), others
      // are read and decided; +25–45 % scans/s at 100 connections in bench/scan.ts.
      concurrency: envWhole('TRUYVET_SCAN_CONCURRENCY', 4, 1, 64),
    },
    scanMaxOfflineMs: envDuration('TRUYVET_SCAN_MAX_OFFLINE', DEFAULT_SCAN_MAX_OFFLINE_MS / 1000, 60, 30 * 86_400) * 1000,
  };
}
