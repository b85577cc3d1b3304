import os from 'node:os';
import path from 'node:path';
import { parseDurationSeconds } from './time';
import { DEFAULT_CLOSE_SECONDS, MAX_CLOSE_SECONDS } from './types';

/**
 * Every setting truyvet reads from the environment, in one place, with its default: no other
 * file of engine/, api/ or cli/ reads `process.env` (eslint's no-restricted-properties says so,
 * docs/architecture.md). The engine asks for a setting by name here when it needs it (read on
 * each call, so a long-running server and tests that change a variable see the same rules);
 * api/settings.ts assembles the API's settings with the parsers below. The configuration table
 * of docs/operations.md is written from this file and api/settings.ts; keep them in step.
 */

/**
 * The environment a setting is read from: the process's, or in tests a plain object (so a test
 * states the variables it means without changing the process's).
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's text; unset and empty are the same: not given. */
export function envText(name: string, env: Env = process.env): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A positive number (a whole one when `integer`), or `fallback` when not given. */
export function envPositive(name: string, fallback: number, integer = false, env: Env = process.env): number {
  const raw = envText(name, env);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(integer ? Number.isInteger(n) : Number.isFinite(n)) || n <= 0) throw new Error(`${name}=${raw} is not a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

/** A whole number from min to max, or `fallback` when not given. */
export function envWhole(name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER, env: Env = process.env): number {
  const raw = envText(name, env);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${raw} must be a whole number from ${min} to ${max}`);
  return n;
}

/** A duration (`72h`, `3d`, `90m`, or seconds) in seconds, from min to max, or `fallbackSeconds` when not given. */
export function envDuration(name: string, fallbackSeconds: number, min: number, max: number, env: Env = process.env): number {
  const raw = envText(name, env);
  if (raw === undefined) return fallbackSeconds;
  const s = parseDurationSeconds(raw);
  if (s === undefined || s < min || s > max) throw new Error(`${name}=${raw} must be a duration like 72h or 3d, from ${min} s to ${max / 86_400} days`);
  return s;
}

/** `on` (or not given) or `off`. */
function envSwitch(name: string, env: Env = process.env): boolean {
  const v = (env[name] ?? '').trim().toLowerCase();
  if (v === '' || v === 'on') return true;
  if (v === 'off') return false;
  throw new Error(`${name}=${v} must be on or off`);
}

/**
 * The longest trace period (`to − from`, and the horizon) the API and the CLI accept, in days
 * (TRUYVET_TRACE_MAX_DAYS; the default, 21, is engine/trace/params.ts's DEFAULT_TRACE_MAX_DAYS,
 * which says why).
 */
export function traceMaxDays(fallback: number, env: Env = process.env): number {
  return envPositive('TRUYVET_TRACE_MAX_DAYS', fallback, true, env);
}

/**
 * The overlap (time actually together, without the tolerance) from which a contact is close, in
 * whole seconds (TRUYVET_CLOSE_SECONDS, 1…86,400; default 900: WHO's and Vietnam's 2021 15 minutes).
 */
export function closeSeconds(fallback: number = DEFAULT_CLOSE_SECONDS, env: Env = process.env): number {
  return envWhole('TRUYVET_CLOSE_SECONDS', fallback, 1, MAX_CLOSE_SECONDS, env);
}

/**
 * How long a follow-up's quarantine lasts after the exposure, in days (TRUYVET_QUARANTINE_DAYS,
 * 1–60; default 14, the 2021 rule: engine/followups/status.ts).
 */
export function quarantineDays(fallback = 14, env: Env = process.env): number {
  return envWhole('TRUYVET_QUARANTINE_DAYS', fallback, 1, 60, env);
}

/**
 * How long an ended follow-up (released, tested positive) is kept after it ended, in days
 * (TRUYVET_FOLLOWUP_RETENTION_DAYS, 1–3650; default 21, like passages: the follow-up names a
 * person's contact, which is no longer needed once the work and the quarantine are over).
 */
export function followUpRetentionDays(fallback = 21, env: Env = process.env): number {
  return envWhole('TRUYVET_FOLLOWUP_RETENTION_DAYS', fallback, 1, 3650, env);
}

/**
 * How long a closed case (recovered, died, discarded) is kept after its last status change, in
 * days (TRUYVET_CASE_RETENTION_DAYS, 1–3650; default 90: long enough for the clusters and links
 * of a wave to be read, short for a health record no longer in use). Confirmed cases stay.
 */
