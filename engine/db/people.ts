import { pseudonym, seal, unseal } from '../identity';
import { num, str } from './convert';
import { readQuery, writeQuery } from './driver';

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

export type RegistryOutcome = 'imported' | 'updated' | 'duplicate';

const UPSERT = `
UNWIND $rows AS row
MERGE (p:Person {id: row.pid})
  ON CREATE SET p.ref = row.ref
SET p.registered = true
MERGE (i:Identity {pid: row.pid})
WITH row, i, i.digest AS before
SET i.data = CASE WHEN before = row.digest THEN i.data ELSE row.data END,
    i.digest = row.digest, i.province = row.province, i.district = row.district, i.commune = row.commune
RETURN row.pid AS pid, CASE WHEN before IS NULL THEN 'imported' WHEN before = row.digest THEN 'duplicate' ELSE 'updated' END AS outcome`;

/**
 * Writes registry rows (one transaction); returns each pid's outcome. `digest` is a keyed hash
 * of the row, so an unchanged re-import is recognised without unsealing anything.
 */
export async function upsertPeople(records: readonly RegistryRecord[]): Promise<Map<string, RegistryOutcome>> {
  const rows = records.map((r) => {
    const pid = pseudonym(r.personId);
    const json = JSON.stringify(toStored(r));
    return {
      pid,
      ref: seal(r.personId),
      data: seal(json),
      digest: pseudonym(`identity:${json}`),
      province: r.province,
      district: r.district,
      commune: r.commune,
    };
  });
  const out = new Map<string, RegistryOutcome>();
  if (rows.length === 0) return out;
  const res = await writeQuery(UPSERT, { rows }, (r) => [str(r['pid']), str(r['outcome']) as RegistryOutcome] as const);
  for (const [pid, outcome] of res) out.set(pid, outcome);
  return out;
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

/** Registry records of these pids (absent pids are not in the map). Callers decide who may see them. */
export async function readIdentities(pids: readonly string[]): Promise<Map<string, StoredIdentity>> {
  if (pids.length === 0) return new Map();
  const rows = await readQuery(
    'UNWIND $pids AS pid MATCH (i:Identity {pid: pid}) RETURN i.pid AS pid, i.data AS data',
    { pids },
    (r) => [str(r['pid']), str(r['data'])] as const,
  );
  return new Map(rows.map(([pid, data]) => [pid, { pid, ...(JSON.parse(unseal(data)) as RegistryRecord) }]));
}

/** The raw keys (as in the source files) behind these pids; for privileged tools such as the CLI. */
export async function rawKeys(pids: readonly string[]): Promise<Map<string, string>> {
  if (pids.length === 0) return new Map();
  const rows = await readQuery(
    'UNWIND $pids AS pid MATCH (p:Person {id: pid}) RETURN p.id AS pid, p.ref AS ref',
    { pids },
    (r) => [str(r['pid']), typeof r['ref'] === 'string' ? unseal(r['ref']) : ''] as const,
  );
  return new Map(rows.filter(([, raw]) => raw !== ''));
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
