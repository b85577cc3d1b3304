import { scopeParams } from '../jurisdiction';
import type { Jurisdiction } from '../types';
import { int, num, numOrNull, str, strOrEmpty } from './convert';
import { readQuery, writeQuery, writeTx } from './driver';

/**
 * The case registry (issue 22, DESIGN.md "Outbreak semantics"): `(:Case {id, personId,
 * confirmedAt, onsetAt?, infectiousFrom?, infectiousTo?, status, source, createdAt, createdBy,
 * updatedAt, updatedBy, statusChangedAt, statusChangedBy, statusNote?, importRun?})`, instants as
 * epoch-ms integers like passages, `personId` the pseudonym only, and
 * `(:Case)-[:OF]->(:Person)`: Neo4j's own tools see whose case it is, and the relationship keeps
 * an unregistered case person from being purged with their last passage.
 *
 * Jurisdiction is the case person's registry home (`Identity`), a parameter of every query here:
 * a scoped caller reads, registers and changes only cases of people living inside it; a person
 * without a registry home (unregistered) is inside no scope, so only national callers reach
 * their cases.
 */

export interface CaseWrite {
  readonly id: string;
  /** The pseudonym. */
  readonly personId: string;
  /** Sealed raw key, called only when the graph does not know the person yet. */
  readonly personRef: () => string;
  readonly confirmedAt: number;
  readonly onsetAt?: number;
  readonly infectiousFrom?: number;
  readonly infectiousTo?: number;
}

/**
 * `other_person`: the id is stored for another person (never changed: a case id reused for
 * someone else is a mistake to look at); `repeated`: an earlier row of the same import run gave
 * this id other data; `outside`: the person does not live in the caller's jurisdiction.
 */
export type CaseWriteOutcome = 'imported' | 'updated' | 'duplicate' | 'other_person' | 'repeated' | 'outside';

export interface CaseWriteResult {
  readonly outcome: CaseWriteOutcome;
  /** The person is in the population registry. */
  readonly registered: boolean;
}

export interface WriteCasesOptions {
  readonly source: string;
  /** Who writes: a username, `os:<user>@<host>`, `system`. */
  readonly by: string;
  readonly now: number;
  /** An import run's id: a second, different row of a case in the same run is `repeated`. */
  readonly runId?: string;
  /** Only cases of people living inside it are written; undefined: anyone (national). */
  readonly scope?: Jurisdiction | undefined;
  /** Write nothing unless every row can be written (imported, updated or duplicate). */
  readonly atomic?: boolean;
}

const STORED = `
UNWIND $rows AS row
OPTIONAL MATCH (c:Case {id: row.id})
OPTIONAL MATCH (p:Person {id: row.pid})
OPTIONAL MATCH (i:Identity {pid: row.pid})
RETURN row.id AS id, c IS NOT NULL AS stored, c.personId AS storedPid, c.confirmedAt AS confirmedAt, c.onsetAt AS onsetAt,
  c.infectiousFrom AS infectiousFrom, c.infectiousTo AS infectiousTo, c.importRun AS run, p IS NOT NULL AS known,
  i IS NOT NULL AS registered,
  $province IS NULL OR coalesce(i.province = $province AND ($district IS NULL OR i.district = $district) AND ($commune IS NULL OR i.commune = $commune), false) AS inside`;

const UPSERT = `
UNWIND $rows AS row
MERGE (p:Person {id: row.pid})
  ON CREATE SET p.ref = row.ref, p.registered = false
MERGE (c:Case {id: row.id})
  ON CREATE SET c.createdAt = $now, c.createdBy = $by, c.source = $source, c.status = 'confirmed', c.statusChangedAt = $now, c.statusChangedBy = $by
SET c.personId = row.pid, c.confirmedAt = row.confirmedAt, c.onsetAt = row.onsetAt, c.infectiousFrom = row.infectiousFrom,
    c.infectiousTo = row.infectiousTo, c.updatedAt = $now, c.updatedBy = $by, c.importRun = $run
MERGE (c)-[:OF]->(p)`;

/**
 * Writes cases (one transaction) and says what became of each id. Only new and changed cases are
 * written; a changed case keeps its status, creation and status stamps. Scoping and the checks
 * happen in the same transaction as the write.
 */
