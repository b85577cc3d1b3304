import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TRACE_MAX_DAYS } from './trace/params';

/**
 * Every setting truyvet reads from the environment, in one place, with its default.
 * The configuration table of docs/operations.md is written from this file; keep them in step.
 */

const env = (name: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
};

const intEnv = (name: string, fallback: number): number => {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${raw} is not a positive integer`);
  return n;
};

/**
 * The longest trace period (`to − from`, and the horizon) the API and the CLI accept, in days
 * (TRUYVET_TRACE_MAX_DAYS, default 21: engine/trace/params.ts says why).
 */
export function traceMaxDays(): number {
  return intEnv('TRUYVET_TRACE_MAX_DAYS', DEFAULT_TRACE_MAX_DAYS);
}

/** Where the local Neo4j lives (its data, config, logs, password). Outside the work tree. */
export function localNeo4jHome(): string {
  const base = env('XDG_DATA_HOME') ?? path.join(os.homedir(), '.local', 'share');
  return env('TRUYVET_NEO4J_HOME') ?? path.join(base, 'truyvet', 'neo4j');
}

/** Where downloaded Neo4j jars are cached, one folder per version. */
export function neo4jJarCache(): string {
  const base = env('XDG_CACHE_HOME') ?? path.join(os.homedir(), '.cache');
  return env('TRUYVET_NEO4J_CACHE') ?? path.join(base, 'truyvet');
}

/** Secrets truyvet generates for the local setup when the environment gives none. */
export function localSecretsDir(): string {
  const base = env('XDG_DATA_HOME') ?? path.join(os.homedir(), '.local', 'share');
  return env('TRUYVET_SECRETS_DIR') ?? path.join(base, 'truyvet', 'secrets');
}

function stateBase(): string {
  return path.join(env('XDG_STATE_HOME') ?? path.join(os.homedir(), '.local', 'state'), 'truyvet');
}

/** Checkpoints of interrupted imports (engine/import/checkpoint.ts). */
export function importStateDir(): string {
  return env('TRUYVET_IMPORT_STATE_DIR') ?? path.join(stateBase(), 'imports');
}

/**
 * Where the API keeps an upload until its import ends. Not the temporary folder: an import a
 * crash cut off resumes from it on the next start, and a reboot may clear the temporary folder.
 */
export function uploadDir(): string {
  return env('TRUYVET_UPLOAD_DIR') ?? path.join(stateBase(), 'uploads');
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
    boltPort: intEnv('TRUYVET_NEO4J_BOLT_PORT', 7687),
    // 2 cores / 24 GiB: the heap holds query state, the page cache the store. Benchmarks at
    // 10M passages want more page cache (docs/benchmarks.md, "Trace").
    heap: env('TRUYVET_NEO4J_HEAP') ?? '4g',
    pageCache: env('TRUYVET_NEO4J_PAGECACHE') ?? '4g',
    startTimeoutSeconds: intEnv('TRUYVET_NEO4J_START_TIMEOUT', 180),
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
  const port = intEnv('TRUYVET_NEO4J_BOLT_PORT', 7687);
  return {
    uri: env('NEO4J_URI') ?? `bolt://127.0.0.1:${port}`,
    user: env('NEO4J_USER') ?? 'neo4j',
    password: env('NEO4J_PASSWORD'),
    database: env('NEO4J_DATABASE'),
  };
}

/** True when NEO4J_URI is not set, i.e. truyvet talks to the Neo4j it starts itself. */
export function usesLocalNeo4j(): boolean {
  return env('NEO4J_URI') === undefined;
}
