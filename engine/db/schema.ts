import { setTimeout as sleep } from 'node:timers/promises';
import { runAutoCommit, readQuery, writeQuery } from './driver';
import { int, num, str } from './convert';
import { windowSecondsText } from '../config';
import { DEFAULT_WINDOW_SECONDS } from '../windows';
import { invalidInput, unavailable } from '../errors';

/**
 * The graph's constraints and indexes (DESIGN.md, "Graph shape"), applied idempotently by
 * `truyvet db migrate` and before import and serve. Each entry is named so a test can check it
 * in SHOW CONSTRAINTS / SHOW INDEXES. Add to the table; never rename an entry in place.
 */
export interface SchemaItem {
  readonly name: string;
  readonly kind: 'constraint' | 'index';
  /** Node label or relationship type. */
  readonly entity: string;
  readonly properties: readonly string[];
  readonly statement: string;
}

const unique = (name: string, label: string, props: string[]): SchemaItem => ({
  name,
  kind: 'constraint',
  entity: label,
  properties: props,
  statement: `CREATE CONSTRAINT ${name} IF NOT EXISTS FOR (n:${label}) REQUIRE ${props.length === 1 ? `n.${props[0]}` : `(${props.map((p) => `n.${p}`).join(', ')})`} IS UNIQUE`,
});
const nodeIndex = (name: string, label: string, props: string[]): SchemaItem => ({
  name,
  kind: 'index',
  entity: label,
  properties: props,
  statement: `CREATE INDEX ${name} IF NOT EXISTS FOR (n:${label}) ON (${props.map((p) => `n.${p}`).join(', ')})`,
});

const relationshipIndex = (name: string, type: string, props: string[]): SchemaItem => ({
  name,
  kind: 'index',
  entity: type,
  properties: props,
  statement: `CREATE INDEX ${name} IF NOT EXISTS FOR ()-[r:${type}]-() ON (${props.map((p) => `r.${p}`).join(', ')})`,
});

export const SCHEMA: readonly SchemaItem[] = [
  unique('person_id', 'Person', ['id']),
  unique('station_id', 'Station', ['id']),
  // Passages are nodes (engine/db/passages.ts, which says why; they replaced the (:Window)
  // buckets and PASSED relationships, see OBSOLETE): the id is the idempotency key; (station,
  // span, at) serves the co-location lookup, one range seek per duration class; (pid, at) a
  // person's passages, the trace's frontier. Both carry the rest of what a trace reads, so it
  // never touches the node store (CELL_SEEK and PERSON_SEEK in engine/db/passages.ts).
  unique('passage_id', 'Passage', ['id']),
  nodeIndex('passage_cell', 'Passage', ['station', 'span', 'at', 'leftAt', 'pid', 'id']),
  nodeIndex('passage_person', 'Passage', ['pid', 'at', 'leftAt', 'station', 'id']),
  nodeIndex('station_jurisdiction', 'Station', ['province', 'district', 'commune']),
  unique('identity_pid', 'Identity', ['pid']),
  unique('declaration_id', 'Declaration', ['id']),
  unique('meta_key', 'TruyvetMeta', ['key']),
  // API (issue 5): accounts, the hash-chained audit log (one head node per chain serialises
  // appends; (chain, seq) unique so two appends can never fork it), stored trace results.
  unique('account_username', 'Account', ['username']),
  // Usernames are unique whatever their case (`DEMO-ADMIN` beside `demo-admin` impersonates it in
  // every list and audit line): the lower-cased name, set by createAccount and, for accounts
  // stored before, by the migration (backfillUsernameKeys).
  unique('account_username_key', 'Account', ['usernameKey']),
  // Refresh tokens (engine/accounts/refresh-tokens.ts): found by their hash, revoked by family,
  // swept once expired.
  unique('refresh_token_hash', 'RefreshToken', ['hash']),
  nodeIndex('refresh_token_family', 'RefreshToken', ['family']),
  nodeIndex('refresh_token_expires', 'RefreshToken', ['expiresAt']),
  unique('audit_head_chain', 'AuditHead', ['chain']),
  unique('audit_event_seq', 'AuditEvent', ['chain', 'seq']),
  unique('trace_record_id', 'TraceRecord', ['id']),
  // Import jobs of the API (engine/db/import-jobs.ts), so a job outlives the server that ran it.
  unique('import_job_id', 'ImportJob', ['id']),
  // Declarations and checkpoint scans (issue 6): a scan id is the client's, unique so a replayed
  // offline queue records nothing twice; scans by person and time find the previous and next
  // scan for the copied-code check; flagged scans by time for tracers; one isolation status
  // per person.
  nodeIndex('declaration_status', 'Declaration', ['status', 'declaredAt']),
  unique('scan_id', 'Scan', ['id']),
  nodeIndex('scan_person_at', 'Scan', ['pid', 'at']),
  nodeIndex('scan_flagged_at', 'Scan', ['flagged', 'at']),
  unique('isolation_pid', 'Isolation', ['pid']),
  // QR codes (issue 20): a scan finds the code by the opaque id it carries (unique, random);
  // the revocation list reads the revoked codes by revocation time (only revoked codes have it).
  unique('declaration_qr_code', 'Declaration', ['qrCodeId']),
  nodeIndex('declaration_qr_revoked', 'Declaration', ['qrRevokedAt']),
  // Lower-trust evidence (issue 20): a trace reads, once, the national-QR passages at its
  // stations and times (engine/trace/trust.ts). Only scans write `trust`, so imported passages
  // are not in this index at all, and a seek on trust = 'national' skips the signed scans.
  nodeIndex('passage_trust', 'Passage', ['trust', 'station', 'at', 'id']),
  // Confirmed cases (issue 22, engine/db/cases.ts): the case id is the laboratory's, unique so a
  // re-import changes nothing; cases are listed and selected for an outbreak run by confirmation
  // time; found by person (two cases of one person, a follow-up that tests positive).
  unique('case_id', 'Case', ['id']),
  nodeIndex('case_confirmed', 'Case', ['confirmedAt']),
  nodeIndex('case_person', 'Case', ['personId']),
  // Outbreak runs (issue 22, engine/db/outbreaks.ts): found by id, purged by creation time; their
  // CONTACT and LINKED relationships found by run (relationship property indexes, Neo4j 5), so
  // retention and a cancelled run remove one run's relationships without reading every one.
  unique('outbreak_run_id', 'OutbreakRun', ['id']),
  nodeIndex('outbreak_run_created', 'OutbreakRun', ['createdAt']),
  relationshipIndex('contact_run', 'CONTACT', ['run']),
  relationshipIndex('linked_run', 'LINKED', ['run']),
  // Clusters across days (engine/db/clusters.ts): found by their stable id.
  unique('cluster_id', 'Cluster', ['id']),
  // Follow-up (issue 22 point 5, engine/db/followups.ts): found by id; `openFor` (the person's
  // pseudonym, only while open) is unique, so two runs ending at once still leave one open
  // follow-up per person (MERGE on it takes the constraint's lock); listed by home and status.
  unique('followup_id', 'FollowUp', ['id']),
  unique('followup_open_for', 'FollowUp', ['openFor']),
  nodeIndex('followup_person', 'FollowUp', ['personId']),
  nodeIndex('followup_home', 'FollowUp', ['province', 'district', 'commune']),
  // Stored venue exposures (issue 22 point 6, engine/db/exposures.ts): found by id like the other
  // stored results; the constraint also refuses a second record under one id.
  unique('exposure_record_id', 'ExposureRecord', ['id']),
];