export async function writeCases(rows: readonly CaseWrite[], o: WriteCasesOptions): Promise<{ written: boolean; results: Map<string, CaseWriteResult> }> {
  if (rows.length === 0) return { written: true, results: new Map() };
  const byId = new Map(rows.map((r) => [r.id, r] as const));
  return writeTx(async (tx) => {
    const results = new Map<string, CaseWriteResult>();
    const read = await tx.run(STORED, { rows: [...byId.values()].map((r) => ({ id: r.id, pid: r.personId })), ...scopeParams(o.scope) });
    const writes: Record<string, unknown>[] = [];
    for (const rec of read.records) {
      const r = byId.get(str(rec.get('id')))!;
      const registered = rec.get('registered') === true;
      let outcome: CaseWriteOutcome;
      if (rec.get('inside') !== true) outcome = 'outside';
      else if (rec.get('stored') !== true) outcome = 'imported';
      else if (rec.get('storedPid') !== r.personId) outcome = 'other_person';
      else if (
        num(rec.get('confirmedAt')) === r.confirmedAt &&
        numOrNull(rec.get('onsetAt')) === (r.onsetAt ?? null) &&
        numOrNull(rec.get('infectiousFrom')) === (r.infectiousFrom ?? null) &&
        numOrNull(rec.get('infectiousTo')) === (r.infectiousTo ?? null)
      ) {
        outcome = 'duplicate';
      } else if (o.runId !== undefined && rec.get('run') === o.runId) outcome = 'repeated';
      else outcome = 'updated';
      results.set(r.id, { outcome, registered });
      if (outcome === 'imported' || outcome === 'updated') {
        writes.push({
          id: r.id,
          pid: r.personId,
          ref: rec.get('known') === true ? null : r.personRef(),
          confirmedAt: int(r.confirmedAt),
          onsetAt: r.onsetAt === undefined ? null : int(r.onsetAt),
          infectiousFrom: r.infectiousFrom === undefined ? null : int(r.infectiousFrom),
          infectiousTo: r.infectiousTo === undefined ? null : int(r.infectiousTo),
        });
      }
    }
    const blocked = [...results.values()].some((x) => x.outcome === 'outside' || x.outcome === 'other_person' || x.outcome === 'repeated');
    if (o.atomic === true && blocked) return { written: false, results };
    if (writes.length > 0) await tx.run(UPSERT, { rows: writes, now: int(o.now), by: o.by, source: o.source, run: o.runId ?? null });
    return { written: true, results };
  });
}

/** A stored case, with its person's registry home when the caller may see it. */
export interface StoredCase {
  readonly id: string;
  readonly personId: string;
  readonly confirmedAt: number;
  readonly onsetAt: number | null;
  readonly infectiousFrom: number | null;
  readonly infectiousTo: number | null;
  readonly status: string;
  readonly source: string;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly updatedAt: number;
  readonly statusChangedAt: number;
  readonly statusChangedBy: string;
  readonly statusNote: string | null;
  /** The person is in the population registry. */
  readonly registered: boolean;
  /** The registry home; null when unregistered. */
  readonly home: { readonly province: string; readonly district: string; readonly commune: string } | null;
}

const INSIDE = `($province IS NULL OR coalesce(i.province = $province AND ($district IS NULL OR i.district = $district) AND ($commune IS NULL OR i.commune = $commune), false))`;

const CASE_FIELDS = `c.id AS id, c.personId AS personId, c.confirmedAt AS confirmedAt, c.onsetAt AS onsetAt, c.infectiousFrom AS infectiousFrom,
  c.infectiousTo AS infectiousTo, c.status AS status, c.source AS source, c.createdAt AS createdAt, c.createdBy AS createdBy,
  c.updatedAt AS updatedAt, c.statusChangedAt AS statusChangedAt, c.statusChangedBy AS statusChangedBy, c.statusNote AS statusNote,
  i IS NOT NULL AS registered, i.province AS province, i.district AS district, i.commune AS commune`;

function storedCase(r: Record<string, unknown>): StoredCase {
  return {
    id: str(r['id']),
    personId: str(r['personId']),
    confirmedAt: num(r['confirmedAt']),
    onsetAt: numOrNull(r['onsetAt']),
    infectiousFrom: numOrNull(r['infectiousFrom']),
    infectiousTo: numOrNull(r['infectiousTo']),
    status: str(r['status']),
    source: strOrEmpty(r['source']),
    createdAt: num(r['createdAt']),
    createdBy: strOrEmpty(r['createdBy']),
    updatedAt: num(r['updatedAt']),
    statusChangedAt: num(r['statusChangedAt']),
    statusChangedBy: strOrEmpty(r['statusChangedBy']),
    statusNote: typeof r['statusNote'] === 'string' ? r['statusNote'] : null,
    registered: r['registered'] === true,
    home: r['registered'] === true ? { province: strOrEmpty(r['province']), district: strOrEmpty(r['district']), commune: strOrEmpty(r['commune']) } : null,
  };
}

