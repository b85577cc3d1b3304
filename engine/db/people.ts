import { pseudonym, seal, tryUnseal } from '../identity';
import { logger } from '../logger';
import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { num, str, strOrEmpty } from './convert';
import { readQuery, writeTx, type QueryOptions } from './driver';

/**
 * The population registry, held apart from the movement graph. `(:Person {id})` carries only
 * the pseudonymous key, `registered`, and the sealed raw key (`ref`). Personal data lives in
 * `(:Identity {pid, data, province, district, commune})`, not linked to Person by any
 * relationship: `data` is the sealed JSON of the registry row (engine/identity.ts), so a copy of
 * the database alone shows neither names nor national ids. Home codes stay readable because
 * jurisdiction scoping filters on them.
 */

export interface RegistryRecord {
  /** The raw key as in people.csv (a national id in the demo city). */
  readonly personId: string;
  readonly fullName: string;
  /** YYYY-MM-DD */
  readonly birthDate: string;
  readonly sex: string;
  readonly phone: string;
  readonly province: string;
  readonly district: string;
  readonly commune: string;
}

export interface StoredIdentity extends RegistryRecord {
  readonly pid: string;
}

/** `conflict`: the same person came twice in one import run with different data (the first stays). */
export type RegistryOutcome = 'imported' | 'updated' | 'duplicate' | 'conflict';

export interface UpsertPeopleOptions {
  /**
   * Id of the import run writing these rows, kept on the Identity: a second, different row for
   * a person within the same run is a conflict instead of an update. Without it, the last row
   * of a person wins.
   */
  readonly runId?: string;
}

const STORED = `
UNWIND $pids AS pid
MATCH (i:Identity {pid: pid})
RETURN pid, i.digest AS digest, i.importRun AS run`;

const UPSERT = `
UNWIND $rows AS row
MERGE (p:Person {id: row.pid})
  ON CREATE SET p.ref = row.ref
SET p.registered = true
MERGE (i:Identity {pid: row.pid})
SET i.data = row.data, i.digest = row.digest, i.province = row.province, i.district = row.district,
    i.commune = row.commune, i.importRun = row.run`;

/**
 * Writes registry rows (one transaction); returns each pid's outcome. `digest` is a keyed hash
 * of the row, so an unchanged re-import is recognised without unsealing anything; only new and
 * changed rows are sealed and written (sealing is the costly part of a registry import).
 */
export async function upsertPeople(records: readonly RegistryRecord[], options: UpsertPeopleOptions = {}): Promise<Map<string, RegistryOutcome>> {
  const out = new Map<string, RegistryOutcome>();
  if (records.length === 0) return out;
  const runId = options.runId ?? null;
  const byPid = new Map<string, { record: RegistryRecord; json: string; digest: string }>();
  for (const r of records) {
    const pid = pseudonym(r.personId);
    const json = JSON.stringify(toStored(r));
    const digest = pseudonym(`identity:${json}`);
    const prev = byPid.get(pid);
    // One outcome per person: within one call the first row of a person counts in a run (the
    // importer sends distinct people and judges repeats itself), else the last row wins.
    if (prev && (prev.digest === digest || runId !== null)) continue;
    byPid.set(pid, { record: r, json, digest });
  }
  return writeTx(async (tx) => {
    const stored = new Map<string, { digest: unknown; run: unknown }>();
    for (const r of (await tx.run(STORED, { pids: [...byPid.keys()] })).records) {
      stored.set(str(r.get('pid')), { digest: r.get('digest'), run: r.get('run') });
    }
    const rows: Record<string, unknown>[] = [];
    for (const [pid, x] of byPid) {
      const before = stored.get(pid);
      let outcome: RegistryOutcome;
      if (before === undefined) outcome = 'imported';
      else if (before.digest === x.digest) outcome = 'duplicate';
      else if (runId !== null && before.run === runId) outcome = 'conflict';
      else outcome = 'updated';
      out.set(pid, outcome);
      if (outcome !== 'imported' && outcome !== 'updated') continue;
      rows.push({
        pid,
        ref: outcome === 'imported' ? seal(x.record.personId) : null,
        data: seal(x.json),
        digest: x.digest,
        province: x.record.province,
        district: x.record.district,
        commune: x.record.commune,
        run: runId,
      });
    }
    if (rows.length > 0) await tx.run(UPSERT, { rows });
    return out;
  });
}

