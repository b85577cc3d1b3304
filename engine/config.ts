import os from 'node:os';
import path from 'node:path';
import { parseDurationSeconds } from './time';

/**
 * Every setting truyvet reads from the environment, in one place, with its default: no other
 * file of engine/, api/ or cli/ reads `process.env` (eslint's no-restricted-properties says so,
 * docs/architecture.md). The engine asks for a setting by name here when it needs it (read on
 * each call, so a long-running server and tests that change a variable see the same rules);
 * api/settings.ts assembles the API's settings with the parsers below. The configuration table
 * of docs/operations.md is written from this file and api/settings.ts; keep them in step.
 */

/** A variable's text; unset and empty are the same: not given. */
export function envText(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A positive number (a whole one when `integer`), or `fallback` when not given. */
export function envPositive(name: string, fallback: number, integer = false): number {
  const raw = envText(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(integer ? Number.isInteger(n) : Number.isFinite(n)) || n <= 0) throw new Error(`${name}=${raw} is not a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

/** A whole number from min to max, or `fallback` when not given. */
export function envWhole(name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const raw = envText(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${raw} must be a whole number from ${min} to ${max}`);
  return n;
}

/** A duration (`72h`, `3d`, `90m`, or seconds) in seconds, from min to max, or `fallbackSeconds` when not given. */
export function envDuration(name: string, fallbackSeconds: number, min: number, max: number): number {
  const raw = envText(name);
  if (raw === undefined) return fallbackSeconds;
  const s = parseDurationSeconds(raw);
  if (s === undefined || s < min || s > max) throw new Error(`${name}=${raw} must be a duration like 72h or 3d, from ${min} s to ${max / 86_400} days`);
  return s;
}

/** `on` (or not given) or `off`. */
function envSwitch(name: string): boolean {
  const v = (process.env[name] ?? '').trim().toLowerCase();
  if (v === '' || v === 'on') return true;
  if (v === 'off') return false;
  throw new Error(`${name}=${v} must be on or off`);
}

/**
 * The longest trace period (`to − from`, and the horizon) the API and the CLI accept, in days
 * (TRUYVET_TRACE_MAX_DAYS; the default, 21, is engine/trace/params.ts's DEFAULT_TRACE_MAX_DAYS,
 * which says why).
 */
export function traceMaxDays(fallback: number): number {
  return envPositive('TRUYVET_TRACE_MAX_DAYS', fallback, true);
}

/** The pino level: LOG_LEVEL, else `silent` under jest, else `info`. */
export function logLevel(): string {
  return process.env['LOG_LEVEL'] ?? (process.env['JEST_WORKER_ID'] !== undefined ? 'silent' : 'info');
}

/**
 * A key from the environment (engine/secrets.ts hashes it); undefined when unset. Read by
 * secrets.ts once per key and process.
 */
export function secretFromEnv(name: string): string | undefined {
  return process.env[name];
}

/**
 * TRUYVET_GENERATE_SECRETS=1: generate missing keys (and the QR key) under TRUYVET_SECRETS_DIR
 * even against a shared database (without it, only for the local one).
 */
export function generateSecrets(): boolean {
  return process.env['TRUYVET_GENERATE_SECRETS'] === '1';
}

/** The QR signing key as a JSON JWK (TRUYVET_QR_PRIVATE_JWK); engine/qr/keys.ts parses it. */
export function qrPrivateJwkText(): string | undefined {
  return process.env['TRUYVET_QR_PRIVATE_JWK'];
}

/** Public keys of earlier QR signing keys, a JWKS (TRUYVET_QR_EXTRA_PUBLIC_JWKS); engine/qr/keys.ts parses it. */
export function qrExtraPublicJwksText(): string | undefined {
  return process.env['TRUYVET_QR_EXTRA_PUBLIC_JWKS'];
}

/** How long a QR code is valid after it is issued: TRUYVET_QR_VALID_DAYS (default 3, as in 2021). */
export function qrValidDays(): number {
  return envPositive('TRUYVET_QR_VALID_DAYS', 3);
}

/** How far a device clock may run behind the server before a code looks issued in the future (seconds). */
export function qrClockSkewSeconds(): number {
  return envPositive('TRUYVET_QR_CLOCK_SKEW_SECONDS', 300);
}

/** Above this speed between two scans of one code, the code was copied (TRUYVET_SCAN_MAX_SPEED_KMH, default 120). */
export function scanMaxSpeedKmh(): number {
  return envPositive('TRUYVET_SCAN_MAX_SPEED_KMH', 120);
}

/** The audit chain this process appends to (TRUYVET_AUDIT_CHAIN); undefined: the main one. */
export function auditChainName(): string | undefined {
  return envText('TRUYVET_AUDIT_CHAIN');
}

/**
 * `TRUYVET_CHECK_UNITS=off` turns the check of administrative unit codes off (codes are then only
 * checked to be digits): for a deployment whose units changed after the shipped tables were
 * made, until they are updated (engine/accounts/units.ts).
 */
export function checkUnitsFromEnv(): boolean {
  return envSwitch('TRUYVET_CHECK_UNITS');
}

/**
 * The scrypt cost of new password hashes, log2 of N (TRUYVET_SCRYPT_LOG2N, 10–20, default 17:
 * engine/accounts/passwords.ts says why); tests lower it.
 */
export function scryptCostLog2(): number {
  const raw = process.env['TRUYVET_SCRYPT_LOG2N'];
  const n = raw === undefined || raw === '' ? 17 : Number(raw);
  if (!Number.isInteger(n) || n < 10 || n > 20) throw new Error(`TRUYVET_SCRYPT_LOG2N=${raw ?? ''} must be an integer from 10 to 20`);
  return n;
}

/**
 * The window (bucket) size a new database is made with, TRUYVET_WINDOW_SECONDS, as given
 * (engine/db/schema.ts checks it against the database's).
 */
export function windowSecondsText(): string | undefined {
  return envText('TRUYVET_WINDOW_SECONDS');
}

/** Whether Bolt writes are coalesced (engine/db/coalesce-writes.ts); TRUYVET_COALESCE_WRITES=0 turns it off. */
export function coalesceWrites(): boolean {
  return process.env['TRUYVET_COALESCE_WRITES'] !== '0';
}

/** Where the local Neo4j lives (its data, config, logs, password). Outside the work tree. */
export function localNeo4jHome(): string {
  const base = envText('XDG_DATA_HOME') ?? path.join(os.homedir(), '.local', 'share');
  return envText('TRUYVET_NEO4J_HOME') ?? path.join(base, 'truyvet', 'neo4j');
}

/** Where downloaded Neo4j jars are cached, one folder per version. */
export function neo4jJarCache(): string {
  const base = envText('XDG_CACHE_HOME') ?? path.join(os.homedir(), '.cache');
  return envText('TRUYVET_NEO4J_CACHE') ?? path.join(base, 'truyvet');
}

/** Secrets truyvet generates for the local setup when the environment gives none. */
export function localSecretsDir(): string {
  const base = envText('XDG_DATA_HOME') ?? path.join(os.homedir(), '.local', 'share');
  return envText('TRUYVET_SECRETS_DIR') ?? path.join(base, 'truyvet', 'secrets');
}

function stateBase(): string {
  return path.join(envText('XDG_STATE_HOME') ?? path.join(os.homedir(), '.local', 'state'), 'truyvet');
}

/** Checkpoints of interrupted imports (engine/import/checkpoint.ts). */
export function importStateDir(): string {
  return envText('TRUYVET_IMPORT_STATE_DIR') ?? path.join(stateBase(), 'imports');
}

/**
 * Where the API keeps an upload until its import ends. Not the temporary folder: an import a
 * crash cut off resumes from it on the next start, and a reboot may clear the temporary folder.
 */
export function uploadDir(): string {
  return envText('TRUYVET_UPLOAD_DIR') ?? path.join(stateBase(), 'uploads');
}

export interface LocalNeo4jSettings {
  readonly home: string;
  readonly boltPort: number;
  readonly heap: string;
  readonly pageCache: string;
  readonly startTimeoutSeconds: number;
}

export function localNeo4jSettings(): LocalNeo4jSettings {
  return {
    home: localNeo4jHome(),
    boltPort: envPositive('TRUYVET_NEO4J_BOLT_PORT', 7687, true),
    // 2 cores / 24 GiB: the heap holds query state, the page cache the store. Benchmarks at
    // 10M passages want more page cache (docs/benchmarks.md, "Trace").
    heap: envText('TRUYVET_NEO4J_HEAP') ?? '4g',
    pageCache: envText('TRUYVET_NEO4J_PAGECACHE') ?? '4g',
    startTimeoutSeconds: envPositive('TRUYVET_NEO4J_START_TIMEOUT', 180, true),
  };
}

export interface ConnectionSettings {
  readonly uri: string;
  readonly user: string;
  /** Undefined means: read the local server's generated password file. */
  readonly password: string | undefined;
  readonly database: string | undefined;
}

export function connectionSettings(): ConnectionSettings {
  const port = envPositive('TRUYVET_NEO4J_BOLT_PORT', 7687, true);
  return {
    uri: envText('NEO4J_URI') ?? `bolt://127.0.0.1:${port}`,
    user: envText('NEO4J_USER') ?? 'neo4j',
    password: envText('NEO4J_PASSWORD'),
    database: envText('NEO4J_DATABASE'),
  };
}

/** True when NEO4J_URI is not set, i.e. truyvet talks to the Neo4j it starts itself. */
export function usesLocalNeo4j(): boolean {
  return envText('NEO4J_URI') === undefined;
}