/**
 * Entries the migration drops: the window layout that passage nodes replaced (nothing writes
 * Window nodes or PASSED relationships any more, and their index upkeep would be waste; passages
 * stored in that layout are not read by this code: re-import them, docs/graph.md), and the
 * narrow passage indexes the covering ones replaced (rebuilding them takes about 75 s per 10M
 * passages, once).
 */
export const OBSOLETE: readonly { readonly name: string; readonly kind: 'constraint' | 'index' }[] = [
  { name: 'window_key', kind: 'constraint' },
  { name: 'passed_key', kind: 'constraint' },
  { name: 'passed_passage', kind: 'index' },
  { name: 'window_start', kind: 'index' },
  // Replaced by the covering passage_cell and passage_person (same leading properties).
  { name: 'passage_station_span_at', kind: 'index' },
  { name: 'passage_person_at', kind: 'index' },
];

/** An index still being built, and how far along. */
export interface IndexProgress {
  readonly name: string;
  readonly percent: number;
}

/**
 * Creates what is missing and drops what is obsolete, then waits until every index is online.
 * On a large store a new index builds for minutes (the covering passage indexes: ~75 s per 10M
 * passages): `progress` hears the ones still building every few seconds.
 */
export async function migrate(progress?: (building: IndexProgress[]) => void): Promise<MigrationReport> {
  for (const o of OBSOLETE) await runAutoCommit(`DROP ${o.kind === 'constraint' ? 'CONSTRAINT' : 'INDEX'} ${o.name} IF EXISTS`);
  for (const item of SCHEMA) await runAutoCommit(item.statement);
  await awaitIndexes(progress);
  await ensureWindowSize();
  return { usernameCollisions: await backfillUsernameKeys() };
}

/** What a migration found that a person must resolve; the callers show it (never only a log line). */
export interface MigrationReport {
  readonly usernameCollisions: readonly UsernameCollision[];
}

/** The collisions for a person to read: one line each, naming the accounts (a terminal, not a log). */
export function describeCollisions(collisions: readonly UsernameCollision[]): string[] {
  return collisions.map(
    (c) => `usernames that differ only in case: '${c.kept}' keeps the name (another case logs in as it); ${c.others.map((o) => `'${o}'`).join(', ')} log in only as typed: rename or disable them`,
  );
}

/** Local accounts stored before usernames were unique whatever their case, whose names collide. */
export interface UsernameCollision {
  /** The lower-cased name they share. */
  readonly key: string;
  /** The account that holds the key: the oldest, which another case of the name logs in as. */
  readonly kept: string;
  /** The others, without a key: each still logs in by its exact name; rename or disable them. */
  readonly others: readonly string[];
}