function toStored(r: RegistryRecord): RegistryRecord {
  return {
    personId: r.personId,
    fullName: r.fullName,
    birthDate: r.birthDate,
    sex: r.sex,
    phone: r.phone,
    province: r.province,
    district: r.district,
    commune: r.commune,
  };
}

/**
 * A sealed registry row opened, or undefined when it cannot be (another TRUYVET_DATA_KEY, or a
 * damaged value): reads of many people treat that person as unnamed instead of failing for all.
 */
function openIdentity(pid: string, data: string): StoredIdentity | undefined {
  const text = tryUnseal(data);
  if (text === undefined) return undefined;
  try {
    return { pid, ...(JSON.parse(text) as RegistryRecord) };
  } catch {
    return undefined;
  }
}

/** Says how many sealed values of a read could not be opened: a count and the kind, never whose. */
function warnUnreadable(count: number, kind: 'identity' | 'raw key'): void {
  if (count > 0) logger.warn({ unreadable: count, kind }, 'sealed registry values could not be opened (another TRUYVET_DATA_KEY, or damaged): those people are shown unnamed');
}

/**
 * Registry records of these pids (absent pids are not in the map), and the pids whose record is
 * there but cannot be unsealed (`unreadable`: to show them unnamed, not as unregistered). Callers
 * decide who may see them.
 */
export async function readRegistry(pids: readonly string[]): Promise<{ identities: Map<string, StoredIdentity>; unreadable: Set<string> }> {
  const identities = new Map<string, StoredIdentity>();
  const unreadable = new Set<string>();
  if (pids.length === 0) return { identities, unreadable };
  const rows = await readQuery(
    'UNWIND $pids AS pid MATCH (i:Identity {pid: pid}) RETURN i.pid AS pid, i.data AS data',
    { pids },
    (r) => [str(r['pid']), str(r['data'])] as const,
  );
  for (const [pid, data] of rows) {
    const identity = openIdentity(pid, data);
    if (identity !== undefined) identities.set(pid, identity);
    else unreadable.add(pid);
  }
  warnUnreadable(unreadable.size, 'identity');
  return { identities, unreadable };
}

/** readRegistry's records alone: a record that cannot be unsealed reads as absent (the registry checks then refuse, never pass). */
export async function readIdentities(pids: readonly string[]): Promise<Map<string, StoredIdentity>> {
  return (await readRegistry(pids)).identities;
}

/** A person as a caller with a jurisdiction may see them: named when their home lies inside it, else only where home is. */
export type ScopedPerson =
  | {
      readonly inside: true;
      readonly identity: StoredIdentity | undefined;
      readonly rawKey: string | undefined;
      /** True when the person's sealed registry record (or, unregistered, raw key) cannot be opened: show them unnamed. */
      readonly unreadable: boolean;
    }
  | { readonly inside: false; readonly registered: boolean; readonly province: string | undefined; readonly district: string | undefined };

/**
 * Whose registry record a caller with this scope may read is decided here, in the query: the
 * sealed record and the sealed raw key leave the database only for people whose registry home
 * lies inside the scope (everyone, for no scope); of the others it returns the home's province
 * and district codes, which say which authority to hand them to. People without a registry home
 * (unregistered) are outside any scope. Pids the graph does not know are not in the map.
 */