export interface CaseListQuery {
  readonly scope: Jurisdiction | undefined;
  /** null: every status. */
  readonly statuses: readonly string[] | null;
  readonly confirmedFrom: number;
  readonly confirmedTo: number;
  readonly skip: number;
  readonly limit: number;
}

/** The two orders cases are read in: newest first for people, by id for a trace. */
const ORDER = { newest: 'ORDER BY c.confirmedAt DESC, c.id', byId: 'ORDER BY c.id' } as const;

// The range on confirmedAt lets the case_confirmed index find the cases; the home's scope filters them.
const LIST = (order: keyof typeof ORDER) => `
MATCH (c:Case)
WHERE c.confirmedAt >= $from AND c.confirmedAt <= $to AND ($statuses IS NULL OR c.status IN $statuses)
OPTIONAL MATCH (i:Identity {pid: c.personId})
WITH c, i WHERE ${INSIDE}
RETURN ${CASE_FIELDS}
${ORDER[order]}
SKIP $skip LIMIT $limit`;

/** Cases confirmed in [confirmedFrom, confirmedTo] of people living inside the scope, newest first (or by id). */
export async function listCases(q: CaseListQuery, order: keyof typeof ORDER = 'newest'): Promise<StoredCase[]> {
  return readQuery(
    LIST(order),
    {
      from: int(q.confirmedFrom),
      to: int(q.confirmedTo),
      statuses: q.statuses === null ? null : [...q.statuses],
      ...scopeParams(q.scope),
      skip: int(q.skip),
      limit: int(q.limit),
    },
    storedCase,
  );
}

const BY_IDS = `
UNWIND $ids AS id
MATCH (c:Case {id: id})
WHERE $statuses IS NULL OR c.status IN $statuses
OPTIONAL MATCH (i:Identity {pid: c.personId})
WITH c, i WHERE ${INSIDE}
RETURN ${CASE_FIELDS}
ORDER BY c.id`;

/** These cases, of people living inside the scope (the others, and unknown ids, are not returned). */
export async function casesByIds(ids: readonly string[], scope: Jurisdiction | undefined, statuses: readonly string[] | null): Promise<StoredCase[]> {
  if (ids.length === 0) return [];
  return readQuery(BY_IDS, { ids: [...new Set(ids)], statuses: statuses === null ? null : [...statuses], ...scopeParams(scope) }, storedCase);
}

export interface StatusChange {
  readonly id: string;
  readonly status: string;
  readonly note: string | null;
  readonly by: string;
  readonly now: number;
  readonly scope: Jurisdiction | undefined;
}

/**
 * Sets a case's status, stamped with who and when, only when the case person lives inside the
 * scope (the query decides) and the status differs. `undefined`: no such case; `inside: false`:
 * the case is outside the scope and nothing of it is returned.
 */
export async function setCaseStatus(ch: StatusChange): Promise<{ inside: false } | { inside: true; before: string; changed: boolean; stored: StoredCase } | undefined> {
  const rows = await writeQuery(
    `MATCH (c:Case {id: $id})
     OPTIONAL MATCH (i:Identity {pid: c.personId})
     WITH c, i, ${INSIDE} AS inside, c.status AS before
     FOREACH (_ IN CASE WHEN inside AND before <> $status THEN [1] ELSE [] END |
       SET c.status = $status, c.statusChangedAt = $now, c.statusChangedBy = $by, c.statusNote = $note, c.updatedAt = $now, c.updatedBy = $by)
     RETURN inside, before, ${CASE_FIELDS}`,
    { id: ch.id, status: ch.status, note: ch.note, by: ch.by, now: int(ch.now), ...scopeParams(ch.scope) },
    (r: Record<string, unknown>) => (r['inside'] === true ? { inside: true as const, before: str(r['before']), stored: storedCase(r) } : { inside: false as const }),
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  if (!row.inside) return { inside: false };
  return { ...row, changed: row.before !== ch.status };
}