/**
 * Gives every local account without a `usernameKey` its lower-cased name, the oldest first, where
 * no account holds that key yet. Accounts whose key is taken keep none, and are reported every
 * time until an admin deletes or disables them: the constraint cannot hold two, and silently
 * dropping or renaming an account would lock its owner out. Users of an identity provider
 * (`oidc:<sub>`) have none: their subjects are case-sensitive.
 */
async function backfillUsernameKeys(): Promise<UsernameCollision[]> {
  const rows = await writeQuery(
    `MATCH (a:Account)
     WHERE a.usernameKey IS NULL AND NOT a.username STARTS WITH 'oidc:'
     WITH toLower(a.username) AS key, a ORDER BY a.createdAt, a.username
     WITH key, collect(a) AS accounts
     OPTIONAL MATCH (holder:Account {usernameKey: key})
     WITH key, accounts, holder, CASE WHEN holder IS NULL THEN accounts[0] END AS keyed
     FOREACH (x IN CASE WHEN keyed IS NULL THEN [] ELSE [keyed] END | SET x.usernameKey = key)
     WITH key, coalesce(holder, keyed) AS kept, [x IN accounts WHERE keyed IS NULL OR x <> keyed | x.username] AS others
     WHERE size(others) > 0
     RETURN key, kept.username AS kept, others ORDER BY key`,
    {},
    (r) => ({ key: str(r['key']), kept: str(r['kept']), others: (r['others'] as unknown[]).map(str) }),
  );
  return rows;
}

/**
 * Resolves once no index is populating. An index that failed to build stops the wait with its
 * failure message (queries that hint it could never run), instead of waiting for it forever.
 */
export async function awaitIndexes(progress?: (building: IndexProgress[]) => void, pollMs = 2_000): Promise<void> {
  for (;;) {
    const rows = await readQuery(
      "SHOW INDEXES YIELD name, state, populationPercent, failureMessage WHERE state <> 'ONLINE' RETURN name, state, populationPercent, failureMessage ORDER BY name",
      {},
      (r: { name: string; state: string; populationPercent: number | null; failureMessage: string | null }) => r,
    );
    const failed = rows.find((r) => r.state === 'FAILED');
    if (failed) throw unavailable(`index ${failed.name} failed to build: ${failed.failureMessage ?? 'no reason given'}; drop it and run 'truyvet db migrate' again`);
    if (rows.length === 0) return;
    progress?.(rows.map((r) => ({ name: r.name, percent: Math.round(num(r.populationPercent ?? 0) * 10) / 10 })));
    await sleep(pollMs);
  }
}

/** "building indexes: passage_cell 45.2 %, passage_person 3 %" */
export function describeIndexProgress(building: readonly IndexProgress[]): string {
  return `building indexes: ${building.map((b) => `${b.name} ${b.percent} %`).join(', ')}`;
}

/** Names of this database's constraints and indexes (the migration's check). */
export async function existingSchemaNames(): Promise<{ constraints: string[]; indexes: string[] }> {
  const constraints = await readQuery('SHOW CONSTRAINTS YIELD name RETURN name', {}, (r: { name: string }) => r.name);
  const indexes = await readQuery('SHOW INDEXES YIELD name RETURN name', {}, (r: { name: string }) => r.name);
  return { constraints, indexes };
}

let windowMsCache: number | undefined;

/**
 * The bucket size is a property of the database: every stored passage is linked by it. The first
 * migration records TRUYVET_WINDOW_SECONDS (default = the default tolerance, 15 min); later runs
 * read it back and refuse a different setting instead of silently breaking lookups.
 */
async function ensureWindowSize(): Promise<void> {
  const wanted = windowSecondsText();
  const seconds = wanted === undefined ? DEFAULT_WINDOW_SECONDS : Number(wanted);
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > 86_400) {
    throw invalidInput(`TRUYVET_WINDOW_SECONDS=${wanted ?? ''} must be a whole number of seconds between 60 and 86400`);
  }
  const rows = await runAutoCommit(
    `MERGE (m:TruyvetMeta {key: 'windowSeconds'}) ON CREATE SET m.value = $seconds RETURN m.value AS value`,
    { seconds: int(seconds) },
  );
  const stored = num(rows.records[0]?.get('value'));
  if (wanted !== undefined && stored !== seconds) {
    throw invalidInput(`this database uses ${stored}-second windows; TRUYVET_WINDOW_SECONDS=${seconds} would not find its passages`);
  }
  windowMsCache = stored * 1000;
}

/** The database's window (bucket) size in milliseconds. */
export async function windowSizeMs(): Promise<number> {
  if (windowMsCache === undefined) {
    const rows = await readQuery(`MATCH (m:TruyvetMeta {key: 'windowSeconds'}) RETURN m.value AS value`, {}, (r) => num(r['value']));
    windowMsCache = (rows[0] ?? DEFAULT_WINDOW_SECONDS) * 1000;
  }
  return windowMsCache;
}