export function caseRetentionDays(fallback = 90, env: Env = process.env): number {
  return envWhole('TRUYVET_CASE_RETENTION_DAYS', fallback, 1, 3650, env);
}

/** The pino level: LOG_LEVEL, else `silent` under jest, else `info`. */
export function logLevel(env: Env = process.env): string {
  return env['LOG_LEVEL'] ?? (env['JEST_WORKER_ID'] !== undefined ? 'silent' : 'info');
}

/**
 * A key from the environment (engine/secrets.ts hashes it); undefined when unset. Read by
 * secrets.ts once per key and process.
 */
export function secretFromEnv(name: string, env: Env = process.env): string | undefined {
  return env[name];
}

/**
 * TRUYVET_GENERATE_SECRETS=1: generate missing keys (and the QR key) under TRUYVET_SECRETS_DIR
 * even against a shared database (without it, only for the local one).
 */
export function generateSecrets(env: Env = process.env): boolean {
  return env['TRUYVET_GENERATE_SECRETS'] === '1';
}

/** What the QR keys are made of (engine/qr/keys.ts parses and loads them). */
export interface QrKeySettings {
  /** The signing key as a JSON JWK (TRUYVET_QR_PRIVATE_JWK), as given. */
  readonly privateJwk: string | undefined;
  /** Public keys of earlier signing keys, a JWKS (TRUYVET_QR_EXTRA_PUBLIC_JWKS), as given. */
  readonly extraPublicJwks: string | undefined;
  /** Where a generated key is kept (TRUYVET_SECRETS_DIR). */
  readonly secretsDir: string;
  /** Whether a missing key may be generated: the local setup (no NEO4J_URI), or TRUYVET_GENERATE_SECRETS=1. */
  readonly mayGenerate: boolean;
}

export function qrKeySettings(env: Env = process.env): QrKeySettings {
  return {
    privateJwk: env['TRUYVET_QR_PRIVATE_JWK'],
    extraPublicJwks: env['TRUYVET_QR_EXTRA_PUBLIC_JWKS'],
    secretsDir: localSecretsDir(env),
    mayGenerate: usesLocalNeo4j(env) || generateSecrets(env),
  };
}

/** How long a QR code is valid after it is issued: TRUYVET_QR_VALID_DAYS (default 3, as in 2021). */
export function qrValidDays(env: Env = process.env): number {
  return envPositive('TRUYVET_QR_VALID_DAYS', 3, false, env);
}

/** How far a device clock may run behind the server before a code looks issued in the future (seconds). */
export function qrClockSkewSeconds(env: Env = process.env): number {
  return envPositive('TRUYVET_QR_CLOCK_SKEW_SECONDS', 300, false, env);
}

/** Above this speed between two scans of one code, the code was copied (TRUYVET_SCAN_MAX_SPEED_KMH, default 120). */
export function scanMaxSpeedKmh(env: Env = process.env): number {
  return envPositive('TRUYVET_SCAN_MAX_SPEED_KMH', 120, false, env);
}

/** The audit chain this process appends to (TRUYVET_AUDIT_CHAIN); undefined: the main one. */
export function auditChainName(env: Env = process.env): string | undefined {
  return envText('TRUYVET_AUDIT_CHAIN', env);
}

/**
 * `TRUYVET_CHECK_UNITS=off` turns the check of administrative unit codes off (codes are then only
 * checked to be digits): for a deployment whose units changed after the shipped tables were
 * made, until they are updated (engine/accounts/units.ts).
 */
export function checkUnitsFromEnv(env: Env = process.env): boolean {
  return envSwitch('TRUYVET_CHECK_UNITS', env);
}

/**
 * The scrypt cost of new password hashes, log2 of N (TRUYVET_SCRYPT_LOG2N, 10–20, default 17:
 * engine/accounts/passwords.ts says why); tests lower it.
 */
export function scryptCostLog2(env: Env = process.env): number {
  const raw = env['TRUYVET_SCRYPT_LOG2N'];
  const n = raw === undefined || raw === '' ? 17 : Number(raw);
  if (!Number.isInteger(n) || n < 10 || n > 20) throw new Error(`TRUYVET_SCRYPT_LOG2N=${raw ?? ''} must be an integer from 10 to 20`);
  return n;
}