const IN_SCOPE = `
UNWIND $pids AS pid
OPTIONAL MATCH (i:Identity {pid: pid})
OPTIONAL MATCH (p:Person {id: pid})
WITH pid, i, p,
  $province IS NULL OR coalesce(i.province = $province AND ($district IS NULL OR i.district = $district) AND ($commune IS NULL OR i.commune = $commune), false) AS inside
WHERE i IS NOT NULL OR p IS NOT NULL
RETURN pid, inside, i IS NOT NULL AS registered,
  CASE WHEN inside THEN i.data END AS data,
  CASE WHEN inside THEN p.ref END AS ref,
  CASE WHEN inside THEN null ELSE i.province END AS province,
  CASE WHEN inside THEN null ELSE i.district END AS district`;

export async function readPeopleInScope(pids: readonly string[], scope: Jurisdiction | undefined): Promise<Map<string, ScopedPerson>> {
  if (pids.length === 0) return new Map();
  let unreadable = 0;
  const rows = await readQuery(IN_SCOPE, { pids: [...new Set(pids)], ...scopeParams(scope) }, (r): [string, ScopedPerson] => {
    const pid = str(r['pid']);
    if (r['inside'] !== true) {
      const province = strOrEmpty(r['province']);
      const district = strOrEmpty(r['district']);
      return [pid, { inside: false, registered: r['registered'] === true, province: province || undefined, district: district || undefined }];
    }
    const data: unknown = r['data'];
    const ref: unknown = r['ref'];
    const identity = typeof data === 'string' ? openIdentity(pid, data) : undefined;
    const rawKey = typeof ref === 'string' ? tryUnseal(ref) : undefined;
    // A registered person whose record cannot be opened is unnamed, not shown as unregistered by
    // the raw key; an unregistered one is unnamed when the raw key cannot be opened.
    const lost = typeof data === 'string' ? identity === undefined : typeof ref === 'string' && rawKey === undefined;
    if (lost) unreadable++;
    return [pid, { inside: true, identity, rawKey: lost ? undefined : rawKey, unreadable: lost }];
  });
  warnUnreadable(unreadable, 'identity');
  return new Map(rows);
}

/** The raw keys (as in the source files) behind these pids; for privileged tools such as the CLI. */
export async function rawKeys(pids: readonly string[]): Promise<Map<string, string>> {
  if (pids.length === 0) return new Map();
  const rows = await readQuery(
    'UNWIND $pids AS pid MATCH (p:Person {id: pid}) WHERE p.ref IS NOT NULL RETURN p.id AS pid, p.ref AS ref',
    { pids },
    (r) => [str(r['pid']), typeof r['ref'] === 'string' ? (tryUnseal(r['ref']) ?? '') : ''] as const,
  );
  const out = new Map(rows.filter(([, raw]) => raw !== ''));
  // Not opened: left out, so the caller shows the pseudonym.
  warnUnreadable(rows.length - out.size, 'raw key');
  return out;
}

/** The pids the graph knows no person of, in the order given (one statement for all). */
export async function unknownPeople(pids: readonly string[], options: QueryOptions = {}): Promise<string[]> {
  if (pids.length === 0) return [];
  const known = new Set(await readQuery('UNWIND $pids AS pid MATCH (p:Person {id: pid}) RETURN p.id AS pid', { pids }, (r) => str(r['pid']), options));
  return pids.filter((pid) => !known.has(pid));
}

/** How many people the graph knows, registered or not. */
export async function countPeople(): Promise<{ people: number; registered: number }> {
  const [row] = await readQuery(
    'MATCH (p:Person) RETURN count(p) AS people, count(CASE WHEN p.registered THEN 1 END) AS registered',
    {},
    (r) => ({ people: num(r['people']), registered: num(r['registered']) }),
  );
  return row ?? { people: 0, registered: 0 };
}

/** Whether the graph knows this person (a Person node, with or without passages). */
export async function personExists(pid: string, options: QueryOptions = {}): Promise<boolean> {
  const rows = await readQuery('MATCH (p:Person {id: $pid}) RETURN count(p) AS n', { pid }, (r) => num(r['n']), options);
  return (rows[0] ?? 0) > 0;
}