/**
 * The window (bucket) size a new database is made with, TRUYVET_WINDOW_SECONDS, as given
 * (engine/db/schema.ts checks it against the database's).
 */
export function windowSecondsText(env: Env = process.env): string | undefined {
  return envText('TRUYVET_WINDOW_SECONDS', env);
}

/** Whether Bolt writes are coalesced (engine/db/coalesce-writes.ts); TRUYVET_COALESCE_WRITES=0 turns it off. */
export function coalesceWrites(env: Env = process.env): boolean {
  return env['TRUYVET_COALESCE_WRITES'] !== '0';
}

/** Where the local Neo4j lives (its data, config, logs, password). Outside the work tree. */
export function localNeo4jHome(env: Env = process.env): string {
  const base = envText('XDG_DATA_HOME', env) ?? path.join(os.homedir(), '.local', 'share');
  return envText('TRUYVET_NEO4J_HOME', env) ?? path.join(base, 'truyvet', 'neo4j');
}

/** Where downloaded Neo4j jars are cached, one folder per version. */
export function neo4jJarCache(env: Env = process.env): string {
  const base = envText('XDG_CACHE_HOME', env) ?? path.join(os.homedir(), '.cache');
  return envText('TRUYVET_NEO4J_CACHE', env) ?? path.join(base, 'truyvet');
}

/** Secrets truyvet generates for the local setup when the environment gives none. */
export function localSecretsDir(env: Env = process.env): string {
  const base = envText('XDG_DATA_HOME', env) ?? path.join(os.homedir(), '.local', 'share');
  return envText('TRUYVET_SECRETS_DIR', env) ?? path.join(base, 'truyvet', 'secrets');
}

function stateBase(env: Env = process.env): string {
  return path.join(envText('XDG_STATE_HOME', env) ?? path.join(os.homedir(), '.local', 'state'), 'truyvet');
}

/** Checkpoints of interrupted imports (engine/import/checkpoint.ts). */
export function importStateDir(env: Env = process.env): string {
  return envText('TRUYVET_IMPORT_STATE_DIR', env) ?? path.join(stateBase(env), 'imports');
}

/**
 * Where the API keeps an upload until its import ends. Not the temporary folder: an import a
 * crash cut off resumes from it on the next start, and a reboot may clear the temporary folder.
 */
export function uploadDir(env: Env = process.env): string {
  return envText('TRUYVET_UPLOAD_DIR', env) ?? path.join(stateBase(env), 'uploads');
}

export interface LocalNeo4jSettings {
  readonly home: string;
  readonly boltPort: number;
  readonly heap: string;
  readonly pageCache: string;
  readonly startTimeoutSeconds: number;
}

export function localNeo4jSettings(env: Env = process.env): LocalNeo4jSettings {
  return {
    home: localNeo4jHome(env),
    boltPort: envPositive('TRUYVET_NEO4J_BOLT_PORT', 7687, true, env),
    // 2 cores / 24 GiB: the heap holds query state, the page cache the store. Benchmarks at
    // 10M passages want more page cache (docs/benchmarks.md, "Trace").
    heap: envText('TRUYVET_NEO4J_HEAP', env) ?? '4g',
    pageCache: envText('TRUYVET_NEO4J_PAGECACHE', env) ?? '4g',
    startTimeoutSeconds: envPositive('TRUYVET_NEO4J_START_TIMEOUT', 180, true, env),
  };
}

export interface ConnectionSettings {
  readonly uri: string;
  readonly user: string;
  /** Undefined means: read the local server's generated password file. */
  readonly password: string | undefined;
  readonly database: string | undefined;
}

export function connectionSettings(env: Env = process.env): ConnectionSettings {
  const port = envPositive('TRUYVET_NEO4J_BOLT_PORT', 7687, true, env);
  return {
    uri: envText('NEO4J_URI', env) ?? `bolt://127.0.0.1:${port}`,
    user: envText('NEO4J_USER', env) ?? 'neo4j',
    password: envText('NEO4J_PASSWORD', env),
    database: envText('NEO4J_DATABASE', env),
  };
}

/** True when NEO4J_URI is not set, i.e. truyvet talks to the Neo4j it starts itself. */
export function usesLocalNeo4j(env: Env = process.env): boolean {
  return envText('NEO4J_URI', env) === undefined;
}
